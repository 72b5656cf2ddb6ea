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
        Request::File { saltenv, path, hash } => Reply::File(file(master, id, &saltenv, &path, hash.as_deref())),
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

fn file(master: &Master, id: &str, saltenv: &str, path: &str, hash: Option<&str>) -> FileReply {
    if !valid_saltenv(saltenv) || path.contains('\0') || safe_rel(path).is_none() {
        log::warn!("refused a request from minion {id} for a path outside the file roots: {path:?} (saltenv {saltenv:?})");
        return FileReply::Refused { reason: format!("the path {path:?} is not inside the file roots") };
    }
    let clean: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    master.files.file(saltenv, &clean.join("/"), hash)
}

/// sha256 of bytes as lowercase hex.
pub fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compile the pillar of minion `id` with the grains it sent (Salt's
/// master-side pillar): `pillar_roots`, then each `git_pillar` remote merged over it.
pub fn compile_pillar(master: &Master, id: &str, saltenv: Option<String>, pillarenv: Option<String>) -> Map {
    let grains = master.data.get(id).map(|d| d.grains).unwrap_or_default();
    let mut opts = master.opts.clone();
    opts.insert("id".into(), Value::str(id));
    for (k, v) in [("saltenv", saltenv), ("pillarenv", pillarenv)] {
        if let Some(v) = v {
            opts.insert(k.into(), Value::Str(v));
        }
    }
    let compile = |files: &brine_states::roots::Roots| {
        let saltfns = SaltFns::new(opts.clone(), grains.clone(), Map::new());
        let empty = Map::new();
        let renderer = Renderer { opts: &opts, grains: &grains, pillar: &empty, files, salt: &saltfns };
        pillar::compile(&opts, &grains, files, &renderer)
    };
    let mut compiled = compile(&master.pillar_files);
    master.git_pillar.merge_into(&mut compiled, compile);
    master.data.update(id, |d| d.pillar = compiled.clone());
    compiled
}

#[cfg(test)]
mod tests {
    use super::*;
    use brine_common::config::{self, Role};

    fn master(dir: &std::path::Path) -> Master {
        std::fs::create_dir_all(dir.join("srv/sub")).unwrap();
        std::fs::write(dir.join("srv/sub/a.txt"), "a\n").unwrap();
        std::fs::write(dir.join("secret"), "s\n").unwrap();
        let mut opts = config::defaults(Role::Master);
        let roots = |p: &std::path::Path| Value::from_json(&serde_json::json!({"base": [p]}));
        opts.insert("root_dir".into(), Value::Str(dir.display().to_string()));
        opts.insert("file_roots".into(), roots(&dir.join("srv")));
        opts.insert("pillar_roots".into(), roots(&dir.join("pillar")));
        config::apply_root_dir(&mut opts);
        Master::load(opts).unwrap()
    }

    #[test]
    fn cve_2021_25282_paths_leaving_the_roots_are_refused_by_the_master() {
        let dir = std::env::temp_dir().join(format!("brine-fileserver-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = master(&dir);
        for (env, path) in [("base", "../secret"), ("base", "/etc/shadow"), ("base", "sub/../../secret"), ("../..", "secret"), ("base", "a\0b")] {
            assert!(matches!(file(&m, "node1", env, path, None), FileReply::Refused { .. }), "{env} {path}");
        }
        let FileReply::Content { hash, .. } = file(&m, "node1", "base", "sub/a.txt", None) else { panic!("no content") };
        assert_eq!(file(&m, "node1", "base", "sub/a.txt", Some(&hash)), FileReply::Unchanged);
        assert_eq!(file(&m, "node1", "base", "nope.txt", None), FileReply::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cve_2024_22232_symlinks_out_of_the_roots_are_refused() {
        let dir = std::env::temp_dir().join(format!("brine-fileserver-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = master(&dir);
        std::os::unix::fs::symlink(dir.join("secret"), dir.join("srv/leak.txt")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("srv/up")).unwrap();
        std::os::unix::fs::symlink(dir.join("srv/sub/a.txt"), dir.join("srv/alias.txt")).unwrap();
        for path in ["leak.txt", "up/secret", "up/srv/leak.txt"] {
            assert!(matches!(file(&m, "node1", "base", path, None), FileReply::Refused { .. }), "{path}");
        }
        // A link that stays inside the roots is served.
        assert!(matches!(file(&m, "node1", "base", "alias.txt", None), FileReply::Content { .. }));
        assert!(matches!(file(&m, "node1", "base", "up/srv/sub/a.txt", None), FileReply::Content { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
