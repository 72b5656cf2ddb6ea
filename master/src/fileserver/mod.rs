//! The master's fileserver and pillar service: answers a minion's
//! [`Request`]s from the backends of `fileserver_backend` (`dispatch`:
//! `roots`, `gitfs`) and from `pillar_roots` (mine requests go to
//! [`crate::mine`]).
//!
//! Paths are checked before anything is looked up: absolute paths, `..`
//! components and odd saltenvs are refused (and logged). A file is sent only
//! when the minion's copy has another hash. Pillar is compiled for the asking
//! minion with its own grains and goes only to it. Calls block (file reads,
//! rendering): async callers use `spawn_blocking`.
//!
//! It must not decide who may ask (the session checks the minion is
//! accepted) or know how a backend finds files.

mod dispatch;
mod gitfs;
mod roots;

use brine_common::wire::{FileReply, Reply, Request};
use brine_common::{Map, Value};
use brine_states::pillar;
use brine_states::render::Renderer;
use brine_states::roots::{safe_rel, state_names};
use brine_states::saltfns::SaltFns;
use sha2::{Digest, Sha256};

pub use dispatch::{Fileserver, FileserverError};
pub(crate) use gitfs::repo;

use crate::context::Master;

/// Answer one request of minion `id`.
pub fn answer(master: &Master, id: &str, request: Request) -> Reply {
    match request {
        Request::Envs => Reply::Names { names: master.files.envs(None) },
        Request::ListStates { saltenv } => Reply::Names { names: state_names(master.files.file_list(&saltenv, None)) },
        Request::FileList { saltenv } => Reply::Names { names: master.files.file_list(&saltenv, None) },
        Request::File { saltenv, path, hash, offset: Some(offset) } => Reply::File(file(master, id, &saltenv, &path, hash.as_deref(), offset)),
        Request::File { saltenv, path, hash, offset: None } => Reply::File(whole_file(master, id, &saltenv, &path, hash.as_deref())),
        Request::Pillar { saltenv, pillarenv } => Reply::Pillar { pillar: compile_pillar(master, id, saltenv, pillarenv) },
        Request::MineUpdate { data, clear } => crate::mine::update(master, id, data, clear),
        Request::MineDelete { fun } => crate::mine::delete(master, id, &fun),
        Request::MineGet { tgt, tgt_type, fun } => crate::mine::get(master, &tgt, &tgt_type, &fun),
    }
}

