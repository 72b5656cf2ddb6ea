//! One minion's TLS session on the master: the challenge, the key decision,
//! then the message loop (grains, returns, file and pillar requests, job
//! status answers) until the minion leaves or the master stops.
//!
//! Anything unexpected (a malformed or oversized frame, a bad signature, an
//! invalid id, a message out of place) closes this session only, with the
//! reason logged. It must not publish jobs: `publish` does, through the
//! [`Session`] handle registered here.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use brine_common::wire::{AuthStatus, JobReturn, ToMaster, ToMinion};
use brine_common::daemon::conn::{FrameReader, FrameWriter};
use brine_common::daemon::handshake::{self, EXPORTER_LABEL, NONCE_LEN};
use brine_common::daemon::keys;
use ed25519_dalek::VerifyingKey;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

use crate::context::Master;
use crate::fileserver;
use crate::jid::is_jid;
use crate::pki::valid_id;
use crate::registry::Session;

/// How long a peer may take for the TLS handshake and for answering the challenge.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve one incoming connection to the end.
pub async fn serve(master: Arc<Master>, tcp: TcpStream, peer: SocketAddr, acceptor: TlsAcceptor, shutdown: watch::Receiver<bool>) {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return log::info!("TLS handshake with {peer} failed: {e}"),
        Err(_) => return log::info!("TLS handshake with {peer} timed out"),
    };
    let exporter = match tls.get_ref().1.export_keying_material([0u8; NONCE_LEN], EXPORTER_LABEL, None) {
        Ok(e) => e,
        Err(e) => return log::warn!("no TLS exporter for {peer}: {e}"),
    };
    let (rd, wr) = tokio::io::split(tls);
    let (mut reader, mut writer) = (FrameReader::new(rd), FrameWriter::new(wr));
    let (id, key) = match authenticate(&master, &mut reader, &mut writer, &exporter).await {
        Ok(Some(accepted)) => accepted,
        Ok(None) => return writer.shutdown().await,
        Err(reason) => return log::warn!("closing the session from {peer}: {reason}"),
    };
    log::info!("minion {id} connected from {peer}");
    let (tx, rx) = mpsc::channel(256);
    let session = master.registry.insert(&id, key, tx);
    let writer_task = tokio::spawn(write_loop(writer, rx));
    if let Err(reason) = read_loop(&master, &session, &mut reader, shutdown).await {
        log::warn!("closing the session of minion {id} ({peer}): {reason}");
    } else {
        log::info!("minion {id} disconnected");
    }
    master.registry.remove(&id, session.serial);
    drop(session);
    finish_writer(writer_task).await;
}

