//! The `lvm` execution module (Salt's `linux_lvm`): `version`, the
//! colon-separated `pvdisplay -c`/`vgdisplay -c`/`lvdisplay -c` reports as
//! Salt's dicts, and `pvcreate`, `vgcreate`, `vgextend`, `lvcreate`,
//! `lvresize`, `pvremove`, `vgremove`, `lvremove` with Salt's command lines
//! and return values (a dict, `True`, or an error string: Salt returns
//! errors rather than raising them).
//!
//! It must not decide whether a volume should exist (the `lvm` state does)
//! and runs nothing but LVM's own tools.

use std::path::Path;

use brine_common::{Map, Value};

use crate::args::{opt, req, ArgDefault, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// `pvdisplay -c` columns, as Salt names them.
const PV_FIELDS: &[&str] = &[
    "Physical Volume Device",
    "Volume Group Name",
    "Physical Volume Size (kB)",
    "Internal Physical Volume Number",
    "Physical Volume Status",
    "Physical Volume (not) Allocatable",
    "Current Logical Volumes Here",
    "Physical Extent Size (kB)",
    "Total Physical Extents",
    "Free Physical Extents",
    "Allocated Physical Extents",
];

/// `vgdisplay -c` columns.
const VG_FIELDS: &[&str] = &[
    "Volume Group Name",
    "Volume Group Access",
    "Volume Group Status",
    "Internal Volume Group Number",
    "Maximum Logical Volumes",
    "Current Logical Volumes",
    "Open Logical Volumes",
    "Maximum Logical Volume Size",
    "Maximum Physical Volumes",
    "Current Physical Volumes",
    "Actual Physical Volumes",
    "Volume Group Size (kB)",
    "Physical Extent Size (kB)",
    "Total Physical Extents",
    "Allocated Physical Extents",
    "Free Physical Extents",
    "UUID",
];

/// `lvdisplay -c` columns.
const LV_FIELDS: &[&str] = &[
    "Logical Volume Name",
    "Volume Group Name",
    "Logical Volume Access",
    "Logical Volume Status",
    "Internal Logical Volume Number",
    "Open Logical Volumes",
    "Logical Volume Size",
    "Current Logical Extents Associated",
    "Allocated Logical Extents",
    "Allocation Policy",
    "Read Ahead Sectors",
    "Major Device Number",
    "Minor Device Number",
];

fn run(ctx: &Ctx, argv: Vec<String>, quiet: bool) -> Result<RunResult, ModuleError> {
    let mut args = RunArgs::argv(argv, ctx);
    args.ignore_retcode = quiet;
    cmd::run_all(&args, ctx)
}

/// The rows of a `-c` report (`None` when the tool failed), each cut into
/// the named columns; a row with too few columns is an error, as in Salt.
fn report(ctx: &Ctx, tool: &str, name: &str, quiet: bool, fields: &[&str]) -> Result<Option<Vec<Map>>, ModuleError> {
    let mut argv = vec![tool.to_string(), "-c".to_string()];
    if !name.is_empty() {
        argv.push(name.to_string());
    }
    let out = run(ctx, argv, quiet)?;
    if out.retcode != 0 {
        return Ok(None);
    }
    let rows = out.stdout.lines().filter(|l| !l.trim().is_empty() && !l.contains("is a new physical volume"));
    rows.map(|line| columns(tool, line, fields)).collect::<Result<Vec<_>, _>>().map(Some)
}

fn columns(tool: &str, line: &str, fields: &[&str]) -> Result<Map, ModuleError> {
    let comps: Vec<&str> = line.trim().split(':').collect();
    if comps.len() < fields.len() {
        return Err(ModuleError::Execution(format!("Unexpected {tool} output: {}", line.trim())));
    }
    Ok(fields.iter().zip(comps).map(|(f, c)| (f.to_string(), Value::str(c))).collect())
}

fn keyed(rows: Vec<Map>, key: &str) -> Map {
    rows.into_iter().map(|row| (row.get(key).map(Value::py_str).unwrap_or_default(), Value::Map(row))).collect()
}

/// Python's `os.path.realpath` (the path itself when it cannot be resolved).
fn realpath(path: &str) -> String {
    std::fs::canonicalize(path).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| path.to_string())
}

