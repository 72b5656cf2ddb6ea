//! The CLIs' side of the master's local socket: connect, send one request,
//! read the events back (blocking I/O; the CLIs need no runtime).
//!
//! It must not format anything.

use std::os::unix::net::UnixStream;

use brine_common::wire::{read_frame, write_frame, CliEvent, CliRequest, WireError};
use brine_common::Map;

use crate::cliserver::socket_path;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("Failed to connect to the Master, is the Salt Master running? ({path}: {source})")]
    Connect { path: String, source: std::io::Error },
    #[error("the master connection failed: {0}")]
    Wire(#[from] WireError),
}

/// A connection to the master's CLI socket.
pub struct Client {
    stream: UnixStream,
}

impl Client {
    /// Connect to the socket of the master configured by `opts`.
    pub fn connect(opts: &Map) -> Result<Client, ClientError> {
        let path = socket_path(opts);
        let stream = UnixStream::connect(&path).map_err(|source| ClientError::Connect { path: path.display().to_string(), source })?;
        Ok(Client { stream })
    }

    pub fn send(&mut self, request: &CliRequest) -> Result<(), ClientError> {
        Ok(write_frame(&mut self.stream, request)?)
    }

    /// The next event; `None` when the master closed the stream.
    pub fn next_event(&mut self) -> Result<Option<CliEvent>, ClientError> {
        Ok(read_frame(&mut self.stream)?)
    }
}
