//! The `drbd` execution module: Salt 3007's `drbd.status` (the sections of
//! `drbdadm status NAME` as a list of resources with their local volumes and
//! peer nodes) and `drbd.overview` (one line of the old `drbd-overview`
//! tool). Like Salt, both read the command's stdout and stderr together.
//!
//! Where Salt's parser crashes (a volume line before any resource, a field
//! without `:`, no `drbd-overview` output) this one returns an error or an
//! empty dict; an unknown line gives Salt's `{"Unknown parser": line}`.
//! It must not change DRBD's state: it only reads.

use brine_common::{Map, Value};

use crate::args::{opt, ArgDefault, Signature};
use crate::cmd::{self, RunArgs};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// One peer node of a resource.
#[derive(Debug, Clone, PartialEq)]
struct Peer {
    name: String,
    /// `role` or `connection`, and its value.
    state: (String, String),
    volumes: Vec<Map>,
}

/// One resource of `drbdadm status`.
#[derive(Debug, Clone, PartialEq)]
struct Resource {
    name: String,
    role: String,
    local_volumes: Vec<Map>,
    peers: Vec<Peer>,
}

impl Resource {
    fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("resource name".into(), Value::str(&self.name));
        m.insert("local role".into(), Value::str(&self.role));
        m.insert("local volumes".into(), Value::List(self.local_volumes.iter().cloned().map(Value::Map).collect()));
        let peers = self.peers.iter().map(|p| {
            let mut pm = Map::default();
            pm.insert("peernode name".into(), Value::str(&p.name));
            pm.insert(p.state.0.clone(), Value::str(&p.state.1));
            pm.insert("peer volumes".into(), Value::List(p.volumes.iter().cloned().map(Value::Map).collect()));
            Value::Map(pm)
        });
        m.insert("peer nodes".into(), Value::List(peers.collect()));
        Value::Map(m)
    }
}

/// Salt's `_analyse_status_type`: what kind of line this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Empty,
    Resource,
    PeerNode,
    LocalDisk,
    PeerDisk,
    Unknown,
}

fn section(line: &str) -> Section {
    if line.split('#').next().unwrap_or_default().trim().is_empty() {
        return Section::Empty;
    }
    let spaces = line.chars().take_while(|c| c.is_whitespace()).count();
    match spaces {
        0 => Section::Resource,
        2 if line.contains(" disk:") => Section::LocalDisk,
        2 if line.contains(" role:") || line.contains(" connection:") => Section::PeerNode,
        4 if line.contains(" peer-disk:") => Section::PeerDisk,
        _ => Section::Unknown,
    }
}

fn bad(line: &str) -> ModuleError {
    ModuleError::Execution(format!("Unexpected drbdadm status line: {}", line.trim()))
}

/// `key:value` split at the first colon.
fn pair<'l>(field: &'l str, line: &str) -> Result<(&'l str, &'l str), ModuleError> {
    let mut parts = field.split(':');
    match (parts.next(), parts.next()) {
        (Some(k), Some(v)) => Ok((k, v)),
        _ => Err(bad(line)),
    }
}

fn volume(line: &str) -> Result<Map, ModuleError> {
    line.split_whitespace().map(|f| pair(f, line).map(|(k, v)| (k.to_string(), Value::str(v)))).collect()
}

/// The value of Salt's `drbd.status`: a list of resources, or Salt's
/// `{"Unknown parser": line}` for a line it does not know.
pub fn parse_status(text: &str) -> Result<Value, ModuleError> {
    let mut done: Vec<Resource> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match section(line) {
            Section::Empty => {}
            Section::Unknown => {
                let mut m = Map::default();
                m.insert("Unknown parser".into(), Value::str(line));
                return Ok(Value::Map(m));
            }
            Section::Resource => {
                let role =
                    fields.get(1).map(|f| pair(f, line)).transpose()?.map(|(_, v)| v).ok_or_else(|| bad(line))?;
                done.push(Resource {
                    name: fields[0].to_string(),
                    role: role.to_string(),
                    local_volumes: Vec::new(),
                    peers: Vec::new(),
                });
            }
            Section::LocalDisk => done.last_mut().ok_or_else(|| bad(line))?.local_volumes.push(volume(line)?),
            Section::PeerNode => {
                let (k, v) = fields.get(1).map(|f| pair(f, line)).transpose()?.ok_or_else(|| bad(line))?;
                let peer = Peer { name: fields[0].to_string(), state: (k.into(), v.into()), volumes: Vec::new() };
                done.last_mut().ok_or_else(|| bad(line))?.peers.push(peer);
            }
            Section::PeerDisk => {
                let peer = done.last_mut().and_then(|r| r.peers.last_mut()).ok_or_else(|| bad(line))?;
                peer.volumes.push(volume(line)?);
            }
        }
    }
    Ok(Value::List(done.iter().map(Resource::to_value).collect()))
}

