//! One connection of the minion to its master: TCP, TLS 1.3 with the master
//! key pinned, the signed answer to the master's challenge, then the message
//! loop (jobs, acknowledgements, replies, job status questions).
//!
//! It must not run jobs itself (`jobs` does) nor decide when to reconnect
//! (the caller does, from the [`End`] returned).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use brine_common::wire::{AuthStatus, ToMaster, ToMinion};
use brine_common::Value;
use brine_common::daemon::conn::{FrameReader, FrameWriter};
use brine_common::daemon::handshake::{self, EXPORTER_LABEL, NONCE_LEN};
use brine_common::daemon::keys;
use brine_common::daemon::tls::{self, Pin, PinVerifier, KEY_CHANGED};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use super::{jobs, pin, Minion};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The connection closed or failed: reconnect soon.
    Lost(String),
    /// The key waits for acceptance.
    Pending,
    /// The key was rejected or denied.
    Rejected,
    /// The master presented another key than the pinned one.
    KeyChanged,
    /// The minion is stopping.
    Shutdown,
}

/// Detaches the link when the session goes away, however it ends.
struct Attached<'a>(&'a Minion);

impl Drop for Attached<'_> {
    fn drop(&mut self) {
        self.0.link.detach();
    }
}

/// Connect, authenticate and serve until the session ends.
pub async fn run(m: &Arc<Minion>, shutdown: watch::Receiver<bool>) -> End {
    let pin = match pin::load(&m.pki_dir, &m.opts) {
        Ok(p) => p,
        Err(e) => return End::Lost(format!("cannot read the pinned master key: {e}")),
    };
    let verifier = PinVerifier::new(pin.clone());
    let tls = match connect(m, verifier.clone()).await {
        Ok(s) => s,
        Err(e) if e.contains(KEY_CHANGED) => return End::KeyChanged,
        Err(e) => return End::Lost(e),
    };
    let Some(master_key) = verifier.seen() else { return End::Lost("no master key seen".into()) };
    if !matches!(pin, Pin::Key(_)) {
        if let Err(e) = pin::save(&m.pki_dir, &master_key) {
            return End::Lost(format!("cannot pin the master key: {e}"));
        }
        log::info!("pinned the master key, fingerprint {}", keys::pem_finger(keys::public_pem(&master_key).as_bytes()));
    }
    m.set_master_key(master_key);
    let exporter = match tls.get_ref().1.export_keying_material([0u8; NONCE_LEN], EXPORTER_LABEL, None) {
        Ok(e) => e,
        Err(e) => return End::Lost(format!("no TLS exporter: {e}")),
    };
    let (rd, wr) = tokio::io::split(tls);
    let (mut reader, mut writer) = (FrameReader::new(rd), FrameWriter::new(wr));
    match authenticate(m, &mut reader, &mut writer, &exporter).await {
        Ok(AuthStatus::Accepted) => {}
        Ok(AuthStatus::Pending) => return End::Pending,
        Ok(_) => return End::Rejected,
        Err(e) => return End::Lost(e),
    }
    serve(m, reader, writer, shutdown).await
}

async fn connect(m: &Minion, verifier: Arc<PinVerifier>) -> Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
    let (host, port) = m.master_addr();
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| format!("connecting to {host}:{port} timed out"))?
        .map_err(|e| format!("cannot connect to the master at {host}:{port}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let connector = TlsConnector::from(tls::client_config(verifier).map_err(|e| e.to_string())?);
    let name = ServerName::try_from("salt").map_err(|e| e.to_string())?;
    tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp))
        .await
        .map_err(|_| "the TLS handshake with the master timed out".to_string())?
        .map_err(|e| format!("TLS handshake with the master failed: {e}"))
}

async fn authenticate<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    m: &Minion,
    reader: &mut FrameReader<R>,
    writer: &mut FrameWriter<W>,
    exporter: &[u8],
) -> Result<AuthStatus, String> {
    let challenge = tokio::time::timeout(CONNECT_TIMEOUT, reader.read::<ToMinion>()).await.map_err(|_| "no challenge from the master")?;
    let Some(ToMinion::Challenge { nonce }) = challenge.map_err(|e| e.to_string())? else {
        return Err("the master did not send a challenge".into());
    };
    let nonce = handshake::unhex(&nonce).filter(|n| n.len() == NONCE_LEN).ok_or("the master sent a malformed challenge")?;
    let sig = handshake::sign_auth(&m.key, &nonce, exporter, &m.id);
    let auth = ToMaster::Auth {
        id: m.id.clone(),
        key: keys::public_pem(&m.key.verifying_key()),
        sig: base64::engine::general_purpose::STANDARD.encode(sig),
    };
    writer.write(&auth).await.map_err(|e| e.to_string())?;
    let verdict = tokio::time::timeout(CONNECT_TIMEOUT, reader.read::<ToMinion>()).await.map_err(|_| "no verdict from the master")?;
    match verdict.map_err(|e| e.to_string())? {
        Some(ToMinion::Auth { status }) => Ok(status),
        Some(_) => Err("the master answered the authentication out of turn".into()),
        None => Err("the master closed the connection during authentication".into()),
    }
}

