//! Framed async I/O over one session (TLS stream or Unix socket), in the
//! manner of mini-redis's `Connection`: a reader that buffers bytes until a
//! whole frame is there, and a writer that sends one frame at a time.
//!
//! Reading is cancel-safe (bytes stay in the buffer), so it can sit in a
//! `select!`. It must not interpret messages beyond parsing them.

use crate::wire::{check_frame, encode, parse, WireError, HEADER_LEN};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Reads frames from one half of a session.
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(inner: R) -> Self {
        FrameReader { inner, buf: Vec::with_capacity(8 * 1024) }
    }

    /// The next message; `Ok(None)` when the peer closed cleanly between frames.
    pub async fn read<T: DeserializeOwned>(&mut self) -> Result<Option<T>, WireError> {
        loop {
            if let Some(len) = check_frame(&self.buf)? {
                let msg = parse(&self.buf[HEADER_LEN..HEADER_LEN + len]);
                self.buf.drain(..HEADER_LEN + len);
                return msg.map(Some);
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.inner.read(&mut chunk).await?;
            if n == 0 {
                return if self.buf.is_empty() { Ok(None) } else { Err(WireError::Truncated) };
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Writes frames to one half of a session.
pub struct FrameWriter<W> {
    inner: W,
}

impl<W: AsyncWrite + Unpin> FrameWriter<W> {
    pub fn new(inner: W) -> Self {
        FrameWriter { inner }
    }

    pub async fn write<T: Serialize>(&mut self, msg: &T) -> Result<(), WireError> {
        let frame = encode(msg)?;
        self.inner.write_all(&frame).await?;
        self.inner.flush().await?;
        Ok(())
    }

    /// Close the write side (TLS close_notify).
    pub async fn shutdown(&mut self) {
        let _ = self.inner.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ToMinion;

    #[tokio::test]
    async fn frames_cross_a_pipe_in_pieces() {
        let (a, b) = tokio::io::duplex(7);
        let mut w = FrameWriter::new(a);
        let mut r = FrameReader::new(b);
        let sent = ToMinion::Ack { jid: "20240101000000000000".into() };
        let s2 = sent.clone();
        let writer = tokio::spawn(async move {
            w.write(&s2).await.unwrap();
            w.write(&s2).await.unwrap();
        });
        assert_eq!(r.read::<ToMinion>().await.unwrap(), Some(sent.clone()));
        assert_eq!(r.read::<ToMinion>().await.unwrap(), Some(sent));
        writer.await.unwrap();
        assert_eq!(r.read::<ToMinion>().await.unwrap(), None);
    }

    #[tokio::test]
    async fn oversize_header_fails_without_reading_the_body() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(&u32::MAX.to_be_bytes()).await.unwrap();
        let mut r = FrameReader::new(b);
        assert!(matches!(r.read::<ToMinion>().await, Err(WireError::TooLarge { .. })));
    }
}
