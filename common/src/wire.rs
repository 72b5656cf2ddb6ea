//! The wire between brine processes: length-prefixed JSON frames and the
//! typed messages they carry.
//!
//! A frame is a 4-byte big-endian body length followed by a JSON body of at
//! most [`MAX_FRAME_LEN`] bytes. Each direction has its own message enum:
//! [`ToMinion`] and [`ToMaster`] on the master/minion TLS session,
//! [`CliRequest`] and [`CliEvent`] on the master's local CLI socket.
//! Requests a peer answers carry a correlation id (`req`) echoed in the reply.
//!
//! It must not do I/O beyond reading or writing one frame on a blocking
//! stream, nor know about TLS, keys or what a message means to its receiver;
//! oversized or malformed input is a [`WireError`], never a panic.

mod cli;
mod frame;
mod json;
mod session;

pub use cli::{CliEvent, CliRequest, Missing, PublishRequest};
pub use frame::{check_frame, encode, parse, read_frame, write_frame, WireError, HEADER_LEN, MAX_FRAME_LEN};
pub use session::{AuthStatus, FileReply, Job, JobReturn, Reply, Request, ToMaster, ToMinion, FILE_CHUNK};
