//! Messages on a master/minion TLS session, one enum per direction.
//!
//! The session opens with [`ToMinion::Challenge`], answered by
//! [`ToMaster::Auth`] and settled by [`ToMinion::Auth`]; an accepted minion
//! then sends [`ToMaster::Hello`] with its grains. Jobs travel as signed JSON
//! text ([`ToMinion::Publish`]): the signature covers exactly the bytes of
//! `job`, which the minion parses into a [`Job`] only after checking it.
//!
//! It must not sign, verify or act on anything: that belongs to the daemons.

use serde::{Deserialize, Serialize};

use super::json;
use crate::{Map, Value};

/// Master to minion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToMinion {
    /// A fresh nonce (hex) the minion signs together with the TLS exporter value.
    Challenge { nonce: String },
    /// The master's verdict on the minion's key.
    Auth { status: AuthStatus },
    /// A job: `job` is the JSON text of a [`Job`], `sig` the master's signature of it (base64).
    Publish { job: String, sig: String },
    /// The master has stored the return of `jid`; the minion may forget it.
    Ack { jid: String },
    /// The answer to the minion's request `req`.
    Reply { req: u64, reply: Reply },
    /// Is job `jid` still running? Answered by [`ToMaster::JobStatus`].
    FindJob { req: u64, jid: String },
}

/// Minion to master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToMaster {
    /// The minion's id, its public key (PEM) and its signature of the challenge (base64).
    Auth { id: String, key: String, sig: String },
    /// Sent once accepted: the minion's grains, for targeting and pillar.
    Hello {
        #[serde(with = "json::map")]
        grains: Map,
    },
    /// The outcome of a job.
    Return(JobReturn),
    /// A request the master answers with [`ToMinion::Reply`] carrying the same `req`.
    Request { req: u64, request: Request },
    /// The answer to [`ToMinion::FindJob`].
    JobStatus { req: u64, running: bool },
}

/// How the master sees a minion's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStatus {
    Accepted,
    Pending,
    Rejected,
    Denied,
}

/// What a minion may ask its master for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// The fileserver's saltenvs.
    Envs,
    /// The SLS names of a saltenv.
    ListStates { saltenv: String },
    /// Every file of a saltenv, relative to its roots.
    FileList { saltenv: String },
    /// A file from byte `offset` on (at most [`FILE_CHUNK`] bytes come
    /// back), with the sha256 (hex) of the copy the minion already has
    /// (looked at when `offset` is 0 only). Older minions send no offset and
    /// get the whole file in one reply, as before chunks, when it fits.
    File {
        saltenv: String,
        path: String,
        hash: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
    },
    /// This minion's pillar.
    Pillar { saltenv: Option<String>, pillarenv: Option<String> },
    /// Store this minion's mine data (`mine.update`), replacing it all when `clear`.
    MineUpdate {
        #[serde(with = "json::map")]
        data: Map,
        clear: bool,
    },
    /// Forget this minion's mine data of function `fun` (`mine.delete`).
    MineDelete { fun: String },
    /// The mine data of function(s) `fun` (comma-separated) of the minions `tgt` names (`mine.get`).
    MineGet {
        #[serde(with = "json::value")]
        tgt: Value,
        tgt_type: String,
        fun: String,
    },
}

/// The master's answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    Names { names: Vec<String> },
    File(FileReply),
    Pillar {
        #[serde(with = "json::map")]
        pillar: Map,
    },
    /// A function's return, computed on the master.
    Data {
        #[serde(with = "json::value")]
        data: Value,
    },
    Error { message: String },
}

/// The most raw bytes of a file one [`FileReply::Content`] carries (base64
/// makes them a third larger, still well inside a frame).
pub const FILE_CHUNK: u64 = 4 << 20;

const _: () = assert!(FILE_CHUNK.div_ceil(3) * 4 + 64 * 1024 < super::MAX_FRAME_LEN as u64);

/// The fileserver's answer to [`Request::File`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum FileReply {
    /// The minion's copy has the same hash.
    Unchanged,
    /// Bytes of the file (base64) from the requested offset, at most
    /// [`FILE_CHUNK`] of them, and the sha256 (hex) of the whole file.
    /// `size` is the whole file's length; it is left out when `data` is the
    /// whole file, so that older minions still read files of one chunk.
    Content {
        data: String,
        hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<u64>,
    },
    NotFound,
    /// The path leaves the file roots or is otherwise not servable.
    Refused { reason: String },
}