/// Salt's `_analyse_overview_field`: `Connected(2*)`, `Primar/Second`.
fn overview_field(content: &str) -> (String, String) {
    if let Some((head, _)) = content.split_once('(') {
        return (head.to_string(), head.to_string());
    }
    match content.split('/').collect::<Vec<_>>().as_slice() {
        [a, b, ..] => (a.to_string(), b.to_string()),
        _ => (content.to_string(), String::new()),
    }
}

/// One line of `drbd-overview` as Salt's dict.
fn overview_line(line: &str) -> Result<Map, ModuleError> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let unexpected = || ModuleError::Execution(format!("Unexpected drbd-overview line: {}", line.trim()));
    let field = |i: usize| f.get(i).copied().ok_or_else(unexpected);
    let (minor, device) = field(0)?.split_once(':').ok_or_else(unexpected)?;
    let (connstate, _) = overview_field(field(1)?);
    let (local_role, partner_role) = overview_field(field(2)?);
    let (local_disk, partner_disk) = overview_field(field(3)?);
    if !local_disk.starts_with("UpTo") {
        return Ok(Map::default());
    }
    let synced = partner_disk.starts_with("UpTo");
    let mut ret: Map = [
        ("minor number", minor.to_string()),
        ("device", device.to_string()),
        ("connection state", connstate),
        ("local role", local_role),
        ("partner role", partner_role),
        ("local disk state", local_disk),
        ("partner disk state", partner_disk),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Str(v)))
    .collect();
    if !synced {
        ret.insert("synchronisation: ".into(), Value::str(field(4)?));
        ret.insert("synched".into(), Value::Str(format!("{}{}", field(6)?, field(7)?)));
    } else if f.len() >= 5 {
        let names = ["mountpoint", "fs", "total size", "used", "remains", "percent"];
        for (i, name) in names.iter().enumerate() {
            ret.insert((*name).into(), Value::str(field(4 + i)?));
        }
    }
    Ok(ret)
}

/// Salt's `drbd.overview`: the dict of the last line (Salt keeps only that).
pub fn parse_overview(text: &str) -> Result<Map, ModuleError> {
    let mut ret = Map::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        ret = overview_line(line)?;
    }
    Ok(ret)
}

/// `cmd.run`: stdout and stderr together, stripped.
fn run_merged(ctx: &Ctx, argv: Vec<String>) -> Result<String, ModuleError> {
    let mut args = RunArgs::argv(argv, ctx);
    args.merge_stderr = true;
    Ok(cmd::run_all(&args, ctx)?.stdout)
}

/// Runs `drbdadm status NAME` and parses it.
pub fn status(ctx: &Ctx, name: &str) -> Result<Value, ModuleError> {
    parse_status(&run_merged(ctx, vec!["drbdadm".into(), "status".into(), name.into()])?)
}

/// Runs `drbd-overview` and parses it.
pub fn overview(ctx: &Ctx) -> Result<Map, ModuleError> {
    parse_overview(&run_merged(ctx, vec!["drbd-overview".into()])?)
}

pub const MODULE: Module = Module {
    name: "drbd",
    functions: &[
        Function { name: "overview", sig: Signature { params: &[], varargs: None, kwargs: false }, run: overview_fn },
        Function {
            name: "status",
            sig: Signature { params: &[opt("name", ArgDefault::Str("all"))], varargs: None, kwargs: false },
            run: status_fn,
        },
    ],
};

fn overview_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    Ok(Value::Map(overview(ctx)?))
}

fn status_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    status(ctx, &b.get("name").py_str())
}

#[cfg(test)]
mod tests;
