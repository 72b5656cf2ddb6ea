//! Salt's `pcs.cib_present` and `pcs.cib_pushed`: a copy of the live CIB
//! kept as `<cachedir>/pcs/<saltenv>/<cibname>.cib` with the live CIB's
//! checksum beside it (`.cib.cksum`), so states given `cibname` change the
//! copy and `cib_pushed` pushes it back only when it differs from what was
//! fetched. Comments and changes are Salt's.
//!
//! It writes only under the minion's cache directory; the live CIB is
//! changed only by `cib_pushed` outside test mode.

use std::path::{Path, PathBuf};

use brine_common::Value;
use brine_modules::file::stat::get_hash;
use brine_modules::pcs;

use super::arg_str;
use crate::mods::{StateCall, StateError, StateRet};

/// The files of one named CIB.
struct CibFiles {
    dir: PathBuf,
    file: PathBuf,
    tmp: PathBuf,
    cksum: PathBuf,
}

fn files(call: &StateCall, cibname: &str) -> CibFiles {
    let dir = call.host.cachedir().join("pcs").join(call.saltenv);
    let file = dir.join(format!("{cibname}.cib"));
    let with = |ext: &str| PathBuf::from(format!("{}.{ext}", file.display()));
    CibFiles { tmp: with("tmp"), cksum: with("cksum"), file, dir }
}

fn io_error(path: &Path, e: std::io::Error) -> StateError {
    StateError::Execution(format!("{}: {e}", path.display()))
}

fn remove(path: &Path) -> Result<(), StateError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path, e)),
        _ => Ok(()),
    }
}

/// `sha256:HEX` of a file, None when it cannot be read.
fn hash_of(path: &Path) -> Option<String> {
    get_hash(path, "sha256").ok().map(|h| format!("sha256:{h}"))
}

/// Salt's `_file_read`: the checksum file's text, None when absent.
fn read_cksum(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub fn cib_present(call: &StateCall) -> Result<StateRet, StateError> {
    let cibname = arg_str(call, "cibname");
    let f = files(call, &cibname);
    let mut ret = StateRet::new(call.arg("name").clone());
    std::fs::create_dir_all(&f.dir).map_err(|e| io_error(&f.dir, e))?;
    remove(&f.tmp)?;
    let fetched = pcs::cib(call.ctx, "cib", &text(&f.tmp), call.arg("scope"), call.arg("extra_args"))?;
    let live = match hash_of(&f.tmp) {
        Some(h) if fetched.retcode == 0 => h,
        _ => return Ok(ret.error("Failed to get live CIB\n")),
    };
    let cksum_required = read_cksum(&f.cksum).as_deref() != Some(live.as_str());
    let create_required = hash_of(&f.file).as_deref() != Some(live.as_str());
    if !create_required {
        remove(&f.tmp)?;
        ret.comment += &format!("CIB {cibname} is already equal to the live CIB\n");
    }
    if !cksum_required {
        ret.comment += &format!("CIB {cibname} checksum is correct\n");
    }
    if !create_required && !cksum_required {
        return Ok(ret);
    }
    if call.test {
        remove(&f.tmp)?;
        ret.result = None;
        if create_required {
            ret.comment += &format!("CIB {cibname} is set to be created/updated\n");
        }
        if cksum_required {
            ret.comment += &format!("CIB {cibname} checksum is set to be created/updated\n");
        }
        return Ok(ret);
    }
    if create_required {
        store_cib(&f, &cibname, &live, &mut ret)?;
    }
    if cksum_required {
        store_cksum(&f, &cibname, &live, &mut ret)?;
    }
    Ok(ret)
}

fn store_cib(f: &CibFiles, cibname: &str, live: &str, ret: &mut StateRet) -> Result<(), StateError> {
    std::fs::rename(&f.tmp, &f.file).map_err(|e| io_error(&f.file, e))?;
    if hash_of(&f.file).as_deref() == Some(live) {
        ret.comment += &format!("Created/updated CIB {cibname}\n");
        ret.changes.insert("cibfile".into(), Value::Str(text(&f.file)));
    } else {
        ret.result = Some(false);
        ret.comment += &format!("Failed to create/update CIB {cibname}\n");
    }
    Ok(())
}

fn store_cksum(f: &CibFiles, cibname: &str, live: &str, ret: &mut StateRet) -> Result<(), StateError> {
    std::fs::write(&f.cksum, live).map_err(|e| io_error(&f.cksum, e))?;
    if read_cksum(&f.cksum).as_deref() == Some(live) {
        ret.comment += &format!("Created/updated checksum {live} of CIB {cibname}\n");
        ret.changes.insert("cibcksum".into(), Value::str(live));
    } else {
        ret.result = Some(false);
        ret.comment += &format!("Failed to create/update checksum {live} CIB {cibname}\n");
    }
    Ok(())
}

pub fn cib_pushed(call: &StateCall) -> Result<StateRet, StateError> {
    let cibname = arg_str(call, "cibname");
    let f = files(call, &cibname);
    let ret = StateRet::new(call.arg("name").clone());
    let Some(hash) = f.file.exists().then(|| hash_of(&f.file)).flatten() else {
        return Ok(ret.error(format!("CIB-file {} does not exist\n", f.file.display())));
    };
    if read_cksum(&f.cksum).as_deref() == Some(hash.as_str()) {
        return Ok(ret.with_comment(format!("CIB {cibname} is not changed since creation through pcs.cib_present\n")));
    }
    if call.test {
        return Ok(ret
            .with_result(None)
            .with_comment(format!("CIB {cibname} is set to be pushed as the new live CIB\n")));
    }
    let pushed = pcs::cib(call.ctx, "cib-push", &text(&f.file), call.arg("scope"), call.arg("extra_args"))?;
    if pushed.retcode != 0 {
        return Ok(ret.error(format!("Failed to push CIB {cibname}\n")));
    }
    let mut ret = ret.with_comment(format!("Pushed CIB {cibname}\n"));
    ret.changes.insert("cibfile_pushed".into(), Value::Str(text(&f.file)));
    Ok(ret)
}
