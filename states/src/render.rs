//! Render pipelines: file text in, data out, as Salt's `compile_template`.
//!
//! The pipeline comes from the file's `#!` line (`#!jinja|yaml`, `#!yaml`,
//! `#!jinja|json`, ...) or the `renderer` option (default `jinja|yaml`).
//! Jinja gets Salt's context (`salt`, `grains`, `pillar`, `opts`, `saltenv`,
//! `sls`, `slspath`, `tpldir`, `tplfile`, ...). Errors are Salt's texts with
//! the line and a few lines of context around it, marked as Salt marks them.
//! A renderer brine does not have (`py`, `pyobjects`, `mako`, ...) is an error,
//! never a silent skip.
//!
//! It must not compile high data nor run states.

use std::cell::OnceCell;
use std::path::Path;

use brine_common::{yaml, Map, Value};

use crate::highstate::{FileClient, Partial, SlsRenderer, StateFile};
use crate::jinja;
use crate::saltfns::SaltFns;

/// One renderer of a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Jinja,
    Yaml,
    Json,
    Text,
}

/// Parse a pipe string such as `jinja|yaml`.
pub fn parse_pipe(pipe: &str) -> Result<Vec<Stage>, String> {
    pipe.split('|')
        .map(|name| match name.trim().split_whitespace().next().unwrap_or("") {
            "jinja" => Ok(Stage::Jinja),
            "yaml" | "yamlex" => Ok(Stage::Yaml),
            "json" => Ok(Stage::Json),
            "text" | "txt" => Ok(Stage::Text),
            other => Err(format!(
                "The renderer \"{other}\" is not available in brine (supported: jinja, yaml, json, text)"
            )),
        })
        .collect()
}

/// The pipeline of a file: its `#!` line, else the default.
pub fn pipeline(text: &str, default: &str) -> Result<Vec<Stage>, String> {
    let first = text.lines().next().unwrap_or("");
    if first.starts_with("#!") && !first.starts_with("#!/") {
        return parse_pipe(first.trim()[2..].trim());
    }
    parse_pipe(default)
}

/// Salt's `get_context`: lines around `line` (1-based) with the marker on it.
pub fn error_context(template: &str, line: usize) -> String {
    let lines: Vec<&str> = template.lines().collect();
    if line == 0 || line > lines.len() {
        return format!("---\n{template}\n---");
    }
    let start = line.saturating_sub(6);
    let end = (line + 5).min(lines.len());
    let mut buf: Vec<String> = Vec::new();
    if start > 0 {
        buf.push("[...]".into());
    }
    for (i, l) in lines[start..end].iter().enumerate() {
        let mut s = l.to_string();
        if start + i + 1 == line {
            s.push_str("    <======================");
        }
        buf.push(s);
    }
    if end < lines.len() {
        buf.push("[...]".into());
    }
    format!("---\n{}\n---", buf.join("\n"))
}

/// Salt's template context items derived from the template path and SLS name.
pub fn sls_context(tplpath: &Path, rel: &str, sls: &str) -> Vec<(String, Value)> {
    let slspath = if sls.is_empty() {
        String::new()
    } else {
        rel.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default()
    };
    let tplfile = if sls.is_empty() { rel.rsplit('/').next().unwrap_or(rel).to_string() } else { rel.to_string() };
    let s = |x: &str| Value::str(x);
    vec![
        ("tplpath".into(), Value::Str(tplpath.to_string_lossy().into_owned())),
        ("tplfile".into(), s(&tplfile)),
        ("tpldir".into(), s(if slspath.is_empty() { "." } else { &slspath })),
        ("tpldot".into(), s(&slspath.replace('/', "."))),
        ("slspath".into(), s(&slspath)),
        ("slsdotpath".into(), s(&slspath.replace('/', "."))),
        ("slscolonpath".into(), s(&slspath.replace('/', ":"))),
        ("sls_path".into(), s(&slspath.replace('/', "_"))),
    ]
}

/// The renderer of one minion's SLS files: its data and its file client.
pub struct Renderer<'a> {
    pub opts: &'a Map,
    pub grains: &'a Map,
    pub pillar: &'a Map,
    pub files: &'a dyn FileClient,
    pub salt: &'a SaltFns,
    /// `grains`, `pillar` and `opts` as template values, made at the first
    /// render and shared by every later one: as in Salt, a template that
    /// updates one of them changes it for the templates after it.
    context: OnceCell<[jinja::Value; 3]>,
}

