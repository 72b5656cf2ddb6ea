//! Files larger than one frame travel from master to minion in chunks:
//! `file.managed` of a 40 MiB file, files exactly at chunk boundaries and
//! an empty file, a second run and `cp.get_file` that send nothing, and a
//! changed file.

mod harness;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use brine_common::wire::FILE_CHUNK;
use harness::{git, Cluster};
use serde_json::json;
use sha2::{Digest, Sha256};

/// `len` pseudo-random bytes (xorshift), different for each `seed`.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn sha256_of(path: &Path) -> String {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect()
}

fn put(c: &Cluster, rel: &str, data: &[u8]) -> String {
    let p = c.path("srv/salt").join(rel);
    std::fs::write(&p, data).expect("tree file");
    sha256_of(&p)
}

/// Entries of the minion's file cache whose names mark a partial transfer.
fn partials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                found.extend(partials(&p));
            } else if p.to_string_lossy().ends_with(".partial") {
                found.push(p);
            }
        }
    }
    found
}

const FILES: [&str; 5] = ["big.bin", "one.bin", "two.bin", "over.bin", "empty.bin"];

/// Times the master's log says it sent a chunk of `name`.
fn chunks_sent(c: &Cluster, name: &str) -> usize {
    let log = std::fs::read_to_string(c.path("master/var/log/salt/master")).unwrap_or_default();
    log.lines().filter(|l| l.contains(&format!("sent salt://{name} "))).count()
}

#[test]
fn large_boundary_and_empty_files_arrive_whole() {
    let mut c = Cluster::new("bigfiles", json!({"auto_accept": true}));
    let chunk = FILE_CHUNK as usize;
    let mut want = vec![put(&c, "big.bin", &noise(40 << 20, 7))];
    want.push(put(&c, "one.bin", &noise(chunk, 11)));
    want.push(put(&c, "two.bin", &noise(2 * chunk, 13)));
    want.push(put(&c, "over.bin", &noise(chunk + 1, 17)));
    want.push(put(&c, "empty.bin", b""));
    let out = c.path("out");
    std::fs::create_dir_all(&out).unwrap();
    let sls: String = FILES
        .iter()
        .map(|f| format!("{f}:\n  file.managed:\n    - name: {}\n    - source: salt://{f}\n", out.join(f).display()))
        .collect();
    c.file("salt/big.sls", &sls);
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let apply = || {
        let r = c.salt(&["-t", "120", "node1", "state.apply", "big"]);
        assert_eq!(r.code, 0, "{r:?}");
        r
    };

    apply();
    for (f, hash) in FILES.iter().zip(&want) {
        assert_eq!(&sha256_of(&out.join(f)), hash, "{f}");
    }
    assert_eq!(std::fs::metadata(out.join("empty.bin")).unwrap().len(), 0);
    assert_eq!(chunks_sent(&c, "big.bin"), 10, "40 MiB in chunks of 4 MiB");
    assert_eq!(chunks_sent(&c, "one.bin"), 1, "exactly one chunk");
    assert_eq!(chunks_sent(&c, "two.bin"), 2, "exactly two chunks");
    assert_eq!(chunks_sent(&c, "over.bin"), 2, "one chunk and one byte");
    let cached = c.path("node1/var/cache/salt/minion/files/base/big.bin");
    let before = std::fs::metadata(&cached).expect("the cached copy");
    assert_eq!(before.len(), 40 << 20);

    // The second run finds the cached copies current: the master sends nothing and they are not replaced.
    let again = apply();
    assert!(again.stdout.contains("is in the correct state"), "{again:?}");
    let after = std::fs::metadata(&cached).unwrap();
    assert_eq!((before.ino(), before.mtime(), before.mtime_nsec()), (after.ino(), after.mtime(), after.mtime_nsec()), "the cached copy was rewritten");
    assert_eq!(chunks_sent(&c, "big.bin"), 10, "big.bin was sent again");
    let log = std::fs::read_to_string(c.path("master/var/log/salt/master")).unwrap_or_default();
    assert!(log.contains("salt://big.bin (saltenv base) is unchanged"), "no unchanged reply in the master's log");

    // cp.get_file goes through the same cache.
    for f in ["big.bin", "empty.bin"] {
        let dest = out.join(format!("cp-{f}"));
        let r = c.salt(&["-t", "120", "node1", "cp.get_file", &format!("salt://{f}"), &dest.display().to_string()]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains(&dest.display().to_string()), "{r:?}");
        assert_eq!(sha256_of(&dest), sha256_of(&out.join(f)), "{f}");
    }
    assert_eq!(chunks_sent(&c, "big.bin"), 10, "big.bin was sent again for cp.get_file");
    let missing = c.salt(&["node1", "cp.get_file", "salt://nope.bin", &out.join("nope.bin").display().to_string()]);
    assert!(!out.join("nope.bin").exists(), "{missing:?}");

    // The file changes on the master: the next run sends the new content.
    let big2 = put(&c, "big.bin", &noise(40 << 20, 23));
    apply();
    assert_eq!(sha256_of(&out.join("big.bin")), big2);
    assert_eq!(chunks_sent(&c, "big.bin"), 20);

    assert!(partials(&c.path("node1/var/cache")).is_empty(), "{:?}", partials(&c.path("node1/var/cache")));
}


#[test]
fn gitfs_serves_a_large_blob_in_chunks() {
    let mut c = Cluster::new("bigfiles-gitfs", json!({}));
    let repo = c.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let body = noise(2 * FILE_CHUNK as usize + 12345, 29);
    std::fs::write(repo.join("big.bin"), &body).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "big"]);
    c.write_master_conf(json!({
        "auto_accept": true,
        "fileserver_backend": ["gitfs"],
        "gitfs_remotes": [format!("file://{}", repo.display())],
    }));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let out = c.path("out");
    std::fs::create_dir_all(&out).unwrap();
    for dest in ["one.bin", "two.bin"] {
        let dest = out.join(dest);
        let r = c.salt(&["-t", "120", "node1", "cp.get_file", "salt://big.bin", &dest.display().to_string()]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(std::fs::read(&dest).unwrap_or_default() == body, "{r:?}");
    }
    assert_eq!(chunks_sent(&c, "big.bin"), 3, "three chunks, sent once");
}