/// Salt's `lvm.pvdisplay`: `{device: {...}}`, empty when pvdisplay fails.
pub fn pvdisplay(ctx: &Ctx, pvname: &str, real: bool, quiet: bool) -> Result<Map, ModuleError> {
    let Some(rows) = report(ctx, "pvdisplay", pvname, quiet, PV_FIELDS)? else { return Ok(Map::default()) };
    let mut ret = Map::default();
    for mut row in rows {
        let device = row.get(PV_FIELDS[0]).map(Value::py_str).unwrap_or_default();
        let key = if real { realpath(&device) } else { device };
        if real {
            row.insert("Real Physical Volume Device".into(), Value::str(&key));
        }
        ret.insert(key, Value::Map(row));
    }
    Ok(ret)
}

/// Salt's `lvm.vgdisplay`: `{vgname: {...}}`.
pub fn vgdisplay(ctx: &Ctx, vgname: &str, quiet: bool) -> Result<Map, ModuleError> {
    Ok(report(ctx, "vgdisplay", vgname, quiet, VG_FIELDS)?.map(|r| keyed(r, VG_FIELDS[0])).unwrap_or_default())
}

/// Salt's `lvm.lvdisplay`: `{lvpath: {...}}`.
pub fn lvdisplay(ctx: &Ctx, lvname: &str, quiet: bool) -> Result<Map, ModuleError> {
    Ok(report(ctx, "lvdisplay", lvname, quiet, LV_FIELDS)?.map(|r| keyed(r, LV_FIELDS[0])).unwrap_or_default())
}

/// Salt's `lvm.version`: the text after `: ` on the first line of `lvm version`.
pub fn version(ctx: &Ctx) -> Result<String, ModuleError> {
    let out = run(ctx, vec!["lvm".into(), "version".into()], false)?;
    let first = out.stdout.lines().next().unwrap_or_default();
    first
        .split_once(": ")
        .map(|(_, v)| v.split(": ").next().unwrap_or_default().trim().to_string())
        .ok_or_else(|| ModuleError::Execution(format!("Unexpected lvm version output: {first}")))
}

/// A device list: a comma-separated string or a list.
pub fn device_list(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        Value::Null => Vec::new(),
        other => other.py_str().split(',').map(str::to_string).collect(),
    }
}

/// `--yes` when forced, else `-qq`.
fn force_flag(force: bool) -> String {
    (if force { "--yes" } else { "-qq" }).to_string()
}

const PVCREATE_OPTIONS: &[&str] = &[
    "metadatasize",
    "dataalignment",
    "dataalignmentoffset",
    "pvmetadatacopies",
    "metadatacopies",
    "metadataignore",
    "restorefile",
    "norestorefile",
    "labelsector",
    "setphysicalvolumesize",
];

/// Salt's `lvm.pvcreate`: True, or a string saying what went wrong.
pub fn pvcreate(
    ctx: &Ctx,
    devices: &[String],
    override_: bool,
    force: bool,
    kwargs: &Map,
) -> Result<Value, ModuleError> {
    if devices.is_empty() {
        return Ok(Value::str("Error: at least one device is required"));
    }
    let mut argv = vec!["pvcreate".to_string(), force_flag(force)];
    for device in devices {
        if !Path::new(device).exists() {
            return Ok(Value::Str(format!("{device} does not exist")));
        }
        if pvdisplay(ctx, device, false, true)?.is_empty() {
            argv.push(device.clone());
        } else if !override_ {
            return Ok(Value::Str(format!("Device \"{device}\" is already an LVM physical volume.")));
        }
    }
    if argv.len() == 2 {
        return Ok(Value::Bool(true));
    }
    for (key, value) in kwargs.iter().filter(|(_, v)| v.truthy()) {
        if PVCREATE_OPTIONS.contains(&key.as_str()) {
            argv.extend([format!("--{key}"), value.py_str()]);
        } else if "norestorefile".contains(key.as_str()) {
            argv.push(format!("--{key}"));
        }
    }
    let out = run(ctx, argv, false)?;
    if out.retcode != 0 {
        return Ok(Value::Str(out.stderr));
    }
    for device in devices {
        if pvdisplay(ctx, device, false, false)?.is_empty() {
            return Ok(Value::Str(format!("Device \"{device}\" was not affected.")));
        }
    }
    Ok(Value::Bool(true))
}

