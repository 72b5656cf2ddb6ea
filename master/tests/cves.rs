//! Regression tests named after Salt's vulnerabilities, against the real
//! `salt-master`, `salt-minion`, `salt` and `salt-key` on loopback: key and
//! file names that try to leave the PKI directory, `salt://` paths that try
//! to leave the file roots, job arguments and pillar that try to get
//! rendered as templates, and one minion's pillar reaching another.
//! Each test also checks the legitimate case works, so that a refusal is
//! the check at work and not a broken setup.
//!
//! Run with `cargo test -p brine-master --test cves`.

mod harness;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use brine_common::daemon::conn::{FrameReader, FrameWriter};
use brine_common::daemon::handshake::{self, EXPORTER_LABEL, NONCE_LEN};
use brine_common::daemon::keys;
use brine_common::daemon::tls::{self, Pin, PinVerifier};
use brine_common::wire::{AuthStatus, FileReply, Reply, Request, ToMaster, ToMinion};
use ed25519_dalek::SigningKey;
use harness::{wait_for, Cluster};
use serde_json::json;
use tokio_rustls::rustls::pki_types::ServerName;

/// Every file and directory under `dir` (symlinks not followed).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        out.push(p.clone());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        }
    }
    out
}

type Reader = FrameReader<tokio::io::ReadHalf<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>>;
type Writer = FrameWriter<tokio::io::WriteHalf<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>>;

/// Connect to the master's port and answer its challenge for `id` with a
/// fresh key, signed as a real minion signs; the master's verdict (`None`
/// when it closed the session instead) and the session.
async fn session_as(port: u16, id: &str) -> (Option<AuthStatus>, Reader, Writer) {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let config = tls::client_config(PinVerifier::new(Pin::FirstUse)).expect("tls config");
    let name = ServerName::try_from("salt").expect("name");
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(&config)).connect(name, tcp).await.expect("handshake");
    let exporter = stream.get_ref().1.export_keying_material([0u8; NONCE_LEN], EXPORTER_LABEL, None).expect("exporter");
    let (rd, wr) = tokio::io::split(stream);
    let (mut reader, mut writer) = (FrameReader::new(rd), FrameWriter::new(wr));
    let Ok(Some(ToMinion::Challenge { nonce })) = reader.read::<ToMinion>().await else { panic!("no challenge") };
    let nonce = handshake::unhex(&nonce).expect("hex nonce");
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let sig = handshake::sign_auth(&key, &nonce, &exporter, id);
    let auth = ToMaster::Auth {
        id: id.to_string(),
        key: keys::public_pem(&key.verifying_key()),
        sig: base64::engine::general_purpose::STANDARD.encode(sig),
    };
    writer.write(&auth).await.expect("send");
    let status = match tokio::time::timeout(Duration::from_secs(5), reader.read::<ToMinion>()).await {
        Ok(Ok(Some(ToMinion::Auth { status }))) => Some(status),
        Ok(Ok(None)) | Ok(Err(_)) => None,
        other => panic!("unexpected answer for {id:?}: {other:?}"),
    };
    (status, reader, writer)
}

async fn authenticate_as(port: u16, id: &str) -> Option<AuthStatus> {
    session_as(port, id).await.0
}

