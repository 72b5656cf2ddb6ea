//! The `lvm` state module: Salt's `pv_present`, `vg_present`,
//! `lv_present` and their `_absent` counterparts with Salt's comments and
//! changes (`{"created": ...}`, `{device: "added to VG"}`, `{"resized":
//! ...}`, `{"removed": ...}`), over the `lvm` execution module's typed
//! functions.
//!
//! One deliberate difference: Salt's `vg_present` runs `vgextend` for an
//! orphan device even in test mode; here test mode only predicts it
//! ("DEVICE is set to be added to VG"), so `test=True` changes nothing.
//! `vg_present` without `devices` on an existing group checks nothing
//! (Salt raises a TypeError there).
//!
//! It must not run LVM tools itself: everything goes through
//! `brine_modules::lvm`, and test mode runs only the display commands.

#[cfg(test)]
mod tests;

use brine_common::{Map, Value};
use brine_modules::lvm::{self, LvCreate};

use super::{StateCall, StateError, StateFunction, StateModule, StateRet};

pub const MODULE: StateModule = StateModule {
    name: "lvm",
    functions: &[
        StateFunction { name: "pv_present", required: &["name"], optional: &[], kwargs: true, run: pv_present },
        StateFunction {
            name: "vg_present",
            required: &["name"],
            optional: &["devices"],
            kwargs: true,
            run: vg_present,
        },
        StateFunction {
            name: "lv_present",
            required: &["name"],
            optional: &["vgname", "size", "extents", "snapshot", "pv", "thinvolume", "thinpool", "force", "resizefs"],
            kwargs: true,
            run: lv_present,
        },
        StateFunction { name: "pv_absent", required: &["name"], optional: &[], kwargs: false, run: pv_absent },
        StateFunction { name: "vg_absent", required: &["name"], optional: &[], kwargs: false, run: vg_absent },
        StateFunction { name: "lv_absent", required: &["name"], optional: &["vgname"], kwargs: false, run: lv_absent },
    ],
};

/// The state's own parameters, which are not passed on as `**kwargs`.
const OWN: &[&str] = &[
    "name",
    "devices",
    "vgname",
    "size",
    "extents",
    "snapshot",
    "pv",
    "thinvolume",
    "thinpool",
    "force",
    "resizefs",
    "override",
];