const VGCREATE_OPTIONS: &[&str] = &[
    "addtag",
    "alloc",
    "autobackup",
    "clustered",
    "maxlogicalvolumes",
    "maxphysicalvolumes",
    "metadatatype",
    "vgmetadatacopies",
    "metadatacopies",
    "physicalextentsize",
    "zero",
];

/// The tool's stderr on failure, else Salt's success sentence.
fn outcome(out: &RunResult, success: String) -> Value {
    if out.retcode != 0 {
        Value::str(out.stderr.trim())
    } else {
        Value::Str(success)
    }
}

/// Salt's `lvm.vgcreate`: the new group's `vgdisplay` plus "Output from vgcreate".
pub fn vgcreate(ctx: &Ctx, vgname: &str, devices: &[String], force: bool, kwargs: &Map) -> Result<Value, ModuleError> {
    if vgname.is_empty() || devices.is_empty() {
        return Ok(Value::str("Error: vgname and device(s) are both required"));
    }
    let mut argv = vec!["vgcreate".to_string(), vgname.to_string()];
    argv.extend(devices.iter().cloned());
    argv.push(force_flag(force));
    for (key, value) in kwargs.iter().filter(|(k, v)| v.truthy() && VGCREATE_OPTIONS.contains(&k.as_str())) {
        argv.extend([format!("--{key}"), value.py_str()]);
    }
    let out = run(ctx, argv, false)?;
    let mut vgdata = vgdisplay(ctx, vgname, false)?;
    vgdata.insert(
        "Output from vgcreate".into(),
        outcome(&out, format!("Volume group \"{vgname}\" successfully created")),
    );
    Ok(Value::Map(vgdata))
}

/// Salt's `lvm.vgextend`: `{"Output from vgextend": ...}`.
pub fn vgextend(ctx: &Ctx, vgname: &str, devices: &[String], force: bool) -> Result<Value, ModuleError> {
    if vgname.is_empty() || devices.is_empty() {
        return Ok(Value::str("Error: vgname and device(s) are both required"));
    }
    let mut argv = vec!["vgextend".to_string(), vgname.to_string(), force_flag(force)];
    argv.extend(devices.iter().cloned());
    let out = run(ctx, argv, false)?;
    let mut ret = Map::default();
    ret.insert(
        "Output from vgextend".into(),
        outcome(&out, format!("Volume group \"{vgname}\" successfully extended")),
    );
    Ok(Value::Map(ret))
}

/// Typed arguments of `lvm.lvcreate`.
#[derive(Debug, Clone, Default)]
pub struct LvCreate {
    pub lvname: String,
    pub vgname: String,
    pub size: Option<String>,
    pub extents: Option<String>,
    pub snapshot: Option<String>,
    pub pv: Option<String>,
    pub thinvolume: bool,
    pub thinpool: bool,
    pub force: bool,
    /// Extra keyword arguments (`type`, `stripes`, `nosync`, ...).
    pub kwargs: Map,
}

const LVCREATE_OPTIONS: &[&str] = &[
    "activate",
    "chunksize",
    "contiguous",
    "discards",
    "stripes",
    "stripesize",
    "minor",
    "persistent",
    "mirrors",
    "nosync",
    "noudevsync",
    "monitor",
    "ignoremonitoring",
    "permission",
    "poolmetadatasize",
    "readahead",
    "regionsize",
    "type",
    "virtualsize",
    "zero",
];

const LVCREATE_FLAGS: &[&str] = &["nosync", "noudevsync", "ignoremonitoring", "thin"];

