//! `salt-key`: list, accept, reject, delete, print and fingerprint minion
//! keys, with Salt's prompts, messages and `key` outputter.
//!
//! It must not touch anything but the PKI directories (and the master's
//! cache of minions whose keys are removed).

use std::io::{BufRead, Write};

use brine_common::{output, Map, Value};
use brine_common::daemon::keys;

use crate::pki::{KeySets, Pki, PkiError, ACC, DEN, PEND, REJ};

/// One `salt-key` command with its glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    List(String),
    ListAll,
    Print(String),
    Accept(String),
    Reject(String),
    Delete(String),
    Finger(String),
}

/// Flags that shape a command.
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    pub yes: bool,
    pub include_accepted: bool,
    pub include_rejected: bool,
    pub include_denied: bool,
    pub out: Option<String>,
}

/// Terminal I/O of one run.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub input: &'a mut dyn BufRead,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("'{0}' is not a valid argument to '--list'")]
    BadList(String),
}

/// Is `-l ARG` one of Salt's accepted values?
pub fn valid_list_arg(arg: &str) -> bool {
    ["acc", "pre", "un", "rej", "den", "all"].iter().any(|p| arg.starts_with(p))
}

/// Run one command.
pub fn run(pki: &Pki, action: &Action, opts: &KeyOptions, io: &mut Io) -> Result<(), KeyError> {
    match action {
        Action::ListAll => show(io, &sets_value(&pki.list_keys()), opts),
        Action::List(which) => show(io, &sets_value(&list_status(pki, which)?), opts),
        Action::Print(glob) => show(io, &with_files(pki, &pki.name_match(glob, false), read_key), opts),
        Action::Finger(glob) => show(io, &with_files(pki, &pki.name_match(glob, true), finger), opts),
        Action::Accept(glob) => change(pki, Change::Accept, glob, opts, io),
        Action::Reject(glob) => change(pki, Change::Reject, glob, opts, io),
        Action::Delete(glob) => change(pki, Change::Delete, glob, opts, io),
    }
}

fn list_status(pki: &Pki, which: &str) -> Result<KeySets, KeyError> {
    let status = match which {
        w if w.starts_with("acc") => ACC,
        w if w.starts_with("pre") || w.starts_with("un") => PEND,
        w if w.starts_with("rej") => REJ,
        w if w.starts_with("den") => DEN,
        w if w.starts_with("all") => return Ok(pki.list_keys()),
        other => return Err(KeyError::BadList(other.to_string())),
    };
    Ok(vec![(status.to_string(), pki.list(status))])
}

fn read_key(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn finger(path: &std::path::Path) -> String {
    std::fs::read(path).map(|b| keys::pem_finger(&b)).unwrap_or_default()
}

fn with_files(pki: &Pki, sets: &KeySets, f: fn(&std::path::Path) -> String) -> Value {
    let map: Map = sets
        .iter()
        .map(|(status, ids)| {
            let inner: Map = ids.iter().map(|id| (id.clone(), Value::Str(f(&pki.file_of(status, id))))).collect();
            (status.clone(), Value::Map(inner))
        })
        .collect();
    Value::Map(map)
}

fn sets_value(sets: &KeySets) -> Value {
    Value::Map(sets.iter().map(|(s, ids)| (s.clone(), Value::List(ids.iter().cloned().map(Value::Str).collect()))).collect())
}

fn show(io: &mut Io, data: &Value, opts: &KeyOptions) -> Result<(), KeyError> {
    writeln!(io.out, "{}", display(data, opts.out.as_deref()))?;
    Ok(())
}

/// Print with the chosen outputter (`key` unless `--out` says otherwise).
pub fn display(data: &Value, out: Option<&str>) -> String {
    let text = match out {
        Some("json") => output::json(data),
        Some("yaml") => output::yaml(data),
        Some("nested") => output::nested(data),
        Some("txt") | Some("text") => output::txt(data),
        _ => key_output(data),
    };
    text.trim_end().to_string()
}

fn status_title(status: &str) -> &'static str {
    match status {
        PEND => "Unaccepted Keys:",
        ACC => "Accepted Keys:",
        DEN => "Denied Keys:",
        REJ => "Rejected Keys:",
        _ => "Local Keys:",
    }
}

/// Salt's `key` outputter: statuses and ids sorted, `id:  value` for mappings.
pub fn key_output(data: &Value) -> String {
    let Value::Map(m) = data else { return output::nested(data) };
    let mut statuses: Vec<&String> = m.keys().collect();
    statuses.sort();
    let mut out = String::new();
    for status in statuses {
        out.push_str(status_title(status));
        out.push('\n');
        match &m[status.as_str()] {
            Value::List(ids) => {
                let mut ids: Vec<String> = ids.iter().map(Value::py_str).collect();
                ids.sort();
                ids.iter().for_each(|id| out.push_str(&format!("{id}\n")));
            }
            Value::Map(entries) => {
                let mut ids: Vec<&String> = entries.keys().collect();
                ids.sort();
                ids.iter().for_each(|id| out.push_str(&format!("{id}:  {}\n", entries[id.as_str()].py_str())));
            }
            _ => {}
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Accept,
    Reject,
    Delete,
}

impl Change {
    fn verb(self) -> &'static str {
        match self {
            Change::Accept => "accept",
            Change::Reject => "reject",
            Change::Delete => "delete",
        }
    }
}

/// Salt's `_filter_ret`: the statuses a change may take keys from.
fn filter(sets: KeySets, change: Change, opts: &KeyOptions) -> KeySets {
    if change == Change::Delete {
        return sets;
    }
    let (acc, rej) = match change {
        Change::Accept => (false, opts.include_rejected),
        _ => (opts.include_accepted, false),
    };
    let wanted = [(PEND, true), (ACC, acc), (REJ, rej), (DEN, opts.include_denied)];
    wanted
        .iter()
        .filter(|(_, on)| *on)
        .filter_map(|(status, _)| sets.iter().find(|(s, _)| s == status).cloned())
        .collect()
}

fn no_match(glob: &str, change: Change, opts: &KeyOptions) -> String {
    let mut statuses = vec!["unaccepted"];
    let include_accepted = change == Change::Reject && opts.include_accepted;
    let include_rejected = change == Change::Accept && opts.include_rejected;
    for (on, name) in [(include_accepted, "accepted"), (include_rejected, "rejected"), (opts.include_denied, "denied")] {
        if on {
            statuses.push(name);
        }
    }
    let stat = match statuses.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => "unaccepted".to_string(),
    };
    format!("The key glob '{glob}' does not match any {stat} keys.")
}