/// The extra keyword arguments a state passes on to the execution module.
fn passed_on(call: &StateCall) -> Map {
    call.args
        .iter()
        .filter(|(k, _)| !OWN.contains(&k.as_str()) && !k.starts_with("__"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A boolean argument with its Python default.
fn flag(call: &StateCall, key: &str, default: bool) -> bool {
    call.args.get(key).map(Value::truthy).unwrap_or(default)
}

fn pv_present(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let mut ret = StateRet::new(call.arg("name").clone());
    if !lvm::pvdisplay(call.ctx, &name, false, true)?.is_empty() {
        return Ok(ret.with_comment(format!("Physical Volume {name} already present")));
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Physical Volume {name} is set to be created")));
    }
    let devices = lvm::device_list(call.arg("name"));
    let made =
        lvm::pvcreate(call.ctx, &devices, flag(call, "override", true), flag(call, "force", true), &passed_on(call))?;
    if lvm::pvdisplay(call.ctx, &name, false, false)?.is_empty() {
        return Ok(ret.error(format!("Failed to create Physical Volume {name}")));
    }
    ret.changes.insert("created".into(), made);
    Ok(ret.with_comment(format!("Created Physical Volume {name}")))
}

fn vg_present(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let devices = lvm::device_list(call.arg("devices"));
    let ret = StateRet::new(call.arg("name").clone());
    if !lvm::vgdisplay(call.ctx, &name, true)?.is_empty() {
        let ret = ret.with_comment(format!("Volume Group {name} already present"));
        return devices.iter().try_fold(ret, |ret, device| check_member(call, ret, &name, device));
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Volume Group {name} is set to be created")));
    }
    let force = flag(call, "force", false);
    let made = lvm::vgcreate(call.ctx, &name, &devices, force, &passed_on(call))?;
    if lvm::vgdisplay(call.ctx, &name, false)?.is_empty() {
        return Ok(ret.error(format!("Failed to create Volume Group {name}")));
    }
    let mut ret = ret.with_comment(format!("Created Volume Group {name}"));
    ret.changes.insert("created".into(), made);
    Ok(ret)
}

/// The volume group a device's PV belongs to (`None`: not a PV).
fn group_of(call: &StateCall, realdev: &str) -> Result<Option<String>, StateError> {
    let pvs = lvm::pvdisplay(call.ctx, realdev, true, false)?;
    Ok(pvs
        .get(realdev)
        .and_then(Value::as_map)
        .map(|pv| pv.get("Volume Group Name").map(Value::py_str).unwrap_or_default()))
}

fn push_line(ret: &mut StateRet, line: String) {
    ret.comment = format!("{}\n{line}", ret.comment);
}

/// Salt's check of one device of an existing group: a member, an orphan to
/// add with `vgextend`, or a device it cannot use.
fn check_member(call: &StateCall, mut ret: StateRet, vg: &str, device: &str) -> Result<StateRet, StateError> {
    let realdev = std::fs::canonicalize(device).map(|p| p.to_string_lossy().into_owned()).unwrap_or(device.into());
    match group_of(call, &realdev)? {
        Some(g) if g == vg => push_line(&mut ret, format!("{device} is part of Volume Group")),
        Some(g) if g.is_empty() || g == "#orphans_lvm2" => return add_member(call, ret, vg, device, &realdev),
        Some(g) => {
            push_line(&mut ret, format!("{device} is part of {g}"));
            ret.result = Some(false);
        }
        None => {
            push_line(&mut ret, format!("pv {device} is not present"));
            ret.result = Some(false);
        }
    }
    Ok(ret)
}

fn add_member(
    call: &StateCall,
    mut ret: StateRet,
    vg: &str,
    device: &str,
    realdev: &str,
) -> Result<StateRet, StateError> {
    if call.test {
        push_line(&mut ret, format!("{device} is set to be added to {vg}"));
        if ret.result == Some(true) {
            ret.result = None;
        }
        return Ok(ret);
    }
    lvm::vgextend(call.ctx, vg, &[device.to_string()], false)?;
    if group_of(call, realdev)?.as_deref() == Some(vg) {
        ret.changes.insert(device.to_string(), Value::Str(format!("added to {vg}")));
    } else {
        push_line(&mut ret, format!("{device} could not be added"));
        ret.result = Some(false);
    }
    Ok(ret)
}

/// Salt's `_convert_to_mb`: `10G`, `512s`, `100` (MiB), `2tb` in MiB.
pub fn convert_to_mb(size: &str) -> Result<f64, StateError> {
    let lower: Vec<char> = size.to_lowercase().chars().collect();
    let (unit, digits): (String, &[char]) = match lower.last() {
        Some(c) if c.is_ascii_digit() => ("m".into(), &lower[..]),
        Some('b') => {
            let cut = lower.len().saturating_sub(2);
            (lower[cut..lower.len() - 1].iter().collect(), &lower[..cut])
        }
        Some(c) => (c.to_string(), &lower[..lower.len() - 1]),
        None => (String::new(), &lower[..]),
    };
    let text: String = digits.iter().collect();
    let invalid = || StateError::Invocation(format!("Size {size} is invalid."));
    if !text.ends_with(|c: char| c.is_ascii_digit()) {
        return Err(invalid());
    }
    let n = text.trim().parse::<i64>().map_err(|_| invalid())? as f64;
    match unit.as_str() {
        "s" => Ok(n / 2048.0),
        "m" => Ok(n),
        "g" => Ok(n * 1024.0),
        "t" => Ok(n * 1024.0 * 1024.0),
        "p" => Ok(n * 1024.0 * 1024.0 * 1024.0),
        _ => Err(StateError::Invocation(format!("Unit {unit} is invalid."))),
    }
}

/// Typed arguments of `lv_present`.
struct LvArgs {
    /// The volume's name (the snapshot's when `snapshot` is given, as in Salt).
    name: String,
    lvpath: String,
    size: Option<String>,
    extents: Option<String>,
    force: bool,
    resizefs: bool,
    create: LvCreate,
}

fn parse_lv(call: &StateCall) -> LvArgs {
    let truthy = |k: &str| lvm::truthy_str(call.arg(k));
    let vgname = call.arg("vgname").py_str();
    let snapshot = truthy("snapshot");
    let (name, origin) = match &snapshot {
        Some(snap) => (snap.clone(), Some(call.name())),
        None => (call.name(), None),
    };
    let thinvolume = flag(call, "thinvolume", false);
    let vgdir = if thinvolume { vgname.split('/').next().unwrap_or_default().to_string() } else { vgname.clone() };
    let create = LvCreate {
        lvname: name.clone(),
        vgname,
        size: truthy("size"),
        extents: truthy("extents"),
        snapshot: origin,
        pv: truthy("pv"),
        thinvolume,
        thinpool: flag(call, "thinpool", false),
        force: flag(call, "force", false),
        kwargs: passed_on(call),
    };
    LvArgs {
        lvpath: format!("/dev/{vgdir}/{name}"),
        name,
        size: truthy("size"),
        extents: truthy("extents"),
        force: create.force,
        resizefs: flag(call, "resizefs", false),
        create,
    }
}

fn lv_present(call: &StateCall) -> Result<StateRet, StateError> {
    let ret = StateRet::new(call.arg("name").clone());
    let a = parse_lv(call);
    if a.size.is_some() && a.extents.is_some() {
        return Ok(ret.error("Only one of extents or size can be specified."));
    }
    let size_mb = a.size.as_deref().map(convert_to_mb).transpose()?;
    let info = lvm::lvdisplay(call.ctx, &a.lvpath, true)?;
    match info.get(&a.lvpath).and_then(Value::as_map) {
        None => create_lv(call, ret, &a),
        Some(lv) => {
            let ret = ret.with_comment(format!("Logical Volume {} already present", a.name));
            if a.size.is_none() && a.extents.is_none() {
                return Ok(ret);
            }
            resize_lv(call, ret, &a, size_mb, lv)
        }
    }
}

fn create_lv(call: &StateCall, mut ret: StateRet, a: &LvArgs) -> Result<StateRet, StateError> {
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Logical Volume {} is set to be created", a.name)));
    }
    let made = lvm::lvcreate(call.ctx, &a.create)?;
    if !lvm::lvdisplay(call.ctx, &a.lvpath, false)?.is_empty() {
        ret.changes.insert("created".into(), made);
        return Ok(ret.with_comment(format!("Created Logical Volume {}", a.name)));
    }
    let error = match &made {
        Value::Map(m) => m.get("Output from lvcreate").map(Value::py_str).unwrap_or_default(),
        other => other.py_str(),
    };
    Ok(ret.error(format!("Failed to create Logical Volume {}. Error: {error}", a.name)))
}

/// An LV's size in MiB and extents from its `lvdisplay` row.
fn current_size(lv: &Map) -> Result<(f64, i64), StateError> {
    let field = |k: &str| lv.get(k).map(Value::py_str).unwrap_or_default();
    let extents = field("Current Logical Extents Associated");
    let extents = extents.parse().map_err(|_| StateError::Execution(format!("invalid extents {extents}")))?;
    Ok((convert_to_mb(&format!("{}s", field("Logical Volume Size")))?, extents))
}

fn resize_lv(
    call: &StateCall,
    mut ret: StateRet,
    a: &LvArgs,
    size_mb: Option<f64>,
    lv: &Map,
) -> Result<StateRet, StateError> {
    let (old_mb, old_extents) = current_size(lv)?;
    let (want_mb, want_extents) = match (size_mb, &a.extents) {
        (Some(mb), _) => (mb, old_extents),
        (None, Some(e)) if e.contains('%') => {
            ret.comment = format!("Logical Volume {} already present, {e} won't be resized.", a.name);
            (old_mb, old_extents)
        }
        (None, e) => {
            let text = e.clone().unwrap_or_default();
            let parsed = text.parse().map_err(|_| StateError::Invocation(format!("Extents {text} are invalid.")))?;
            (old_mb, parsed)
        }
    };
    if !a.force && (want_mb < old_mb || want_extents < old_extents) {
        return Ok(ret.error("To reduce a Logical Volume option 'force' must be True."));
    }
    if want_mb == old_mb && want_extents == old_extents {
        return Ok(ret);
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("Logical Volume {} is set to be resized", a.name)));
    }
    let extents = want_extents.to_string();
    let (size, extents) = match &a.size {
        Some(s) => (Some(s.as_str()), None),
        None => (None, Some(extents.as_str())),
    };
    let changes = lvm::lvresize(call.ctx, &a.lvpath, size, extents, a.force, a.resizefs)?;
    let after = lvm::lvdisplay(call.ctx, &a.lvpath, true)?;
    let new_mb = match after.get(&a.lvpath).and_then(Value::as_map) {
        Some(lv) => current_size(lv)?.0,
        None => old_mb,
    };
    if changes.is_empty() {
        ret = ret.error("Failed to resize Logical Volume. Unknown Error.");
    }
    if new_mb != old_mb {
        ret.changes.insert("resized".into(), Value::Map(changes));
        return Ok(ret.with_comment(format!("Resized Logical Volume {}", a.name)));
    }
    let output = changes.get("Output from lvresize").map(Value::py_str).unwrap_or_default();
    Ok(ret.error(format!("Failed to resize Logical Volume {}.\nError: {output}", a.name)))
}

