//! The master's local CLI socket (`<sock_dir>/master.sock`, mode 0600 in a
//! 0700 directory): `salt` and `salt-run` send one request each and read the
//! events back. Only the master's own user (or root) may connect; the peer's
//! uid is checked as well as the file mode.
//!
//! It must not format output: the CLIs do.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use brine_common::wire::{CliEvent, CliRequest};
use brine_common::daemon::conn::{FrameReader, FrameWriter};
use brine_common::daemon::keys;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

use crate::context::{path_opt, Master, MasterError};
use crate::{publish, runners};

/// The socket path of a master with these options.
pub fn socket_path(opts: &brine_common::Map) -> PathBuf {
    path_opt(opts, "sock_dir", "/var/run/salt/master").join("master.sock")
}

/// Create the socket (replacing a stale one).
pub fn bind(path: &Path) -> Result<UnixListener, MasterError> {
    let io = |what: &str, source| MasterError::Io { what: format!("{what} {}", path.display()), source };
    if let Some(dir) = path.parent() {
        keys::create_private_dir(dir)?;
    }
    if path.exists() {
        std::fs::remove_file(path).map_err(|e| io("removing", e))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| io("binding", e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| io("chmod", e))?;
    Ok(listener)
}

/// Serve CLI connections until shutdown.
pub async fn serve(master: Arc<Master>, listener: UnixListener, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        match accepted {
            Ok((stream, _)) if peer_allowed(&stream) => {
                tokio::spawn(handle(master.clone(), stream));
            }
            Ok(_) => log::warn!("refused a CLI connection from another user"),
            Err(e) => log::warn!("accepting a CLI connection failed: {e}"),
        }
    }
}

fn peer_allowed(stream: &UnixStream) -> bool {
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    stream.peer_cred().is_ok_and(|c| c.uid() == me || c.uid() == 0)
}

async fn handle(master: Arc<Master>, stream: UnixStream) {
    let (rd, wr) = stream.into_split();
    let (mut reader, mut writer) = (FrameReader::new(rd), FrameWriter::new(wr));
    let request = match tokio::time::timeout(Duration::from_secs(10), reader.read::<CliRequest>()).await {
        Ok(Ok(Some(r))) => r,
        Ok(Ok(None)) => return,
        Ok(Err(e)) => return log::warn!("bad CLI request: {e}"),
        Err(_) => return log::warn!("a CLI connection sent no request"),
    };
    let (tx, mut rx) = mpsc::channel::<CliEvent>(64);
    let work = async move {
        match request {
            CliRequest::Publish(req) => publish::publish(master, req, tx).await,
            CliRequest::Runner { fun, arg, kwarg } => {
                let (ret, retcode) = runners::run(&master, &fun, &arg, &kwarg).await;
                let _ = tx.send(CliEvent::RunnerResult { ret, retcode }).await;
            }
        }
    };
    let forward = async move {
        while let Some(event) = rx.recv().await {
            if writer.write(&event).await.is_err() {
                break;
            }
        }
        writer.shutdown().await;
    };
    tokio::join!(work, forward);
}
