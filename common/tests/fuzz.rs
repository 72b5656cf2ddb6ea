//! Bounded-time fuzzing of the inputs brine-common reads from outside: the
//! YAML loader (every SLS, pillar and `import_yaml` file), the frame decoder
//! and the message parser of the wire. Each target is a plain `fn(&[u8])`
//! that must not panic; `support/fuzzer.rs` drives it for `BRINE_FUZZ_SECS`
//! seconds (default 10) from a seed corpus of real inputs.

#[path = "support/fuzzer.rs"]
mod fuzzer;

use std::path::Path;

use brine_common::wire::{
    check_frame, encode, parse, read_frame, AuthStatus, CliEvent, CliRequest, FileReply, Job, JobReturn, Missing,
    PublishRequest, Reply, Request, ToMaster, ToMinion, WireError, HEADER_LEN,
};
use brine_common::{yaml, Map, Value};

// ---- targets ---------------------------------------------------------------

/// The YAML loader on any text; what loads must dump and load again.
fn yaml_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(v) = yaml::load(&text) {
        let dumped = yaml::dump(&v, Some(false));
        let _ = yaml::load(&dumped);
        let _ = yaml::dump(&v, Some(true));
    }
}

/// The YAML loader's fast path: whatever it reads, the general loader
/// reads to the very same value (key order included).
fn yaml_fast_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(fast) = yaml::load_fast(&text) {
        match yaml::load_general(&text) {
            Ok(general) => assert_eq!(format!("{fast:?}"), format!("{general:?}"), "the fast path read {text:?} differently"),
            Err(e) => panic!("the fast path read {text:?}, which the general loader rejects: {e}"),
        }
    }
}

/// The frame decoder: a byte stream cut into frames as the session reader
/// does (`check_frame`, then the body), and the blocking `read_frame`.
fn frame_target(data: &[u8]) {
    let mut buf = data;
    while let Ok(Some(len)) = check_frame(buf) {
        let body = &buf[HEADER_LEN..HEADER_LEN + len];
        let _ = parse::<ToMaster>(body);
        let _ = parse::<ToMinion>(body);
        buf = &buf[HEADER_LEN + len..];
    }
    let mut stream = data;
    while let Ok(Some(_)) = read_frame::<_, ToMaster>(&mut stream) {}
    let mut stream = data;
    while let Ok(Some(_)) = read_frame::<_, CliEvent>(&mut stream) {}
}

/// The message parser: a frame body as each message type of the wire, and a
/// published job's text as the minion parses it; what parses must encode and
/// parse back to the same message.
fn message_target(data: &[u8]) {
    fn round_trip<T>(body: &[u8])
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        if let Ok(msg) = parse::<T>(body) {
            let frame = encode(&msg).expect("a parsed message encodes");
            let back: T = parse(&frame[HEADER_LEN..]).expect("an encoded message parses");
            assert_eq!(back, msg, "the message changed on a round trip");
        }
    }
    round_trip::<ToMaster>(data);
    round_trip::<ToMinion>(data);
    round_trip::<CliRequest>(data);
    round_trip::<CliEvent>(data);
    round_trip::<Job>(data);
    if let Ok(ToMinion::Publish { job, .. }) = parse::<ToMinion>(data) {
        round_trip::<Job>(job.as_bytes());
    }
}

// ---- seeds -----------------------------------------------------------------

fn example_tree() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../srv-salt-example")
}

/// Every file of the bundled state tree (SLS, Jinja maps, configs).
fn tree_files() -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("the example tree").flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push(bytes);
            }
        }
    }
    let mut out = Vec::new();
    walk(&example_tree(), &mut out);
    out
}

const YAML_EDGE_CASES: &[&str] = &[
    "a: 1\nb: [1, 2, {c: d}]\n",
    "- &a {x: 1}\n- *a\n- <<: *a\n  y: 2\n",
    "base:\n  '*':\n    - common\n  'os:Debian':\n    - match: grain\n    - apache\n",
    "mode: 0644\non: yes\noff: No\nt: 2024-01-01\nf: .inf\nn: ~\nhex: 0x1F\noct: 0o17\nsexa: 1:30\n",
    "s: !!str 1\nb: !!binary aGVsbG8=\nset: !!set {a, b}\nomap: !!omap [a: 1]\n",
    "? [complex, key]\n: value\n? |\n  block key\n: v\n",
    "text: |\n  line 1\n   line 2\nfolded: >-\n  a\n  b\n",
    "\"quoted \\u263a \\x41\": 'single '' quote'\n",
    "%YAML 1.1\n---\na: 1\n...\n",
    "a: b\na: c\n",
    "--- !!map\n? a\n",
    "[a, b\n  c]\n",
    "{a: [b, {c: [d, {e: f}]}]}",
    "k: &x [*x]\n",
];