#[test]
fn cve_2021_25282_key_and_file_names_cannot_traverse() {
    let mut c = Cluster::new("keynames", json!({"auto_accept": true}));
    c.start_master();
    let pki = c.path("master/etc/salt/pki/master");
    wait_for("the master's key directories", 10, || pki.join("minions_pre").is_dir());
    let absolute = c.path("absolute-canary");
    let bad_ids = [
        "../../etc/x".to_string(),
        "../x".to_string(),
        "a/b".to_string(),
        "..".to_string(),
        ".".to_string(),
        "foo\0bar".to_string(),
        "a\\b".to_string(),
        "x\ny".to_string(),
        absolute.display().to_string(),
        String::new(),
    ];
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        for id in &bad_ids {
            assert_eq!(authenticate_as(c.port, id).await, None, "the master answered the id {id:?}");
        }
        // The positive control: the same handshake with a valid id is accepted.
        assert_eq!(authenticate_as(c.port, "goodpeer").await, Some(AuthStatus::Accepted));
    });
    let log = c.log("master");
    for id in bad_ids.iter().filter(|id| !id.is_empty()) {
        assert!(log.contains(&format!("invalid minion id {id:?}")), "no refusal of {id:?} in the log:\n{log}");
    }
    // Only the valid id has a key file; nothing was written outside the key directories.
    let keys: Vec<PathBuf> = walk(&pki).into_iter().filter(|p| p.is_file()).collect();
    let expected = [pki.join("master.pem"), pki.join("master.pub"), pki.join("minions/goodpeer")];
    for k in &keys {
        assert!(expected.contains(k), "unexpected file in the pki dir: {}", k.display());
    }
    assert!(!absolute.exists());
    let stray: Vec<PathBuf> = walk(&c.root)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| ["x", "b", "y", "foo", "bar"].contains(&n.to_string_lossy().as_ref())))
        .collect();
    assert!(stray.is_empty(), "files named after a bad id: {stray:?}");

    // salt-key: globs that climb out of the key directories match nothing and move or delete nothing.
    let canaries = [pki.join("x"), c.path("master/etc/salt/pki/x"), c.path("master/etc/salt/x"), pki.join("minions_pre/../y")];
    for (i, p) in canaries.iter().enumerate() {
        std::fs::write(p, format!("canary {i}\n")).expect("canary");
    }
    for args in [
        ["-a", "../x"],
        ["-a", "../../x"],
        ["-a", "../*"],
        ["-d", "../x"],
        ["-d", "../../x"],
        ["-d", "../../../x"],
        ["-d", "*/../*"],
        ["-r", "../y"],
        ["-a", "/etc/passwd"],
    ] {
        let out = c.salt_key(&[args[0], args[1], "-y"]);
        assert!(out.stdout.contains("does not match any"), "{args:?}: {out:?}");
        for (i, p) in canaries.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).ok(), Some(format!("canary {i}\n")), "{args:?} touched {}", p.display());
        }
        assert!(pki.join("minions/goodpeer").is_file(), "{args:?} removed an accepted key");
    }
    for d in ["minions", "minions_pre", "minions_rejected", "minions_denied"] {
        let names: Vec<PathBuf> = walk(&pki.join(d));
        let want: Vec<PathBuf> = if d == "minions" { vec![pki.join("minions/goodpeer")] } else { vec![] };
        assert_eq!(names, want, "{d}");
    }
    // The positive control for salt-key: a real key is deleted by its name.
    let out = c.salt_key(&["-d", "goodpeer", "-y"]);
    assert!(!pki.join("minions/goodpeer").exists(), "{out:?}");
}