impl<'a> Renderer<'a> {
    pub fn new(opts: &'a Map, grains: &'a Map, pillar: &'a Map, files: &'a dyn FileClient, salt: &'a SaltFns) -> Self {
        Renderer { opts, grains, pillar, files, salt, context: OnceCell::new() }
    }

    /// The shared template values of `grains`, `pillar` and `opts`.
    fn context(&self) -> &[jinja::Value; 3] {
        self.context.get_or_init(|| [map_value(self.grains), map_value(self.pillar), map_value(self.opts)])
    }

    /// Render text through a pipeline; `file` names it in errors.
    pub fn render_text(&self, text: &str, file: &StateFile, saltenv: &str, sls: &str, extra: &Map) -> Result<Value, String> {
        let default = self.opts.get("renderer").and_then(Value::as_str).unwrap_or("jinja|yaml");
        let stages = pipeline(text, default)?;
        let mut current = strip_shebang(text).to_string();
        for (i, stage) in stages.iter().enumerate() {
            let last = i + 1 == stages.len();
            match stage {
                Stage::Jinja => current = self.jinja(&current, file, saltenv, sls, extra)?,
                Stage::Text if last => return Ok(Value::Str(current)),
                Stage::Text => {}
                Stage::Yaml => return load_yaml(&current, &file.rel),
                Stage::Json => return load_json(&current),
            }
        }
        Ok(Value::Str(current))
    }

    /// Render a Jinja template to text (also used by `file.managed template: jinja`).
    pub fn jinja(&self, text: &str, file: &StateFile, saltenv: &str, sls: &str, extra: &Map) -> Result<String, String> {
        let [grains, pillar, opts] = self.context().clone();
        let mut globals: Vec<(String, jinja::Value)> = vec![
            ("salt".into(), self.salt.value()),
            ("grains".into(), grains),
            ("pillar".into(), pillar),
            ("opts".into(), opts),
            ("saltenv".into(), jinja::Value::from_common(&Value::str(saltenv))),
            ("sls".into(), jinja::Value::from_common(&Value::str(sls))),
        ];
        for (k, v) in extra {
            globals.push((k.clone(), jinja::Value::from_common(v)));
        }
        for (k, v) in sls_context(&file.path, &file.rel, sls) {
            if !extra.contains_key(&k) {
                globals.push((k, jinja::Value::from_common(&v)));
            }
        }
        let files = self.files;
        let env_name = saltenv.to_string();
        let loader = move |name: &str| -> Result<Option<String>, String> {
            match files.find_file(name, &env_name) {
                Some(p) => std::fs::read_to_string(&p).map(Some).map_err(|e| format!("{}: {e}", p.display())),
                None => Ok(None),
            }
        };
        let env = jinja::Environment::new(loader);
        let mut out = env.render(&file.rel, text, globals.into_iter().collect()).map_err(|e| {
            // An error inside an imported or included template shows that
            // template's lines, as Salt does.
            let other = e.template().filter(|t| *t != file.rel).and_then(|t| files.find_file(t, saltenv));
            let other = other.and_then(|p| std::fs::read_to_string(p).ok());
            jinja_error(&e, text, &file.rel, other.as_deref())
        })?;
        if text.ends_with('\n') && !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// A template dict from a map, without first cloning the map.
fn map_value(m: &Map) -> jinja::Value {
    jinja::Value::dict(m.iter().map(|(k, v)| (jinja::Value::str(k), jinja::Value::from_common(v))).collect())
}

/// The text with a `#!` pipeline line blanked (kept as an empty line so that
/// line numbers in errors stay true): no renderer should see it as data.
fn strip_shebang(text: &str) -> &str {
    if text.starts_with("#!") && !text.starts_with("#!/") {
        return text.find('\n').map(|i| &text[i..]).unwrap_or("");
    }
    text
}

/// The error text: message, line, the template when it is not `rel`, and the
/// lines around the error from `source` or, for another template, `other`.
fn jinja_error(e: &jinja::Error, source: &str, rel: &str, other: Option<&str>) -> String {
    let prefix = match e.kind() {
        jinja::ErrorKind::Undefined => "Jinja variable",
        jinja::ErrorKind::Syntax | jinja::ErrorKind::Security => "Jinja syntax error:",
        _ => "Jinja error:",
    };
    let Some(line) = e.line() else { return format!("{prefix} {}", e.message()) };
    let where_ = match e.template() {
        Some(t) if t != rel => format!(" in {t}"),
        _ => String::new(),
    };
    let context = match (where_.is_empty(), other) {
        (true, _) => error_context(source, line),
        (false, Some(text)) => error_context(text, line),
        (false, None) => String::new(),
    };
    format!("{prefix} {}; line {line}{where_}\n\n{context}", e.message())
}

/// The `yaml` renderer: Salt's loader; an empty document is `{}`. Errors name
/// the file (`rel`) where PyYAML would say `<unicode string>`, and show the
/// lines around the error.
pub fn load_yaml(text: &str, rel: &str) -> Result<Value, String> {
    match yaml::load(text) {
        Ok(Value::Null) => Ok(Value::Map(Map::default())),
        Ok(v) => Ok(v),
        Err(e) => {
            let msg = e.message.replace("\"<unicode string>\"", &format!("\"{rel}\""));
            if e.line == 0 {
                return Err(msg);
            }
            Err(format!("{msg}; line {}\n\n{}", e.line, error_context(text, e.line)))
        }
    }
}

/// The `json` renderer: key order kept.
pub fn load_json(text: &str) -> Result<Value, String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|j| Value::from_json(&j))
        .map_err(|e| format!("{e}"))
}