/// SLS text as Jinja leaves it: the block subset the fast path reads, and
/// its near misses.
const YAML_SUBSET_CASES: &[&str] = &[
    "nginx:\n  pkg.installed: []\n  service.running:\n    - enable: True\n    - reload: yes\n    - watch:\n      - file: /etc/nginx/nginx.conf\n",
    "/etc/nginx/nginx.conf:\n  file.managed:\n    - source: salt://nginx/nginx.conf\n    - mode: 0644\n    - user: 'root'\n    - contents: |\n        worker_processes 4;\n\n          events {}\n    - tail: |-\n        last\n\n",
    "base:\n  '*':\n    - common\n  \"node*\":\n  - web\n  -\n  - 1.5\n# comment\nother: ~\n",
    "a:\n  - b: 1\n    c:\n    - d\n  - e: {}\n    f: it's a:b\n  -   g: -1\n",
    "k: |\n  x\n y\nz: 1\n",
    "k: 'a''b'\nl: \"c d\"\nm: 2001-12-14\nn: 1e3\no: 0o17\np: 0x1F\nq: 1:30\n",
];

fn yaml_seeds() -> Vec<Vec<u8>> {
    let mut seeds = tree_files();
    seeds.extend(YAML_EDGE_CASES.iter().chain(YAML_SUBSET_CASES).map(|s| s.as_bytes().to_vec()));
    seeds
}

const YAML_TOKENS: &[&[u8]] = &[
    b"\n- ", b"\n  - ", b": |\n  ", b": |-\n", b"\n\n", b"\n    ", b" #", b"# c\n", b"'a''b'", b"\"q\"", b"[]", b"{}",
    b": ", b":", b"- ", b"? ", b"&a ", b"*a", b"<<: ", b"!!", b"!!str ", b"!!binary ", b"!!python/name:x", b"!tag ",
    b"|", b">-", b"|+2", b"---\n", b"...\n", b"%YAML 1.1\n", b"%TAG ! !x\n", b"[", b"]", b"{", b"}", b",", b"'",
    b"\"\\u", b"\"\\x4", b"  ", b"\n  ", b"0644", b"0x", b"0b101", b"1_000", b"2024-01-01 00:00:00", b".nan",
    b"1:20", b"~", b"yes", b"{% if x %}", b"{{ x }}",
];