#[test]
fn cve_2024_22231_22232_fileserver_paths_are_confined() {
    let mut c = Cluster::new("confined", json!({"auto_accept": true}));
    let secret = c.path("secret.txt");
    std::fs::write(&secret, "top secret\n").expect("secret");
    std::fs::create_dir_all(c.path("srv/dev")).expect("dev root");
    std::fs::write(c.path("srv/secret.txt"), "top secret\n").expect("secret in srv");
    c.file("salt/ok.txt", "fine\n");
    c.file("salt/sub/deep.txt", "deep\n");
    std::os::unix::fs::symlink(&secret, c.path("srv/salt/link.txt")).expect("symlink");
    std::os::unix::fs::symlink(c.path("srv"), c.path("srv/salt/outside")).expect("dir symlink");
    std::os::unix::fs::symlink(c.path("srv/salt/ok.txt"), c.path("srv/salt/alias.txt")).expect("inner symlink");
    // Links in the roots to files elsewhere are served by Salt's default
    // (`fileserver_followsymlinks: True`, as reference Salt does); a site
    // that wants them confined turns it off, as here.
    c.write_master_conf(json!({
        "auto_accept": true,
        "fileserver_followsymlinks": false,
        "file_roots": {"base": [c.path("srv/salt")], "dev": [c.path("srv/dev")]},
    }));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let s = secret.display().to_string();

    // What a malicious minion can ask the master directly, past any check of
    // its own: (saltenv, path) as a salt:// URL splits into them.
    let abs = s.trim_start_matches('/').to_string();
    let attempts: Vec<(&str, String)> = vec![
        ("base", "../secret.txt".into()),
        ("base", "../../secret.txt".into()),
        ("base", "sub/../../secret.txt".into()),
        ("base", s.clone()),
        ("base", format!("/{s}")),
        ("base", format!("{abs}/../../secret.txt")),
        ("base", "%2e%2e%2fsecret.txt".into()),
        ("base", "%2e%2e/secret.txt".into()),
        ("base", "..%2fsecret.txt".into()),
        ("base", "..\\secret.txt".into()),
        ("base", "..\\..\\secret.txt".into()),
        ("base", "sub\\..\\..\\secret.txt".into()),
        ("base", "ok.txt\0../secret.txt".into()),
        ("..", "secret.txt".into()),
        ("../..", "secret.txt".into()),
        ("../salt", "ok.txt".into()),
        ("dev/..", "secret.txt".into()),
        ("/", s.clone()),
        ("", "secret.txt".into()),
        ("base", "link.txt".into()),
        ("base", "outside/secret.txt".into()),
        ("base", "outside/salt/link.txt".into()),
    ];
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let (status, mut reader, mut writer) = session_as(c.port, "peer1").await;
        assert_eq!(status, Some(AuthStatus::Accepted));
        writer.write(&ToMaster::Hello { grains: Default::default() }).await.expect("hello");
        let ask = |req: u64, saltenv: &str, path: &str| ToMaster::Request {
            req,
            request: Request::File { saltenv: saltenv.into(), path: path.into(), hash: None, offset: Some(0) },
        };
        for (i, (saltenv, path)) in attempts.iter().enumerate() {
            let req = i as u64 + 1;
            writer.write(&ask(req, saltenv, path)).await.expect("request");
            let reply = tokio::time::timeout(Duration::from_secs(10), reader.read::<ToMinion>()).await.expect("a reply in time");
            match reply.expect("a frame") {
                Some(ToMinion::Reply { req: r, reply: Reply::File(f) }) if r == req => {
                    assert!(matches!(f, FileReply::Refused { .. } | FileReply::NotFound), "{saltenv:?} {path:?}: {f:?}");
                }
                other => panic!("{saltenv:?} {path:?}: {other:?}"),
            }
        }
        // The positive controls on the same session: files in the roots are
        // served, through a link that stays inside the roots too.
        for (i, (path, text)) in [("ok.txt", "fine\n"), ("sub/deep.txt", "deep\n"), ("alias.txt", "fine\n"), ("./sub//deep.txt", "deep\n")].iter().enumerate() {
            let req = 1000 + i as u64;
            writer.write(&ask(req, "base", path)).await.expect("request");
            match reader.read::<ToMinion>().await.expect("a frame") {
                Some(ToMinion::Reply { reply: Reply::File(FileReply::Content { data, .. }), .. }) => {
                    let bytes = base64::engine::general_purpose::STANDARD.decode(data).expect("base64");
                    assert_eq!(String::from_utf8_lossy(&bytes), *text, "{path}");
                }
                other => panic!("{path}: {other:?}"),
            }
        }
    });
    let log = c.log("master");
    assert!(log.contains("refused a request from minion peer1 for a path outside the file roots"), "{log}");
    assert!(log.contains("resolves to a file outside the file roots"), "{log}");

    // A real minion, through salt:// sources of a state: every escape fails
    // the state, and nothing of the secret reaches the minion.
    let dest = c.path("node1/got.txt");
    let urls = [
        "salt://../secret.txt".to_string(),
        "salt://sub/../../secret.txt".to_string(),
        format!("salt://{s}"),
        "salt://%2e%2e%2fsecret.txt".to_string(),
        "salt://..\\secret.txt".to_string(),
        "salt://secret.txt?saltenv=../..".to_string(),
        "salt://secret.txt?saltenv=..".to_string(),
        "salt://link.txt".to_string(),
        "salt://outside/secret.txt".to_string(),
    ];
    let sls: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| format!("steal{i}:\n  file.managed:\n    - name: {}\n    - source: {}\n", dest.display(), json!(u)))
        .collect();
    c.file("salt/steal.sls", &sls);
    let out = c.salt(&["node1", "state.sls", "steal", "--out", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
    let results: Vec<&serde_json::Value> = v["node1"].as_object().unwrap_or_else(|| panic!("{out:?}")).values().map(|r| &r["result"]).collect();
    assert_eq!(results.len(), urls.len(), "{out:?}");
    assert!(results.iter().all(|r| **r == json!(false)), "{out:?}");
    assert!(!dest.exists());
    for p in walk(&c.path("node1")).into_iter().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(!text.contains("top secret"), "{} holds the secret", p.display());
    }
    // The positive control: the same state with a source in the roots works.
    c.file("salt/fetch.sls", &format!("fetch:\n  file.managed:\n    - name: {}\n    - source: salt://sub/deep.txt\n", dest.display()));
    let out = c.salt(&["node1", "state.sls", "fetch"]);
    assert_eq!(std::fs::read_to_string(&dest).ok().as_deref(), Some("deep\n"), "{out:?}");
}

