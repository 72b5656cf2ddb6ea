//! Security end-to-end: who gets jobs and files, pinning of the master key,
//! denial of a second key for an accepted id, path traversal through
//! `salt://`, and what an unauthenticated or misbehaving peer can do to the
//! master's TLS port. Test names carry the class of Salt vulnerability they
//! guard against where there is one.
//!
//! Run with `cargo test -p brine-master --test trust`.

mod harness;

use std::sync::Arc;

use brine_common::wire::{Request, ToMaster, ToMinion};
use brine_common::daemon::conn::{FrameReader, FrameWriter};
use brine_common::daemon::tls::{self, Pin, PinVerifier, KEY_CHANGED};
use harness::{wait_for, Cluster};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio_rustls::rustls::pki_types::ServerName;

#[test]
fn a_pending_or_rejected_minion_gets_no_job() {
    let mut c = Cluster::new("pending", json!({}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.start_minion("node2", json!({}));
    c.start_minion("node3", json!({}));
    wait_for("three pending keys", 20, || c.pending().len() == 3);
    c.salt_key(&["-a", "node2", "-y"]);
    c.salt_key(&["-r", "node3", "-y"]);
    c.wait_ping(&["node2"]);
    let out = c.salt(&["*", "test.ping"]);
    assert_eq!(out.stdout, "node2:\n    True\n", "{out:?}");
    assert!(!c.log("node1").contains("executing job"));
    wait_for("the rejected minion to exit", 20, || c.minion("node3").exit_code() == Some(77));
    assert!(c.log("node3").contains("The Salt Master has rejected this minion's public key!"));
}

#[test]
fn a_minion_refuses_a_changed_master_key() {
    let mut c = Cluster::new("pin", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    assert!(c.path("node1/etc/salt/pki/minion/minion_master.pub").exists());
    assert_eq!(c.stop_master(), Some(0));
    std::fs::remove_file(c.path("master/etc/salt/pki/master/master.pem")).expect("old key");
    std::fs::remove_file(c.path("master/etc/salt/pki/master/master.pub")).expect("old key");
    c.start_master();
    wait_for("the minion to refuse the new key", 20, || c.log("node1").contains(KEY_CHANGED));
    let out = c.salt(&["-t", "1", "*", "test.ping"]);
    assert_eq!(out.stdout, "node1:\n    Minion did not return. [Not connected]\n", "{out:?}");
}

#[test]
fn another_key_for_an_accepted_id_is_denied_and_logged() {
    let mut c = Cluster::new("deny", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let accepted = std::fs::read(c.path("master/etc/salt/pki/master/minions/node1")).expect("accepted key");
    c.start_minion_as("impostor", "node1", json!({}));
    wait_for("the impostor to be denied", 20, || c.path("master/etc/salt/pki/master/minions_denied/node1").exists());
    wait_for("the impostor to exit", 20, || c.minion("impostor").exit_code() == Some(77));
    assert!(c.log("master").contains("Authentication attempt from node1 failed, the public keys did not match"));
    assert_eq!(std::fs::read(c.path("master/etc/salt/pki/master/minions/node1")).expect("accepted key"), accepted);
    let denied = std::fs::read(c.path("master/etc/salt/pki/master/minions_denied/node1")).expect("denied key");
    assert_eq!(denied, std::fs::read(c.path("impostor/etc/salt/pki/minion/minion.pub")).expect("impostor key"));
    let out = c.salt(&["node1", "test.ping"]);
    assert_eq!(out.stdout, "node1:\n    True\n");
}

#[test]
fn cve_2020_11652_salt_urls_cannot_leave_the_file_roots() {
    let mut c = Cluster::new("traversal", json!({"auto_accept": true}));
    let secret = c.path("secret.txt");
    std::fs::write(&secret, "top secret\n").expect("secret");
    let target = c.path("node1/copied");
    let sls = format!(
        "a:\n  file.managed:\n    - name: {t}1\n    - source: salt://../secret.txt\nb:\n  file.managed:\n    - name: {t}2\n    - source: salt://{s}\nc:\n  file.managed:\n    - name: {t}3\n    - source: salt://%2e%2e/secret.txt\n",
        t = target.display(),
        s = secret.display()
    );
    c.file("salt/steal.sls", &sls);
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let out = c.salt(&["node1", "state.sls", "steal"]);
    assert_ne!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.matches("Result: False").count(), 3, "{out:?}");
    for i in 1..=3 {
        assert!(!c.path(&format!("node1/copied{i}")).exists());
    }
}

/// A raw TLS client on the master's port, speaking the wire by hand.
struct Peer {
    reader: FrameReader<tokio::io::ReadHalf<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>>,
    writer: FrameWriter<tokio::io::WriteHalf<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>>,
}

async fn peer(port: u16) -> Peer {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let config = tls::client_config(PinVerifier::new(Pin::FirstUse)).expect("tls config");
    let name = ServerName::try_from("salt").expect("name");
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(&config)).connect(name, tcp).await.expect("handshake");
    let (rd, wr) = tokio::io::split(stream);
    let mut p = Peer { reader: FrameReader::new(rd), writer: FrameWriter::new(wr) };
    let challenge = p.reader.read::<ToMinion>().await.expect("challenge");
    assert!(matches!(challenge, Some(ToMinion::Challenge { .. })), "{challenge:?}");
    p
}

/// After a protocol violation the master answers nothing and closes.
async fn closed(p: &mut Peer) -> bool {
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), p.reader.read::<ToMinion>()).await;
    matches!(next, Ok(Ok(None)) | Ok(Err(_)))
}

