//! Frame codec: `u32` big-endian length, then that many bytes of JSON.
//!
//! It must not interpret message contents beyond JSON (de)serialisation.

use std::io::{Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Length of the frame header.
pub const HEADER_LEN: usize = 4;
/// The largest frame body accepted or sent (16 MiB).
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// Why a frame could not be read or written. Any of these ends the session it happened on.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("frame of {len} bytes exceeds the limit of {MAX_FRAME_LEN} bytes")]
    TooLarge { len: usize },
    #[error("empty frame")]
    Empty,
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("connection closed in the middle of a frame")]
    Truncated,
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Serialise `msg` into one frame (header and body).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, WireError> {
    let body = serde_json::to_vec(msg).map_err(|e| WireError::Malformed(e.to_string()))?;
    if body.len() > MAX_FRAME_LEN {
        return Err(WireError::TooLarge { len: body.len() });
    }
    let len = u32::try_from(body.len()).map_err(|_| WireError::TooLarge { len: body.len() })?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Look at the start of `buf`: `Ok(None)` while the frame is incomplete,
/// `Ok(Some(len))` with the body length once header and body are there.
/// The header alone decides [`WireError::TooLarge`], before the body arrives.
pub fn check_frame(buf: &[u8]) -> Result<Option<usize>, WireError> {
    let Some(header) = buf.get(..HEADER_LEN) else { return Ok(None) };
    let len = body_len(header)?;
    Ok((buf.len() >= HEADER_LEN + len).then_some(len))
}

fn body_len(header: &[u8]) -> Result<usize, WireError> {
    let bytes: [u8; HEADER_LEN] = header.try_into().map_err(|_| WireError::Truncated)?;
    let len = u32::from_be_bytes(bytes) as usize;
    match len {
        0 => Err(WireError::Empty),
        n if n > MAX_FRAME_LEN => Err(WireError::TooLarge { len: n }),
        n => Ok(n),
    }
}

/// Parse a frame body into a message.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(body).map_err(|e| WireError::Malformed(e.to_string()))
}

/// Write one message on a blocking stream.
pub fn write_frame<W: Write, T: Serialize>(w: &mut W, msg: &T) -> Result<(), WireError> {
    w.write_all(&encode(msg)?)?;
    w.flush()?;
    Ok(())
}

/// Read one message from a blocking stream; `Ok(None)` on a clean end of stream.
pub fn read_frame<R: Read, T: DeserializeOwned>(r: &mut R) -> Result<Option<T>, WireError> {
    let mut header = [0u8; HEADER_LEN];
    if !read_exact_or_eof(r, &mut header)? {
        return Ok(None);
    }
    let len = body_len(&header)?;
    let mut body = vec![0u8; len];
    if !read_exact_or_eof(r, &mut body)? {
        return Err(WireError::Truncated);
    }
    parse(&body).map(Some)
}

/// Fill `buf`; `false` if the stream ended before the first byte, an error if it ended later.
fn read_exact_or_eof<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<bool, WireError> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(WireError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{CliRequest, ToMaster, ToMinion};

    #[test]
    fn round_trip_through_a_stream() {
        let msg = ToMinion::Ack { jid: "20240101000000000000".into() };
        let mut buf = Vec::new();
        write_frame(&mut buf, &msg).unwrap();
        assert_eq!(check_frame(&buf).unwrap(), Some(buf.len() - HEADER_LEN));
        let back: ToMinion = read_frame(&mut buf.as_slice()).unwrap().unwrap();
        assert_eq!(back, msg);
        let none: Option<ToMinion> = read_frame(&mut [].as_slice()).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn oversize_header_is_refused_before_the_body() {
        let header = ((MAX_FRAME_LEN + 1) as u32).to_be_bytes();
        assert!(matches!(check_frame(&header), Err(WireError::TooLarge { .. })));
        let r: Result<Option<ToMaster>, _> = read_frame(&mut header.as_slice());
        assert!(matches!(r, Err(WireError::TooLarge { .. })));
    }

    #[test]
    fn partial_frames_wait_and_truncated_streams_fail() {
        let frame = encode(&ToMinion::Ack { jid: "1".into() }).unwrap();
        assert_eq!(check_frame(&frame[..2]).unwrap(), None);
        assert_eq!(check_frame(&frame[..frame.len() - 1]).unwrap(), None);
        let r: Result<Option<ToMinion>, _> = read_frame(&mut &frame[..frame.len() - 1]);
        assert!(matches!(r, Err(WireError::Truncated)));
    }

    #[test]
    fn unknown_and_malformed_messages_are_errors() {
        assert!(matches!(parse::<ToMaster>(b"{\"type\":\"shell\"}"), Err(WireError::Malformed(_))));
        assert!(matches!(parse::<ToMaster>(b"{not json"), Err(WireError::Malformed(_))));
        assert!(matches!(parse::<CliRequest>(b"[]"), Err(WireError::Malformed(_))));
        assert!(matches!(check_frame(&[0, 0, 0, 0]), Err(WireError::Empty)));
    }

    /// xorshift64*: deterministic bytes for the property test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const SEEDS: &[&[u8]] = &[
        br#"{"type":"auth","id":"node1","key":"k","sig":"s"}"#,
        br#"{"type":"return","jid":"1","id":"a","fun":"test.ping","return":true,"retcode":0,"success":true}"#,
        br#"{"type":"request","req":7,"request":{"type":"file","saltenv":"base","path":"a/b","hash":null}}"#,
        br#"{"type":"publish","job":"{}","sig":"AAAA"}"#,
        br#"{"type":"publish","tgt":"*","tgt_type":"glob","fun":"test.ping","arg":[],"kwarg":{},"timeout":5,"wait":true}"#,
        br#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["#,
    ];

    fn mutate(rng: &mut Rng) -> Vec<u8> {
        let mut body = SEEDS[rng.below(SEEDS.len())].to_vec();
        for _ in 0..rng.below(8) {
            let at = rng.below(body.len() + 1);
            match rng.below(3) {
                0 if at < body.len() => body[at] = rng.next() as u8,
                1 => body.insert(at, rng.next() as u8),
                _ if at < body.len() => {
                    body.remove(at);
                }
                _ => {}
            }
        }
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        if rng.below(4) == 0 {
            frame = (rng.next() as u32).to_be_bytes().to_vec();
        }
        frame.extend(body);
        frame.truncate(rng.below(frame.len() + 8).min(frame.len()));
        frame
    }

    fn decode_all(bytes: &[u8]) {
        if let Ok(Some(len)) = check_frame(bytes) {
            let body = &bytes[HEADER_LEN..HEADER_LEN + len];
            let _ = parse::<ToMaster>(body);
            let _ = parse::<ToMinion>(body);
            let _ = parse::<CliRequest>(body);
            let _ = parse::<crate::wire::CliEvent>(body);
            let _ = parse::<crate::wire::Job>(body);
        }
        let _ = read_frame::<_, ToMaster>(&mut &bytes[..]);
    }

    /// Bounded-time property test: no input makes the decoder or parser panic.
    #[test]
    fn decoder_and_parser_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let mut rounds = 0u64;
        while std::time::Instant::now() < deadline {
            let bytes = if rng.below(2) == 0 {
                mutate(&mut rng)
            } else {
                (0..rng.below(64)).map(|_| rng.next() as u8).collect()
            };
            decode_all(&bytes);
            rounds += 1;
        }
        assert!(rounds > 1000, "only {rounds} rounds");
    }
}