/// A job as published (Salt's load: `jid`, `tgt`, `tgt_type`, `fun`, `arg`, `kwarg`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub jid: String,
    #[serde(with = "json::value")]
    pub tgt: Value,
    pub tgt_type: String,
    pub fun: String,
    #[serde(with = "json::list")]
    pub arg: Vec<Value>,
    #[serde(with = "json::map")]
    pub kwarg: Map,
    pub delimiter: String,
}

/// A minion's return for one job (Salt's `{jid, id, fun, return, retcode, success}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobReturn {
    pub jid: String,
    pub id: String,
    pub fun: String,
    #[serde(rename = "return", with = "json::value")]
    pub ret: Value,
    pub retcode: i32,
    pub success: bool,
    /// The outputter the function asks for (`highstate` for state runs).
    #[serde(default)]
    pub out: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{encode, parse, HEADER_LEN};

    #[test]
    fn returns_use_salt_field_names() {
        let r = JobReturn {
            jid: "20240101000000000000".into(),
            id: "node1".into(),
            fun: "test.ping".into(),
            ret: Value::Bool(true),
            retcode: 0,
            success: true,
            out: None,
        };
        let frame = encode(&ToMaster::Return(r.clone())).unwrap();
        let text = String::from_utf8_lossy(&frame[HEADER_LEN..]).into_owned();
        assert!(text.contains("\"return\":true"), "{text}");
        assert_eq!(parse::<ToMaster>(&frame[HEADER_LEN..]).unwrap(), ToMaster::Return(r));
    }

    #[test]
    fn requests_carry_their_correlation_id() {
        let m = ToMaster::Request { req: 42, request: Request::File { saltenv: "base".into(), path: "a".into(), hash: None, offset: Some(0) } };
        let back: ToMaster = parse(&encode(&m).unwrap()[HEADER_LEN..]).unwrap();
        assert_eq!(back, m);
        let reply = ToMinion::Reply { req: 42, reply: Reply::File(FileReply::NotFound) };
        assert_eq!(parse::<ToMinion>(&encode(&reply).unwrap()[HEADER_LEN..]).unwrap(), reply);
    }

    #[test]
    fn file_requests_of_older_minions_have_no_offset() {
        let old: ToMaster = parse(br#"{"type":"request","req":1,"request":{"type":"file","saltenv":"base","path":"a","hash":null}}"#).unwrap();
        let ToMaster::Request { request: Request::File { offset, .. }, .. } = old else { panic!("{old:?}") };
        assert_eq!(offset, None);
        let m = ToMaster::Request { req: 2, request: Request::File { saltenv: "base".into(), path: "a".into(), hash: None, offset: Some(5) } };
        assert_eq!(parse::<ToMaster>(&encode(&m).unwrap()[HEADER_LEN..]).unwrap(), m);
        let whole = ToMinion::Reply { req: 1, reply: Reply::File(FileReply::Content { data: "YQ==".into(), hash: "h".into(), size: None }) };
        let text = String::from_utf8_lossy(&encode(&whole).unwrap()[HEADER_LEN..]).into_owned();
        assert!(!text.contains("size"), "{text}");
        assert!(parse::<ToMinion>(br#"{"type":"reply","req":1,"reply":{"type":"file","status":"content","data":"","hash":"h","size":3,"x":1}}"#).is_err());
    }

    #[test]
    fn floats_cross_the_wire_unchanged() {
        // Found by the message fuzzer: without exact float parsing these
        // came back one unit in the last place off after a round trip.
        for text in ["11844674407370955616", "118446744073709551616.5", "1.1844674407370957e19", "0.1", "2.2250738585072014e-308"] {
            let body = format!(r#"{{"type":"hello","grains":{{"x":{text}}}}}"#);
            let first: ToMaster = parse(body.as_bytes()).unwrap();
            let again: ToMaster = parse(&encode(&first).unwrap()[HEADER_LEN..]).unwrap();
            assert_eq!(again, first, "{text}");
            let ToMaster::Hello { grains } = first else { unreachable!() };
            assert_eq!(grains["x"], Value::Float(text.parse::<f64>().unwrap()), "{text}");
        }
    }

    #[test]
    fn extra_fields_are_refused() {
        assert!(parse::<ToMinion>(br#"{"type":"ack","jid":"1","evil":true}"#).is_err());
    }
}