fn messages() -> Vec<(Vec<u8>, &'static str)> {
    let mut grains = Map::default();
    grains.insert("os".into(), Value::str("Debian"));
    grains.insert("ipv4".into(), Value::List(vec![Value::str("10.0.0.1"), Value::str("127.0.0.1")]));
    grains.insert("num_cpus".into(), Value::Int(2));
    grains.insert("mem".into(), Value::Float(1.5));
    grains.insert("virtual".into(), Value::Null);
    let job = Job {
        jid: "20240101000000000001".into(),
        tgt: Value::str("web*"),
        tgt_type: "glob".into(),
        fun: "state.apply".into(),
        arg: vec![Value::str("nginx"), Value::Bool(true)],
        kwarg: [("test".to_string(), Value::Bool(true)), ("pillar".to_string(), Value::Map(grains.clone()))]
            .into_iter()
            .collect(),
        delimiter: ":".into(),
    };
    let ret = JobReturn {
        jid: job.jid.clone(),
        id: "node1".into(),
        fun: "test.ping".into(),
        ret: Value::Map(grains.clone()),
        retcode: 0,
        success: true,
        out: Some("highstate".into()),
    };
    let job_text = serde_json::to_string(&job).unwrap();
    let mut out: Vec<(Vec<u8>, &str)> = Vec::new();
    let mut add = |bytes: Vec<u8>, kind: &'static str| out.push((bytes[HEADER_LEN..].to_vec(), kind));
    add(encode(&ToMinion::Challenge { nonce: "00ff".repeat(16) }).unwrap(), "to_minion");
    add(encode(&ToMinion::Auth { status: AuthStatus::Pending }).unwrap(), "to_minion");
    add(encode(&ToMinion::Publish { job: job_text, sig: "AAAA".into() }).unwrap(), "to_minion");
    add(encode(&ToMinion::Ack { jid: job.jid.clone() }).unwrap(), "to_minion");
    add(encode(&ToMinion::Reply { req: 7, reply: Reply::File(FileReply::Content { data: "aGk=".into(), hash: "ab".into(), size: Some(3) }) }).unwrap(), "to_minion");
    add(encode(&ToMinion::Reply { req: 8, reply: Reply::Pillar { pillar: grains.clone() } }).unwrap(), "to_minion");
    add(encode(&ToMinion::Reply { req: 9, reply: Reply::Names { names: vec!["a".into()] } }).unwrap(), "to_minion");
    add(encode(&ToMinion::Reply { req: 10, reply: Reply::Error { message: "no".into() } }).unwrap(), "to_minion");
    add(encode(&ToMinion::FindJob { req: 11, jid: job.jid.clone() }).unwrap(), "to_minion");
    add(encode(&ToMaster::Auth { id: "node1".into(), key: "-----BEGIN PUBLIC KEY-----".into(), sig: "c2ln".into() }).unwrap(), "to_master");
    add(encode(&ToMaster::Hello { grains: grains.clone() }).unwrap(), "to_master");
    add(encode(&ToMaster::Return(ret.clone())).unwrap(), "to_master");
    add(encode(&ToMaster::Request { req: 1, request: Request::File { saltenv: "base".into(), path: "a/b.sls".into(), hash: Some("ff".into()), offset: Some(0) } }).unwrap(), "to_master");
    add(encode(&ToMaster::Request { req: 2, request: Request::Pillar { saltenv: None, pillarenv: Some("dev".into()) } }).unwrap(), "to_master");
    add(encode(&ToMaster::Request { req: 3, request: Request::MineGet { tgt: Value::List(vec![Value::str("a")]), tgt_type: "list".into(), fun: "x".into() } }).unwrap(), "to_master");
    add(encode(&ToMaster::Request { req: 4, request: Request::MineUpdate { data: grains.clone(), clear: true } }).unwrap(), "to_master");
    add(encode(&ToMaster::Request { req: 5, request: Request::Envs }).unwrap(), "to_master");
    add(encode(&ToMaster::JobStatus { req: 6, running: false }).unwrap(), "to_master");
    add(
        encode(&CliRequest::Publish(PublishRequest {
            tgt: Value::str("*"),
            tgt_type: "glob".into(),
            fun: "test.echo".into(),
            arg: vec![Value::str("{{ 7*7 }}")],
            kwarg: Map::default(),
            delimiter: ":".into(),
            timeout: 5,
            wait: true,
        }))
        .unwrap(),
        "cli_request",
    );
    add(encode(&CliRequest::Runner { fun: "jobs.list_jobs".into(), arg: vec![], kwarg: Map::default() }).unwrap(), "cli_request");
    add(encode(&CliEvent::Published { jid: job.jid.clone(), minions: vec!["node1".into()] }).unwrap(), "cli_event");
    add(encode(&CliEvent::Return(ret)).unwrap(), "cli_event");
    add(encode(&CliEvent::NoReturn { id: "node2".into(), reason: Missing::NotConnected }).unwrap(), "cli_event");
    add(encode(&CliEvent::Done).unwrap(), "cli_event");
    add(encode(&CliEvent::RunnerResult { ret: Value::Int(-1), retcode: 1 }).unwrap(), "cli_event");
    add(encode(&job).unwrap(), "job");
    out
}

fn message_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = messages().into_iter().map(|(b, _)| b).collect();
    seeds.push(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec());
    seeds
}

/// Valid frames, alone and several in one stream.
fn frame_seeds() -> Vec<Vec<u8>> {
    let frame = |body: &[u8]| [&(body.len() as u32).to_be_bytes()[..], body].concat();
    let bodies = message_seeds();
    let mut seeds: Vec<Vec<u8>> = bodies.iter().map(|b| frame(b)).collect();
    seeds.push(bodies.iter().take(4).map(|b| frame(b)).collect::<Vec<_>>().concat());
    seeds.push(vec![0, 0, 0, 0]);
    seeds.push(u32::MAX.to_be_bytes().to_vec());
    seeds
}