async fn serve<R, W>(m: &Arc<Minion>, mut reader: FrameReader<R>, writer: FrameWriter<W>, mut shutdown: watch::Receiver<bool>) -> End
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::channel(256);
    let mut writer_task = tokio::spawn(write_loop(writer, rx));
    m.link.attach(tx);
    let _attached = Attached(m);
    log::info!("connected to the master as {}", m.id);
    m.link.send(ToMaster::Hello { grains: m.grains.clone() }).await;
    let mine_timer = tokio::spawn(mine_loop(m.clone()));
    for ret in m.spool.all() {
        m.link.send(ToMaster::Return(ret)).await;
    }
    let end = loop {
        let msg = tokio::select! {
            r = reader.read::<ToMinion>() => r,
            _ = shutdown.changed() => break End::Shutdown,
        };
        match msg {
            Ok(Some(msg)) => {
                if let Err(reason) = handle(m, msg).await {
                    log::error!("closing the session with the master: {reason}");
                    break End::Lost(reason);
                }
            }
            Ok(None) => break End::Lost("the master closed the connection".into()),
            Err(e) => break End::Lost(format!("closing the session with the master: {e}")),
        }
    };
    m.link.detach();
    mine_timer.abort();
    if tokio::time::timeout(Duration::from_secs(1), &mut writer_task).await.is_err() {
        writer_task.abort();
    }
    end
}

/// `mine.update` now and every `mine_interval` minutes (Salt's default: 60) while the session lasts.
async fn mine_loop(m: Arc<Minion>) {
    let minutes = crate::setup::int_opt(&m.opts, "mine_interval", 60).clamp(1, 525_600) as u64;
    let mut every = tokio::time::interval(Duration::from_secs(minutes * 60));
    loop {
        every.tick().await;
        super::jobs::mine_update(&m);
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(mut writer: FrameWriter<W>, mut rx: mpsc::Receiver<ToMaster>) {
    while let Some(msg) = rx.recv().await {
        if let Err(e) = writer.write(&msg).await {
            log::info!("cannot write to the master: {e}");
            return;
        }
    }
    writer.shutdown().await;
}

/// Act on one message of the session; `Err` ends the session.
async fn handle(m: &Arc<Minion>, msg: ToMinion) -> Result<(), String> {
    match msg {
        // A job that fails verification is dropped, as Salt drops a payload
        // with an invalid signature; the session stays up for the next one.
        ToMinion::Publish { job, sig } => {
            if let Err(reason) = jobs::start(m, &job, &sig) {
                log::error!("refused a job from the master: {reason}");
            }
        }
        ToMinion::Ack { jid } => m.spool.remove(&jid),
        ToMinion::Reply { req, reply } => m.link.deliver(req, reply),
        ToMinion::FindJob { req, jid } => {
            let running = m.is_running(&jid);
            m.link.send(ToMaster::JobStatus { req, running }).await;
        }
        ToMinion::Challenge { .. } | ToMinion::Auth { .. } => return Err("authentication message inside a session".into()),
    }
    Ok(())
}

/// The master's host and port from `master` (the first if a list) and `master_port`.
pub fn master_addr(opts: &brine_common::Map) -> (String, u16) {
    let host = match opts.get("master") {
        Some(Value::List(l)) => l.first().map(Value::py_str),
        Some(v) if !v.is_null() => Some(v.py_str()),
        _ => None,
    }
    .unwrap_or_else(|| "salt".into());
    let port = match opts.get("master_port") {
        Some(Value::Int(p)) => u16::try_from(*p).ok(),
        Some(Value::Str(s)) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(4506);
    (host, port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;


    fn signed(key: &SigningKey, job: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(handshake::sign_job(key, job))
    }

    #[tokio::test]
    async fn job_with_bad_signature_is_refused() {
        let dir = std::env::temp_dir().join(format!("brine-session-{}", std::process::id()));
        let m = crate::daemon::test_minion(&dir);
        let master = SigningKey::from_bytes(&[9u8; 32]);
        m.set_master_key(master.verifying_key());
        let job = |jid: &str| {
            format!(r#"{{"jid":"{jid}","tgt":"node1","tgt_type":"glob","fun":"test.sleep","arg":[2],"kwarg":{{}},"delimiter":":"}}"#)
        };
        let other = SigningKey::from_bytes(&[1u8; 32]);
        let refused = [
            (job("20240101000000000001"), signed(&other, &job("20240101000000000001"))),
            (job("20240101000000000002"), "AAAA".to_string()),
            (job("20240101000000000003"), "not base64!".to_string()),
            (job("20240101000000000004").replace("node1", "*"), signed(&master, &job("20240101000000000004"))),
            (job("20240101000000000005"), signed(&master, &job("20240101000000000005"))[4..].to_string()),
        ];
        for (job, sig) in refused {
            // The session goes on (Ok), and the job never runs.
            assert_eq!(handle(&m, ToMinion::Publish { job, sig }).await, Ok(()));
            assert!(m.running_jobs().is_empty(), "a forged job runs");
        }
        // The positive control: the master's own signature starts the job.
        let good = job("20240101000000000006");
        assert!(jobs::start(&m, &good, &signed(&master, &good)).is_ok());
        assert_eq!(m.running_jobs().iter().map(|j| j.jid.as_str()).collect::<Vec<_>>(), ["20240101000000000006"]);
        for (job, sig) in [(good.clone(), signed(&other, &good)), (good.replace("test.sleep", "cmd.run"), signed(&master, &good))] {
            assert_eq!(jobs::start(&m, &job, &sig), Err("a job with a bad signature".to_string()));
        }
        // Messages that cannot come inside a session still end it.
        assert!(handle(&m, ToMinion::Challenge { nonce: "00".into() }).await.is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