#[test]
fn cve_2021_25283_arguments_are_not_rendered_as_templates() {
    let mut c = Cluster::new("norender", json!({"auto_accept": true}));
    c.file("salt/show.sls", "show:\n  test.succeed_without_changes:\n    - name: {{ pillar.get('foo', 'none') | json }}\n");
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);

    for text in ["{{ 7*7 }}", "{% if True %}rendered{% endif %}", "{{ salt['cmd.run']('id') }}", "{# comment #}x"] {
        let out = c.salt(&["node1", "test.echo", text, "--out", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
        assert_eq!(v["node1"], json!(text), "{out:?}");
    }
    let out = c.salt(&["node1", "cmd.run", "echo '{{ 6*7 }} {% if 1 %}yes{% endif %}'", "--out", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
    assert_eq!(v["node1"], json!("{{ 6*7 }} {% if 1 %}yes{% endif %}"), "{out:?}");

    // A pillar override is data: the SLS renders once, and the value it
    // inserts is not rendered again.
    let verbatim = "{{ 7*7 }} {% if 1 %}yes{% endif %} {{ salt['cmd.run']('id') }}";
    let pillar = json!({"foo": verbatim}).to_string();
    let out = c.salt(&["node1", "state.sls", "show", &format!("pillar={pillar}"), "--out", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
    let states = v["node1"].as_object().unwrap_or_else(|| panic!("{out:?}"));
    let names: Vec<&str> = states.values().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, [verbatim], "{out:?}");
    // The positive control: the SLS itself is a template, and renders.
    let out = c.salt(&["node1", "state.sls", "show", "pillar={\"foo\": \"plain\"}", "--out", "json"]);
    assert!(out.stdout.contains("\"name\": \"plain\""), "{out:?}");
}

#[test]
fn a_minions_pillar_never_reaches_another() {
    let mut c = Cluster::new("pillarsplit", json!({"auto_accept": true}));
    c.file("pillar/top.sls", "base:\n  node1:\n    - one\n  node2:\n    - two\n  'G@role:two':\n    - match: compound\n    - two\n");
    c.file("pillar/one.sls", "secret: s-one\n");
    c.file("pillar/two.sls", "secret: s-two\n");
    c.file("salt/show.sls", "show:\n  test.succeed_without_changes:\n    - name: {{ pillar.get('secret', 'none') }}\n");
    c.start_master();
    c.start_minion("node1", json!({"id": "node2", "role": "one"}));
    c.start_minion("node2", json!({"role": "two"}));
    c.wait_ping(&["node1", "node2"]);
    // node1 claims node2's id in its grains: the pillar top matches the
    // authenticated id, so node1 still gets only its own pillar.
    let out = c.salt(&["node1", "pillar.items", "--out", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
    assert_eq!(v["node1"]["secret"], json!("s-one"), "{out:?}");
    assert!(!out.stdout.contains("s-two"), "{out:?}");
    let out = c.salt(&["node1", "state.sls", "show", "--out", "json"]);
    assert!(out.stdout.contains("s-one") && !out.stdout.contains("s-two"), "{out:?}");
    // Each minion, asked in turn, gets its own.
    for (id, secret) in [("node1", "s-one"), ("node2", "s-two")] {
        let out = c.salt(&[id, "pillar.get", "secret", "--out", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
        assert_eq!(v, json!({id: secret}), "{out:?}");
    }
}