/// Let the writer send what is queued and close the TLS stream, or stop it after a second.
async fn finish_writer(mut writer_task: tokio::task::JoinHandle<()>) {
    if tokio::time::timeout(Duration::from_secs(1), &mut writer_task).await.is_err() {
        writer_task.abort();
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(mut writer: FrameWriter<W>, mut rx: mpsc::Receiver<ToMinion>) {
    while let Some(msg) = rx.recv().await {
        if let Err(e) = writer.write(&msg).await {
            log::info!("cannot write to a minion session: {e}");
            return;
        }
    }
    writer.shutdown().await;
}

/// The challenge and the key decision; `Ok(Some)` for an accepted minion.
async fn authenticate<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    master: &Master,
    reader: &mut FrameReader<R>,
    writer: &mut FrameWriter<W>,
    exporter: &[u8],
) -> Result<Option<(String, VerifyingKey)>, String> {
    let nonce = handshake::nonce();
    writer.write(&ToMinion::Challenge { nonce: handshake::hex(&nonce) }).await.map_err(|e| e.to_string())?;
    let answer = tokio::time::timeout(HANDSHAKE_TIMEOUT, reader.read::<ToMaster>())
        .await
        .map_err(|_| "no answer to the challenge".to_string())?
        .map_err(|e| e.to_string())?;
    let Some(ToMaster::Auth { id, key, sig }) = answer else { return Err("expected an authentication message".into()) };
    if !valid_id(&id) {
        return Err(format!("invalid minion id {id:?}"));
    }
    let key = keys::parse_public_pem(&key).ok_or_else(|| format!("minion {id} sent an unreadable public key"))?;
    let sig = base64::engine::general_purpose::STANDARD.decode(sig.as_bytes()).map_err(|_| format!("minion {id} sent a malformed signature"))?;
    if !handshake::verify_auth(&key, &nonce, exporter, &id, &sig) {
        return Err(format!("minion {id} failed the challenge: bad signature"));
    }
    let status = master.pki.authorize(&id, &key, &master.autosign).map_err(|e| e.to_string())?;
    log_decision(&id, status);
    writer.write(&ToMinion::Auth { status }).await.map_err(|e| e.to_string())?;
    Ok((status == AuthStatus::Accepted).then_some((id, key)))
}

fn log_decision(id: &str, status: AuthStatus) {
    match status {
        AuthStatus::Accepted => log::debug!("authenticated minion {id}"),
        AuthStatus::Pending => log::info!("Public key for minion {id} is pending acceptance"),
        AuthStatus::Rejected => log::info!("Public key rejected for {id}. Key is present in rejection key dir."),
        AuthStatus::Denied => log::error!(
            "Authentication attempt from {id} failed, the public keys did not match. This may be an attempt to compromise the Salt cluster."
        ),
    }
}

async fn read_loop<R: AsyncRead + Unpin>(
    master: &Arc<Master>,
    session: &Arc<Session>,
    reader: &mut FrameReader<R>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    loop {
        let msg = tokio::select! {
            m = reader.read::<ToMaster>() => m,
            _ = shutdown.changed() => return Ok(()),
        };
        match msg.map_err(|e| e.to_string())? {
            None => return Ok(()),
            Some(m) => handle(master, session, m).await?,
        }
    }
}

async fn handle(master: &Arc<Master>, session: &Arc<Session>, msg: ToMaster) -> Result<(), String> {
    match msg {
        ToMaster::Hello { grains } => {
            master.data.set_grains(&session.id, grains);
            refresh_pillar(master.clone(), session.id.clone());
        }
        ToMaster::Return(r) => handle_return(master, session, r).await,
        ToMaster::Request { req, request } => {
            let (m, s) = (master.clone(), session.clone());
            tokio::spawn(async move {
                if !m.pki.is_accepted(&s.id, &s.key) {
                    return log::warn!("minion {} is no longer accepted; its request is refused", s.id);
                }
                let (m2, id) = (m.clone(), s.id.clone());
                if let Ok(reply) = tokio::task::spawn_blocking(move || fileserver::answer(&m2, &id, request)).await {
                    s.send(ToMinion::Reply { req, reply }).await;
                }
            });
        }
        ToMaster::JobStatus { req, running } => session.job_status(req, running),
        ToMaster::Auth { .. } => return Err("authentication message inside an authenticated session".into()),
    }
    Ok(())
}

/// Compile a minion's pillar in the background so pillar targeting sees it.
fn refresh_pillar(master: Arc<Master>, id: String) {
    tokio::task::spawn_blocking(move || {
        fileserver::compile_pillar(&master, &id, None, None);
    });
}

/// Store a return, acknowledge it, and hand it to the waiting CLI.
async fn handle_return(master: &Master, session: &Session, mut r: JobReturn) {
    if !is_jid(&r.jid) {
        return log::warn!("minion {} sent a return with an invalid jid {:?}", session.id, r.jid);
    }
    if r.id != session.id {
        log::warn!("minion {} sent a return as {:?}; recording it as {}", session.id, r.id, session.id);
        r.id = session.id.clone();
    }
    let (jobs, copy) = (master.jobs.clone(), r.clone());
    match tokio::task::spawn_blocking(move || jobs.save_return(&copy)).await {
        Ok(Ok(())) => {
            session.send(ToMinion::Ack { jid: r.jid.clone() }).await;
        }
        Ok(Err(e)) => log::error!("cannot store the return of {} for {}: {e}", r.id, r.jid),
        Err(e) => log::error!("cannot store the return of {} for {}: {e}", r.id, r.jid),
    }
    master.waiters.deliver(r);
}