/// Salt's `lvcreate` command line, or its error sentence.
pub fn lvcreate_argv(a: &LvCreate) -> Result<Vec<String>, String> {
    if a.size.is_some() && a.extents.is_some() {
        return Err("Error: Please specify only one of size or extents".into());
    }
    if a.thinvolume && a.thinpool {
        return Err("Error: Please set only one of thinvolume or thinpool to True".into());
    }
    let mut argv = vec![cmd::which("lvcreate").unwrap_or_else(|| "lvcreate".into())];
    match (a.thinvolume, a.thinpool) {
        (true, _) => argv.extend(["--thin".into(), "-n".into(), a.lvname.clone()]),
        (_, true) => argv.extend(["--thinpool".into(), a.lvname.clone()]),
        _ => argv.extend(["-n".into(), a.lvname.clone()]),
    }
    match &a.snapshot {
        Some(snap) => argv.extend(["-s".into(), format!("{}/{snap}", a.vgname)]),
        None => argv.push(a.vgname.clone()),
    }
    match (&a.size, &a.extents) {
        (Some(size), _) if a.thinvolume => argv.extend(["-V".into(), size.clone()]),
        (_, Some(_)) if a.thinvolume => return Err("Error: Thin volume size cannot be specified as extents".into()),
        (Some(size), _) => argv.extend(["-L".into(), size.clone()]),
        (_, Some(extents)) => argv.extend(["-l".into(), extents.clone()]),
        (None, None) => return Err("Error: Either size or extents must be specified".into()),
    }
    argv.extend(a.pv.clone());
    for (key, value) in &a.kwargs {
        if LVCREATE_FLAGS.contains(&key.as_str()) {
            argv.push(format!("--{key}"));
        } else if LVCREATE_OPTIONS.contains(&key.as_str()) {
            argv.extend([format!("--{key}"), value.py_str()]);
        }
    }
    argv.push(force_flag(a.force));
    Ok(argv)
}

/// Salt's `lvm.lvcreate`: the new volume's `lvdisplay` plus "Output from lvcreate".
pub fn lvcreate(ctx: &Ctx, a: &LvCreate) -> Result<Value, ModuleError> {
    let argv = match lvcreate_argv(a) {
        Ok(argv) => argv,
        Err(msg) => return Ok(Value::Str(msg)),
    };
    let out = run(ctx, argv, false)?;
    let mut lvdata = lvdisplay(ctx, &format!("/dev/{}/{}", a.vgname, a.lvname), false)?;
    lvdata.insert("Output from lvcreate".into(), outcome(&out, format!("Logical volume \"{}\" created.", a.lvname)));
    Ok(Value::Map(lvdata))
}

/// Salt's `lvm.lvresize` by size or extents: `{"Output from lvresize": ...}`,
/// `{}` when neither or both are given.
pub fn lvresize(
    ctx: &Ctx,
    lvpath: &str,
    size: Option<&str>,
    extents: Option<&str>,
    force: bool,
    resizefs: bool,
) -> Result<Map, ModuleError> {
    let mut argv = vec!["lvresize".to_string(), (if force { "--force" } else { "-qq" }).to_string()];
    if resizefs {
        argv.push("--resizefs".into());
    }
    match (size, extents) {
        (Some(s), None) => argv.extend(["-L".into(), s.to_string()]),
        (None, Some(e)) => argv.extend(["-l".into(), e.to_string()]),
        _ => return Ok(Map::default()),
    }
    argv.push(lvpath.to_string());
    let out = run(ctx, argv, false)?;
    let mut ret = Map::default();
    ret.insert(
        "Output from lvresize".into(),
        outcome(&out, format!("Logical volume \"{lvpath}\" successfully resized.")),
    );
    Ok(ret)
}

