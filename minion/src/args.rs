//! Command-line arguments of a function call, parsed as Salt parses them.
//!
//! `key=value` words become keyword arguments, other words positional ones,
//! and every value is YAML-typed the way Salt's `yamlify_arg` does it (`3` is
//! an int, `True` a bool, `[a, b]` a list, `a,b` stays a string).
//!
//! It must not know what any function does with its arguments.

use brine_common::{yaml, Map, Value};

/// Positional and keyword arguments of one call.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CallArgs {
    pub args: Vec<Value>,
    pub kwargs: Map,
}

/// Split CLI words into args and kwargs (Salt's `parse_input`).
pub fn parse_input(words: &[String]) -> CallArgs {
    let mut out = CallArgs::default();
    for word in words {
        match parse_kwarg(word) {
            Some((k, v)) => {
                out.kwargs.insert(k.to_string(), yamlify_arg(v));
            }
            None => out.args.push(yamlify_arg(word)),
        }
    }
    out
}

/// `name=value` where name is an identifier (`^([^\d\W][\w.-]*)=(?!=)(.*)$`).
fn parse_kwarg(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    if !chars.all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-') || value.starts_with('=') {
        return None;
    }
    Some((name, value))
}

/// Salt's `yamlify_arg`: YAML-load a CLI value, keeping strings where Salt keeps them.
pub fn yamlify_arg(arg: &str) -> Value {
    let original = Value::str(arg);
    let trimmed = arg.trim();
    if matches!(trimmed, "" | "---" | "...") {
        return original;
    }
    if arg.contains('_') && trimmed.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return original;
    }
    if arg.contains(['\t', '\r', '\n']) {
        return original;
    }
    if arg == "None" {
        return Value::Null;
    }
    let Ok(parsed) = yaml::load(arg) else { return original };
    if arg.contains('#') {
        return match parsed {
            Value::Str(_) | Value::Null => original,
            other => other,
        };
    }
    match parsed {
        Value::Map(_) if !arg.starts_with('{') => original,
        Value::List(_) if !arg.starts_with('[') => original,
        Value::Str(s) if s.is_empty() && (arg == "|" || arg == "!") => original,
        Value::Null if trimmed.starts_with('#') || arg == "!" => original,
        other => other,
    }
}

/// Move options that follow the function name in front of it, as Salt's
/// option parser allows them anywhere (`salt-call grains.items --out=json`).
/// `valued` lists options that take a value (`--out json` or `--out=json`),
/// `plain` the flags; anything else stays where it is, in order.
pub fn intersperse_options(argv: Vec<String>, valued: &[&str], plain: &[&str]) -> Vec<String> {
    let mut it = argv.into_iter();
    let mut front: Vec<String> = it.next().into_iter().collect();
    let mut rest = Vec::new();
    let mut seen_fun = false;
    while let Some(word) = it.next() {
        let name = word.split_once('=').map(|(n, _)| n).unwrap_or(&word);
        let is_valued = valued.contains(&name);
        if !(is_valued || plain.contains(&word.as_str())) {
            seen_fun |= !word.starts_with('-');
            rest.push(word);
            continue;
        }
        let target = if seen_fun { &mut front } else { &mut rest };
        let takes_next = is_valued && !word.contains('=');
        target.push(word);
        if takes_next {
            if let Some(v) = it.next() {
                target.push(v);
            }
        }
    }
    front.extend(rest);
    front
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kwargs_are_split_from_args() {
        let words: Vec<String> = ["nginx", "test=True", "a==b"].iter().map(|s| s.to_string()).collect();
        let parsed = parse_input(&words);
        assert_eq!(parsed.args, vec![Value::str("nginx"), Value::str("a==b")]);
        assert_eq!(parsed.kwargs.get("test"), Some(&Value::Bool(true)));
    }

    #[test]
    fn underscored_digits_stay_strings() {
        assert_eq!(yamlify_arg("1_000"), Value::str("1_000"));
        assert_eq!(yamlify_arg("None"), Value::Null);
        assert_eq!(yamlify_arg("a,b"), Value::str("a,b"));
    }

    #[test]
    fn options_after_the_function_move_in_front() {
        let argv: Vec<String> = ["salt-call", "--local", "grains.item", "os", "--out=yaml", "-l", "debug", "x=1"]
            .iter().map(|s| s.to_string()).collect();
        let out = intersperse_options(argv, &["--out", "-l"], &["--local"]);
        assert_eq!(out, vec!["salt-call", "--out=yaml", "-l", "debug", "--local", "grains.item", "os", "x=1"]);
    }
}