/// A saltenv name usable as a directory name on the minion.
pub fn valid_saltenv(env: &str) -> bool {
    !env.is_empty() && env != "." && !env.contains("..") && !env.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

fn file(master: &Master, id: &str, saltenv: &str, path: &str, hash: Option<&str>, offset: u64) -> FileReply {
    if !valid_saltenv(saltenv) || path.contains('\0') || safe_rel(path).is_none() {
        log::warn!("refused a request from minion {id} for a path outside the file roots: {path:?} (saltenv {saltenv:?})");
        return FileReply::Refused { reason: format!("the path {path:?} is not inside the file roots") };
    }
    let clean: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let reply = master.files.file(saltenv, &clean.join("/"), hash, offset);
    match &reply {
        FileReply::Unchanged => log::debug!("minion {id}: salt://{path} (saltenv {saltenv}) is unchanged"),
        FileReply::Content { data, size, .. } => {
            log::debug!("minion {id}: sent salt://{path} (saltenv {saltenv}) from offset {offset}, {} base64 bytes of {size:?}", data.len())
        }
        _ => {}
    }
    reply
}

/// The largest file a minion that knows no chunks can take in one frame (base64 grows it by a third).
const LEGACY_MAX_FILE: u64 = (brine_common::wire::MAX_FRAME_LEN as u64 / 4) * 3 - 4096;

/// The whole file in one reply, for a minion that sends no offset (older
/// than chunked transfers): its chunks joined, when they fit in one frame.
fn whole_file(master: &Master, id: &str, saltenv: &str, path: &str, hash: Option<&str>) -> FileReply {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let (mut bytes, mut digest) = (Vec::new(), None);
    loop {
        let (data, hash, size) = match file(master, id, saltenv, path, if bytes.is_empty() { hash } else { None }, bytes.len() as u64) {
            FileReply::Content { data, hash, size: Some(size) } => (data, hash, size),
            FileReply::Content { data, hash, size: None } if bytes.is_empty() => return FileReply::Content { data, hash, size: None },
            other if bytes.is_empty() => return other,
            _ => return FileReply::Refused { reason: format!("{path} changed while it was read") },
        };
        if size > LEGACY_MAX_FILE {
            return FileReply::Refused { reason: format!("{path} is larger than {LEGACY_MAX_FILE} bytes") };
        }
        if digest.get_or_insert_with(|| hash.clone()) != &hash {
            return FileReply::Refused { reason: format!("{path} changed while it was read") };
        }
        match b64.decode(data) {
            Ok(chunk) if !chunk.is_empty() || bytes.len() as u64 == size => bytes.extend(chunk),
            _ => return FileReply::Refused { reason: format!("{path} changed while it was read") },
        }
        if bytes.len() as u64 >= size {
            return FileReply::Content { data: b64.encode(&bytes), hash, size: None };
        }
    }
}

/// sha256 of bytes as lowercase hex.
pub fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compile the pillar of minion `id` with the grains it sent (Salt's
/// master-side pillar): `pillar_roots`, then each `git_pillar` remote merged over it.
pub fn compile_pillar(master: &Master, id: &str, saltenv: Option<String>, pillarenv: Option<String>) -> Map {
    let grains = master.data.grains(id);
    let mut opts = master.opts.clone();
    opts.insert("id".into(), Value::str(id));
    for (k, v) in [("saltenv", saltenv), ("pillarenv", pillarenv)] {
        if let Some(v) = v {
            opts.insert(k.into(), Value::Str(v));
        }
    }
    let compile = |files: &brine_states::roots::Roots| {
        let saltfns = SaltFns::new(opts.clone(), grains.clone(), Map::default());
        let empty = Map::default();
        let renderer = Renderer::new(&opts, &grains, &empty, files, &saltfns);
        pillar::compile(&opts, &grains, files, &renderer)
    };
    let mut compiled = compile(&master.pillar_files);
    master.git_pillar.merge_into(&mut compiled, compile);
    master.data.set_pillar(id, compiled.clone());
    compiled
}

#[cfg(test)]
mod tests {
    use super::*;
    use brine_common::config::{self, Role};

    fn master(dir: &std::path::Path) -> Master {
        master_with(dir, &[])
    }

    fn master_with(dir: &std::path::Path, extra: &[(&str, Value)]) -> Master {
        std::fs::create_dir_all(dir.join("srv/sub")).unwrap();
        std::fs::write(dir.join("srv/sub/a.txt"), "a\n").unwrap();
        std::fs::write(dir.join("secret"), "s\n").unwrap();
        let mut opts = config::defaults(Role::Master);
        let roots = |p: &std::path::Path| Value::from_json(&serde_json::json!({"base": [p]}));
        opts.insert("root_dir".into(), Value::Str(dir.display().to_string()));
        opts.insert("file_roots".into(), roots(&dir.join("srv")));
        opts.insert("pillar_roots".into(), roots(&dir.join("pillar")));
        for (k, v) in extra {
            opts.insert((*k).into(), v.clone());
        }
        config::apply_root_dir(&mut opts);
        Master::load(opts).unwrap()
    }

    #[test]
    fn cve_2021_25282_paths_leaving_the_roots_are_refused_by_the_master() {
        let dir = std::env::temp_dir().join(format!("brine-fileserver-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = master(&dir);
        for (env, path) in [("base", "../secret"), ("base", "/etc/shadow"), ("base", "sub/../../secret"), ("../..", "secret"), ("base", "a\0b")] {
            assert!(matches!(file(&m, "node1", env, path, None, 0), FileReply::Refused { .. }), "{env} {path}");
        }
        let FileReply::Content { hash, .. } = file(&m, "node1", "base", "sub/a.txt", None, 0) else { panic!("no content") };
        assert_eq!(file(&m, "node1", "base", "sub/a.txt", Some(&hash), 0), FileReply::Unchanged);
        assert_eq!(file(&m, "node1", "base", "nope.txt", None, 0), FileReply::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_large_file_is_served_in_chunks_that_reassemble_it() {
        use base64::Engine;
        use brine_common::wire::FILE_CHUNK;
        let dir = std::env::temp_dir().join(format!("brine-fileserver-chunks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = master(&dir);
        let body: Vec<u8> = (0..2 * FILE_CHUNK + 5).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(dir.join("srv/big.bin"), &body).unwrap();
        let (mut got, mut offset, mut first_hash) = (Vec::new(), 0u64, None);
        loop {
            let FileReply::Content { data, hash, size } = file(&m, "node1", "base", "big.bin", None, offset) else { panic!("no content at {offset}") };
            assert_eq!(size, Some(body.len() as u64));
            assert_eq!(first_hash.get_or_insert(hash.clone()), &hash);
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
            assert!(bytes.len() as u64 <= FILE_CHUNK);
            offset += bytes.len() as u64;
            got.extend(bytes);
            if offset == body.len() as u64 {
                break;
            }
        }
        assert_eq!(got, body);
        let hash = first_hash.unwrap();
        assert_eq!(hash, hex_sha256(&body));
        assert_eq!(file(&m, "node1", "base", "big.bin", Some(&hash), 0), FileReply::Unchanged);
        assert!(matches!(file(&m, "node1", "base", "big.bin", None, body.len() as u64 + 1), FileReply::Refused { .. }));
        std::fs::write(dir.join("srv/big.bin"), &body[..body.len() - 1]).unwrap();
        let FileReply::Content { hash: changed, .. } = file(&m, "node1", "base", "big.bin", None, FILE_CHUNK) else { panic!("no content") };
        assert_ne!(changed, hash, "a stale hash was served after the file changed");
        let FileReply::Content { data, hash: whole, size: None } = whole_file(&m, "node1", "base", "big.bin", None) else { panic!("no whole file") };
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(data).unwrap(), &body[..body.len() - 1], "an older minion gets the whole file");
        assert_eq!(whole, changed);
        assert_eq!(whole_file(&m, "node1", "base", "big.bin", Some(&whole)), FileReply::Unchanged);
        std::fs::write(dir.join("srv/empty"), "").unwrap();
        let FileReply::Content { data, size, .. } = file(&m, "node1", "base", "empty", None, 0) else { panic!("no content") };
        assert_eq!((data.as_str(), size), ("", None));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cve_2024_22232_symlinks_out_of_the_roots_follow_fileserver_followsymlinks() {
        let dir = std::env::temp_dir().join(format!("brine-fileserver-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = master_with(&dir, &[("fileserver_followsymlinks", Value::Bool(false))]);
        std::os::unix::fs::symlink(dir.join("secret"), dir.join("srv/leak.txt")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("srv/up")).unwrap();
        std::os::unix::fs::symlink(dir.join("srv/sub/a.txt"), dir.join("srv/alias.txt")).unwrap();
        for path in ["leak.txt", "up/secret", "up/srv/leak.txt"] {
            assert!(matches!(file(&m, "node1", "base", path, None, 0), FileReply::Refused { .. }), "{path}");
        }
        // A link that stays inside the roots is served.
        assert!(matches!(file(&m, "node1", "base", "alias.txt", None, 0), FileReply::Content { .. }));
        assert!(matches!(file(&m, "node1", "base", "up/srv/sub/a.txt", None, 0), FileReply::Content { .. }));
        // Salt's default follows links the operator put in the roots (seen
        // with Salt 3007: cp.get_file_str of such a link returns the file);
        // paths that leave the roots by their text stay refused.
        let m = master(&dir);
        assert!(matches!(file(&m, "node1", "base", "leak.txt", None, 0), FileReply::Content { .. }));
        assert!(matches!(file(&m, "node1", "base", "../secret", None, 0), FileReply::Refused { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