/// Salt's `lvm.pvremove`: True, or a string saying what went wrong.
pub fn pvremove(ctx: &Ctx, devices: &[String], override_: bool, force: bool) -> Result<Value, ModuleError> {
    let mut argv = vec!["pvremove".to_string(), force_flag(force)];
    for device in devices {
        if !pvdisplay(ctx, device, false, false)?.is_empty() {
            argv.push(device.clone());
        } else if !override_ {
            return Ok(Value::Str(format!("{device} is not a physical volume")));
        }
    }
    if argv.len() == 2 {
        return Ok(Value::Bool(true));
    }
    let out = run(ctx, argv, false)?;
    if out.retcode != 0 {
        return Ok(Value::Str(out.stderr));
    }
    for device in devices {
        if !pvdisplay(ctx, device, false, true)?.is_empty() {
            return Ok(Value::Str(format!("Device \"{device}\" was not affected.")));
        }
    }
    Ok(Value::Bool(true))
}

/// Salt's `lvm.vgremove`: lvm's error, or Salt's success sentence.
pub fn vgremove(ctx: &Ctx, vgname: &str, force: bool) -> Result<Value, ModuleError> {
    let out = run(ctx, vec!["vgremove".into(), vgname.into(), force_flag(force)], false)?;
    Ok(outcome(&out, format!("Volume group \"{vgname}\" successfully removed")))
}

/// Salt's `lvm.lvremove`: lvm's error, or Salt's success sentence.
pub fn lvremove(ctx: &Ctx, lvname: &str, vgname: &str, force: bool) -> Result<Value, ModuleError> {
    let out = run(ctx, vec!["lvremove".into(), format!("{vgname}/{lvname}"), force_flag(force)], false)?;
    Ok(outcome(&out, format!("Logical volume \"{lvname}\" successfully removed")))
}

const NONE: ArgDefault = ArgDefault::None;
const FALSE: ArgDefault = ArgDefault::Bool(false);
const TRUE: ArgDefault = ArgDefault::Bool(true);

const fn sig(params: &'static [crate::Param], kwargs: bool) -> Signature {
    Signature { params, varargs: None, kwargs }
}

pub const MODULE: Module = Module {
    name: "lvm",
    functions: &[
        Function { name: "version", sig: sig(&[], false), run: version_fn },
        Function {
            name: "pvdisplay",
            sig: sig(&[opt("pvname", ArgDefault::Str("")), opt("real", FALSE), opt("quiet", FALSE)], false),
            run: pvdisplay_fn,
        },
        Function {
            name: "vgdisplay",
            sig: sig(&[opt("vgname", ArgDefault::Str("")), opt("quiet", FALSE)], false),
            run: vgdisplay_fn,
        },
        Function {
            name: "lvdisplay",
            sig: sig(&[opt("lvname", ArgDefault::Str("")), opt("quiet", FALSE)], false),
            run: lvdisplay_fn,
        },
        Function {
            name: "pvcreate",
            sig: sig(&[req("devices"), opt("override", TRUE), opt("force", TRUE)], true),
            run: pvcreate_fn,
        },
        Function {
            name: "vgcreate",
            sig: sig(&[req("vgname"), req("devices"), opt("force", FALSE)], true),
            run: vgcreate_fn,
        },
        Function {
            name: "vgextend",
            sig: sig(&[req("vgname"), req("devices"), opt("force", FALSE)], false),
            run: vgextend_fn,
        },
        Function {
            name: "lvcreate",
            sig: sig(
                &[
                    req("lvname"),
                    req("vgname"),
                    opt("size", NONE),
                    opt("extents", NONE),
                    opt("snapshot", NONE),
                    opt("pv", NONE),
                    opt("thinvolume", FALSE),
                    opt("thinpool", FALSE),
                    opt("force", FALSE),
                ],
                true,
            ),
            run: lvcreate_fn,
        },
        Function {
            name: "pvremove",
            sig: sig(&[req("devices"), opt("override", TRUE), opt("force", TRUE)], false),
            run: pvremove_fn,
        },
        Function { name: "vgremove", sig: sig(&[req("vgname"), opt("force", TRUE)], false), run: vgremove_fn },
        Function {
            name: "lvremove",
            sig: sig(&[req("lvname"), req("vgname"), opt("force", TRUE)], false),
            run: lvremove_fn,
        },
        Function {
            name: "lvresize",
            sig: sig(
                &[
                    opt("size", NONE),
                    opt("lvpath", NONE),
                    opt("extents", NONE),
                    opt("force", FALSE),
                    opt("resizefs", FALSE),
                ],
                false,
            ),
            run: lvresize_fn,
        },
    ],
};