/// What an `_absent` state removes: Salt's noun, the check and the removal.
struct Removal<'a> {
    noun: &'static str,
    name: &'a str,
    exists: &'a dyn Fn() -> Result<bool, StateError>,
    remove: &'a dyn Fn() -> Result<Value, StateError>,
}

/// Salt's shared shape of `pv_absent`, `vg_absent` and `lv_absent`.
fn absent(call: &StateCall, r: Removal, gone: &str) -> Result<StateRet, StateError> {
    let mut ret = StateRet::new(call.arg("name").clone());
    let (noun, name) = (r.noun, r.name);
    if !(r.exists)()? {
        return Ok(ret.with_comment(format!("{noun} {name} {gone}")));
    }
    if call.test {
        return Ok(ret.with_result(None).with_comment(format!("{noun} {name} is set to be removed")));
    }
    let removed = (r.remove)()?;
    if (r.exists)()? {
        return Ok(ret.error(format!("Failed to remove {noun} {name}")));
    }
    ret.changes.insert("removed".into(), removed);
    Ok(ret.with_comment(format!("Removed {noun} {name}")))
}

fn pv_absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let exists = || Ok(!lvm::pvdisplay(call.ctx, &name, false, true)?.is_empty());
    let remove = || Ok(lvm::pvremove(call.ctx, &lvm::device_list(call.arg("name")), true, true)?);
    absent(call, Removal { noun: "Physical Volume", name: &name, exists: &exists, remove: &remove }, "does not exist")
}

fn vg_absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let exists = || Ok(!lvm::vgdisplay(call.ctx, &name, true)?.is_empty());
    let remove = || Ok(lvm::vgremove(call.ctx, &name, true)?);
    absent(call, Removal { noun: "Volume Group", name: &name, exists: &exists, remove: &remove }, "already absent")
}

fn lv_absent(call: &StateCall) -> Result<StateRet, StateError> {
    let name = call.name();
    let vgname = call.arg("vgname").py_str();
    let lvpath = format!("/dev/{vgname}/{name}");
    let exists = || Ok(!lvm::lvdisplay(call.ctx, &lvpath, true)?.is_empty());
    let remove = || Ok(lvm::lvremove(call.ctx, &name, &vgname, true)?);
    absent(call, Removal { noun: "Logical Volume", name: &name, exists: &exists, remove: &remove }, "already absent")
}
