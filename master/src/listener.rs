//! The master's TLS port (`interface`:`ret_port`): accepts minion
//! connections and hands each to its own session task.
//!
//! It must not authenticate or talk to minions itself: `session` does.

use std::sync::Arc;

use brine_common::Value;
use brine_common::daemon::tls;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::context::{int_opt, Master, MasterError};
use crate::session;

/// Bind the port; the returned listener is served by [`serve`].
pub async fn bind(master: &Master) -> Result<TcpListener, MasterError> {
    let interface = master.opts.get("interface").map(Value::py_str).unwrap_or_else(|| "0.0.0.0".into());
    let port = int_opt(&master.opts, "ret_port", 4506);
    let port = u16::try_from(port).map_err(|_| MasterError::Io {
        what: format!("ret_port {port}"),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a port number"),
    })?;
    TcpListener::bind((interface.as_str(), port))
        .await
        .map_err(|source| MasterError::Io { what: format!("binding {interface}:{port}"), source })
}

/// Accept minions until shutdown.
pub async fn serve(master: Arc<Master>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) -> Result<(), MasterError> {
    let acceptor = TlsAcceptor::from(tls::server_config(&master.key)?);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return Ok(()),
        };
        match accepted {
            Ok((tcp, peer)) => {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(session::serve(master.clone(), tcp, peer, acceptor.clone(), shutdown.clone()));
            }
            Err(e) => {
                log::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