/// Salt's module is only there when the `lvm` binary is.
fn available(function: &str) -> Result<(), ModuleError> {
    match cmd::which("lvm") {
        Some(_) => Ok(()),
        None => Err(ModuleError::NotAvailable(format!("lvm.{function}"))),
    }
}

/// A truthy argument as text (Salt's `if size:`), else None.
pub fn truthy_str(v: &Value) -> Option<String> {
    v.truthy().then(|| v.py_str())
}

/// Keyword arguments a caller passed through, without Salt's `__pub_` ones.
fn extra_kwargs(b: &Bound) -> Map {
    b.kwargs.iter().filter(|(k, _)| !k.starts_with("__")).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn version_fn(_: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("version")?;
    Ok(Value::Str(version(ctx)?))
}

fn pvdisplay_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("pvdisplay")?;
    let name = b.opt_str("pvname").unwrap_or_default();
    Ok(Value::Map(pvdisplay(ctx, &name, b.truthy("real"), b.truthy("quiet"))?))
}

fn vgdisplay_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("vgdisplay")?;
    Ok(Value::Map(vgdisplay(ctx, &b.opt_str("vgname").unwrap_or_default(), b.truthy("quiet"))?))
}

fn lvdisplay_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("lvdisplay")?;
    Ok(Value::Map(lvdisplay(ctx, &b.opt_str("lvname").unwrap_or_default(), b.truthy("quiet"))?))
}

fn pvcreate_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("pvcreate")?;
    let devices = if b.truthy("devices") { device_list(b.get("devices")) } else { Vec::new() };
    pvcreate(ctx, &devices, b.truthy("override"), b.truthy("force"), &extra_kwargs(b))
}

fn vgcreate_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("vgcreate")?;
    let devices = if b.truthy("devices") { device_list(b.get("devices")) } else { Vec::new() };
    vgcreate(ctx, &b.get("vgname").py_str(), &devices, b.truthy("force"), &extra_kwargs(b))
}

fn vgextend_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("vgextend")?;
    let devices = if b.truthy("devices") { device_list(b.get("devices")) } else { Vec::new() };
    vgextend(ctx, &b.get("vgname").py_str(), &devices, b.truthy("force"))
}

/// `lvm.lvcreate`'s arguments from a bound call (also used by the state).
pub fn lvcreate_args(b: &Bound) -> LvCreate {
    LvCreate {
        lvname: b.get("lvname").py_str(),
        vgname: b.get("vgname").py_str(),
        size: truthy_str(b.get("size")),
        extents: truthy_str(b.get("extents")),
        snapshot: truthy_str(b.get("snapshot")),
        pv: truthy_str(b.get("pv")),
        thinvolume: b.truthy("thinvolume"),
        thinpool: b.truthy("thinpool"),
        force: b.truthy("force"),
        kwargs: extra_kwargs(b),
    }
}

fn lvcreate_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("lvcreate")?;
    lvcreate(ctx, &lvcreate_args(b))
}

fn lvresize_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("lvresize")?;
    let (size, extents) = (truthy_str(b.get("size")), truthy_str(b.get("extents")));
    let lvpath = b.get("lvpath").py_str();
    let ret = lvresize(ctx, &lvpath, size.as_deref(), extents.as_deref(), b.truthy("force"), b.truthy("resizefs"))?;
    Ok(Value::Map(ret))
}

fn pvremove_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("pvremove")?;
    pvremove(ctx, &device_list(b.get("devices")), b.truthy("override"), b.truthy("force"))
}

fn vgremove_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("vgremove")?;
    vgremove(ctx, &b.get("vgname").py_str(), b.truthy("force"))
}

fn lvremove_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("lvremove")?;
    lvremove(ctx, &b.get("lvname").py_str(), &b.get("vgname").py_str(), b.truthy("force"))
}

#[cfg(test)]
mod tests;