impl SlsRenderer for Renderer<'_> {
    fn render(&self, file: &StateFile, saltenv: &str, sls: &str) -> Result<Value, String> {
        match self.render_partial(file, saltenv, sls) {
            Partial::Done(rendered) => rendered,
            Partial::Yaml(text) => load_yaml(&text, &file.rel),
        }
    }

    /// `jinja|yaml` and `yaml` files stop before the YAML stage.
    fn render_partial(&self, file: &StateFile, saltenv: &str, sls: &str) -> Partial {
        let text = match std::fs::read_to_string(&file.path) {
            Ok(text) if !text.trim().is_empty() => text,
            Ok(_) => return Partial::Done(Ok(Value::Map(Map::default()))),
            Err(e) => return Partial::Done(Err(format!("{}: {e}", file.path.display()))),
        };
        let default = self.opts.get("renderer").and_then(Value::as_str).unwrap_or("jinja|yaml");
        match pipeline(&text, default).as_deref() {
            Ok([Stage::Jinja, Stage::Yaml]) => match self.jinja(strip_shebang(&text), file, saltenv, sls, &Map::default()) {
                Ok(rendered) => Partial::Yaml(rendered),
                Err(e) => Partial::Done(Err(e)),
            },
            Ok([Stage::Yaml]) => Partial::Yaml(strip_shebang(&text).to_string()),
            _ => Partial::Done(self.render_text(&text, file, saltenv, sls, &Map::default())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_picks_pipeline() {
        assert_eq!(pipeline("#!yaml\na: 1", "jinja|yaml").unwrap(), vec![Stage::Yaml]);
        assert_eq!(pipeline("#!jinja|json\n{}", "jinja|yaml").unwrap(), vec![Stage::Jinja, Stage::Json]);
        assert_eq!(pipeline("#!/bin/sh\n", "jinja|yaml").unwrap(), vec![Stage::Jinja, Stage::Yaml]);
        assert!(pipeline("#!py\n", "jinja|yaml").unwrap_err().contains("\"py\""));
    }

    #[test]
    fn context_marks_the_line() {
        let ctx = error_context("a\nb\nc", 2);
        assert_eq!(ctx, "---\na\nb    <======================\nc\n---");
    }

    #[test]
    fn sls_context_of_init_and_nested() {
        let ctx: Map = sls_context(Path::new("/r/app/init.sls"), "app/init.sls", "app").into_iter().collect();
        assert_eq!(ctx["tpldir"], Value::str("app"));
        assert_eq!(ctx["tplfile"], Value::str("app/init.sls"));
        let ctx: Map = sls_context(Path::new("/r/top.sls"), "top.sls", "").into_iter().collect();
        assert_eq!(ctx["tpldir"], Value::str("."));
        assert_eq!(ctx["slspath"], Value::str(""));
    }
}