const JSON_TOKENS: &[&[u8]] = &[
    b"{", b"}", b"[", b"]", b",", b":", b"\"", b"\\u0000", b"\\ud800", b"\"type\":", b"\"publish\"", b"\"request\"",
    b"\"return\"", b"null", b"1e309", b"-0", b"18446744073709551616", b"-9223372036854775809", b"0.1e-400",
    b"\"jid\":\"1\"", b"\"req\":", b"\"evil\":1",
];

const FRAME_TOKENS: &[&[u8]] =
    &[b"\0\0\0\0", b"\0\0\0\x01", b"\x01\0\0\0", b"\0\xff\xff\xff", b"\xff\xff\xff\xff", b"\0\0\x01\0", b"{}", b"\"type\""];

// ---- tests -----------------------------------------------------------------

#[test]
fn fuzz_yaml_loader() {
    let seeds = yaml_seeds();
    let sls: Vec<_> = tree_files().into_iter().filter(|f| f.starts_with(b"{%") || f.contains(&b':')).collect();
    assert!(seeds.len() > 20, "the seed corpus is missing: {}", seeds.len());
    // The harness is live: plain seeds load, the bad ones fail with an error.
    assert!(matches!(yaml::load(YAML_EDGE_CASES[0]), Ok(Value::Map(_))));
    assert!(yaml::load("a: b\na: c\n").is_err());
    assert!(!sls.is_empty());
    let stats = fuzzer::fuzz("yaml_loader", &seeds, YAML_TOKENS, yaml_target);
    assert!(stats.execs >= 1);
}

#[test]
fn fuzz_yaml_fast_path() {
    let seeds = yaml_seeds();
    // The harness is live: the subset seeds take the fast path.
    for case in YAML_SUBSET_CASES.iter().take(4) {
        assert!(yaml::load_fast(case).is_some(), "the fast path gave up on {case:?}");
    }
    assert!(yaml::load_fast(YAML_EDGE_CASES[1]).is_none());
    let stats = fuzzer::fuzz("yaml_fast_path", &seeds, YAML_TOKENS, yaml_fast_target);
    assert!(stats.execs >= 1);
}

#[test]
fn fuzz_frame_decoder() {
    let seeds = frame_seeds();
    for s in seeds.iter().take(messages().len()) {
        let len = check_frame(s).expect("a valid frame").expect("a whole frame");
        assert_eq!(len, s.len() - HEADER_LEN);
    }
    assert!(matches!(check_frame(&[0, 0, 0, 0]), Err(WireError::Empty)));
    let stats = fuzzer::fuzz("frame_decoder", &seeds, FRAME_TOKENS, frame_target);
    assert!(stats.execs >= 1);
}

#[test]
fn fuzz_message_parser() {
    for (body, kind) in messages() {
        let ok = match kind {
            "to_minion" => parse::<ToMinion>(&body).is_ok(),
            "to_master" => parse::<ToMaster>(&body).is_ok(),
            "cli_request" => parse::<CliRequest>(&body).is_ok(),
            "cli_event" => parse::<CliEvent>(&body).is_ok(),
            _ => parse::<Job>(&body).is_ok(),
        };
        assert!(ok, "a valid {kind} message does not parse: {}", String::from_utf8_lossy(&body));
    }
    let seeds = message_seeds();
    let stats = fuzzer::fuzz("message_parser", &seeds, JSON_TOKENS, message_target);
    assert!(stats.execs >= 1);
}

/// Deep nesting is refused with an error naming the line and column, never a
/// stack overflow: block sequences, flow sequences and mappings, and aliases.
#[test]
fn deeply_nested_yaml_is_an_error() {
    for text in [
        "- ".repeat(100_000) + "x",
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        "a:\n".to_string() + &(1..1200).map(|i| format!("{}b:\n", " ".repeat(i))).collect::<String>(),
    ] {
        let err = yaml::load(&text).expect_err("nesting this deep must be refused");
        assert!(err.line >= 1, "{err:?}");
    }
}

/// Deeply nested JSON on the wire is a malformed message, not a crash.
#[test]
fn deeply_nested_json_is_malformed() {
    let body = format!("{{\"type\":\"hello\",\"grains\":{{\"a\":{}1{}}}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(parse::<ToMaster>(body.as_bytes()), Err(WireError::Malformed(_))));
}