fn change(pki: &Pki, change: Change, glob: &str, opts: &KeyOptions, io: &mut Io) -> Result<(), KeyError> {
    let sets = filter(pki.name_match(glob, false), change, opts);
    if sets.is_empty() {
        writeln!(io.out, "{}", no_match(glob, change, opts))?;
        return Ok(());
    }
    writeln!(io.out, "The following keys are going to be {}ed:", change.verb().trim_end_matches('e'))?;
    show(io, &sets_value(&sets), opts)?;
    if !opts.yes && !confirm(change, io)? {
        return Ok(());
    }
    for (status, ids) in &sets {
        for id in ids {
            if apply(pki, change, status, id, io)? {
                writeln!(io.out, "Key for minion {id} {}ed.", change.verb().trim_end_matches('e'))?;
            }
        }
    }
    Ok(())
}

/// `Proceed? [n/Y]` (accept, reject) or `Proceed? [N/y]` (delete).
fn confirm(change: Change, io: &mut Io) -> Result<bool, KeyError> {
    let (prompt, default_yes) = if change == Change::Delete { ("Proceed? [N/y] ", false) } else { ("Proceed? [n/Y] ", true) };
    write!(io.out, "{prompt}")?;
    io.out.flush()?;
    let mut answer = String::new();
    io.input.read_line(&mut answer)?;
    let answer = answer.trim();
    Ok(if answer.is_empty() { default_yes } else { answer.to_lowercase().starts_with('y') })
}

/// Apply a change to one key; `false` when it could not be (already moved, invalid key).
fn apply(pki: &Pki, change: Change, status: &str, id: &str, io: &mut Io) -> Result<bool, KeyError> {
    let done = match change {
        Change::Accept => {
            if pki.stored_key(status, id).is_none() {
                eprintln!("Unable to accept invalid key for {id}.");
                return Ok(false);
            }
            pki.move_key(id, status, ACC)
        }
        Change::Reject => pki.move_key(id, status, REJ),
        Change::Delete => pki.delete(id, status),
    };
    if let Err(e) = done {
        writeln!(io.out, "{e}")?;
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_text(pki: &Pki, action: Action, opts: &KeyOptions, input: &str) -> String {
        let mut out = Vec::new();
        let mut input = input.as_bytes();
        run(pki, &action, opts, &mut Io { out: &mut out, input: &mut input }).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn setup(name: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!("brine-keycli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let pki = Pki::new(&dir);
        pki.ensure_dirs().unwrap();
        for (i, id) in ["node2", "Alpha", "node1"].iter().enumerate() {
            let key = ed25519_dalek::SigningKey::from_bytes(&[i as u8 + 1; 32]).verifying_key();
            std::fs::write(dir.join(PEND).join(id), keys::public_pem(&key)).unwrap();
        }
        pki
    }

    #[test]
    fn list_all_prints_every_status_in_salt_order() {
        let pki = setup("list");
        let text = run_text(&pki, Action::ListAll, &KeyOptions::default(), "");
        assert_eq!(text, "Accepted Keys:\nDenied Keys:\nUnaccepted Keys:\nAlpha\nnode1\nnode2\nRejected Keys:\n");
        std::fs::remove_dir_all(pki.dir()).unwrap();
    }

    #[test]
    fn accept_prompts_and_reports_each_key() {
        let pki = setup("accept");
        let text = run_text(&pki, Action::Accept("node*".into()), &KeyOptions::default(), "\n");
        assert_eq!(
            text,
            "The following keys are going to be accepted:\nUnaccepted Keys:\nnode1\nnode2\nProceed? [n/Y] Key for minion node1 accepted.\nKey for minion node2 accepted.\n"
        );
        let none = run_text(&pki, Action::Accept("zz*".into()), &KeyOptions::default(), "");
        assert_eq!(none, "The key glob 'zz*' does not match any unaccepted keys.\n");
        let declined = run_text(&pki, Action::Delete("node1".into()), &KeyOptions::default(), "\n");
        assert!(declined.ends_with("Proceed? [N/y] "), "{declined}");
        assert_eq!(pki.list(ACC), vec!["node1", "node2"]);
        std::fs::remove_dir_all(pki.dir()).unwrap();
    }

    #[test]
    fn no_match_lists_included_statuses() {
        let opts = KeyOptions { include_rejected: true, include_denied: true, ..KeyOptions::default() };
        assert_eq!(
            no_match("x", Change::Accept, &opts),
            "The key glob 'x' does not match any unaccepted, rejected or denied keys."
        );
    }
}