#[test]
fn cve_2020_11651_an_unauthenticated_peer_cannot_call_the_master() {
    let mut c = Cluster::new("unauth", json!({"auto_accept": true}));
    c.file("salt/x.txt", "x\n");
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let mut p = peer(c.port).await;
        let ask = ToMaster::Request { req: 1, request: Request::File { saltenv: "base".into(), path: "x.txt".into(), hash: None, offset: Some(0) } };
        p.writer.write(&ask).await.expect("send");
        assert!(closed(&mut p).await, "the master answered an unauthenticated request");

        let mut p = peer(c.port).await;
        let auth = ToMaster::Auth { id: "../../etc".into(), key: "k".into(), sig: "s".into() };
        p.writer.write(&auth).await.expect("send");
        assert!(closed(&mut p).await, "the master accepted an invalid id");
    });
    assert!(c.log("master").contains("expected an authentication message"));
    assert!(c.log("master").contains("invalid minion id"));
    assert_eq!(c.salt(&["node1", "test.ping"]).stdout, "node1:\n    True\n");
}

#[test]
fn oversized_and_malformed_frames_close_only_their_session() {
    let mut c = Cluster::new("frames", json!({"auto_accept": true}));
    c.start_master();
    c.start_minion("node1", json!({}));
    c.wait_ping(&["node1"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let mut big = peer_raw(c.port).await;
        big.write_all(&(64u32 * 1024 * 1024).to_be_bytes()).await.expect("send header");
        big.flush().await.expect("flush");
        let mut bad = peer_raw(c.port).await;
        bad.write_all(&[0, 0, 0, 5, b'{', b'x', b'x', b'x', b'}']).await.expect("send garbage");
        bad.flush().await.expect("flush");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    });
    wait_for("the master to log both closures", 10, || {
        let log = c.log("master");
        log.contains("exceeds the limit") && log.contains("malformed message")
    });
    assert_eq!(c.salt(&["node1", "test.ping"]).stdout, "node1:\n    True\n");
}

/// A TLS stream past the challenge, for writing raw bytes.
async fn peer_raw(port: u16) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let config = tls::client_config(PinVerifier::new(Pin::FirstUse)).expect("tls config");
    let name = ServerName::try_from("salt").expect("name");
    let mut stream = tokio_rustls::TlsConnector::from(config).connect(name, tcp).await.expect("handshake");
    let mut header = [0u8; 4];
    tokio::io::AsyncReadExt::read_exact(&mut stream, &mut header).await.expect("challenge header");
    let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
    tokio::io::AsyncReadExt::read_exact(&mut stream, &mut body).await.expect("challenge body");
    stream
}
