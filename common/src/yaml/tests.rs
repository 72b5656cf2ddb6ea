//! Loader and dumper checked against what Salt 3007.17 gives (expected
//! values and messages were produced by its `SaltYamlSafeLoader` and
//! `salt.utils.yaml.safe_dump`).

use super::*;
use crate::Value;

/// The expected value, written as JSON (`{"__float__": "inf"}` for the
/// floats JSON has no literal for).
fn expected(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Object(o) if o.contains_key("__float__") => {
            let text = o["__float__"].as_str().unwrap_or_default();
            Value::Float(text.parse().unwrap_or(f64::NAN))
        }
        serde_json::Value::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), expected(v))).collect()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(expected).collect()),
        other => Value::from_json(other),
    }
}

#[track_caller]
fn ok(src: &str, want: &str) {
    let want = expected(&serde_json::from_str(want).expect("test JSON"));
    match load(src) {
        Ok(got) => assert_eq!(got, want, "loading {src:?}"),
        Err(e) => panic!("loading {src:?} failed: {e}"),
    }
}

#[track_caller]
fn err(src: &str, message: &str, kind: YamlErrorKind) {
    match load(src) {
        Ok(v) => panic!("loading {src:?} gave {v:?}, expected an error"),
        Err(e) => {
            assert_eq!(e.message, message, "message for {src:?}");
            assert_eq!(e.kind, kind, "kind for {src:?}");
        }
    }
}

#[test]
fn bools() {
    ok("a: yes", "{\"a\": true}");
    ok("a: Yes", "{\"a\": true}");
    ok("a: YES", "{\"a\": true}");
    ok("a: no", "{\"a\": false}");
    ok("a: on", "{\"a\": true}");
    ok("a: Off", "{\"a\": false}");
    ok("a: TRUE", "{\"a\": true}");
    ok("a: False", "{\"a\": false}");
    ok("a: y", "{\"a\": \"y\"}");
    ok("a: n", "{\"a\": \"n\"}");
    ok("a: 'yes'", "{\"a\": \"yes\"}");
    ok("a: \"true\"", "{\"a\": \"true\"}");
    ok("a: yEs", "{\"a\": \"yEs\"}");
}

#[test]
fn nulls() {
    ok("a: ~", "{\"a\": null}");
    ok("a: null", "{\"a\": null}");
    ok("a: Null", "{\"a\": null}");
    ok("a: NULL", "{\"a\": null}");
    ok("a:", "{\"a\": null}");
    ok("a: None", "{\"a\": \"None\"}");
    ok("a: 'null'", "{\"a\": \"null\"}");
    ok("- ", "[null]");
    ok("~: 1", "{\"null\": 1}");
    ok("", "null");
    ok("# only a comment\n", "null");
    ok("---\n...\n", "null");
}

#[test]
fn ints() {
    ok("a: 0644", "{\"a\": 644}");
    ok("a: 010", "{\"a\": 10}");
    ok("a: 08", "{\"a\": \"08\"}");
    ok("a: 0o644", "{\"a\": \"0o644\"}");
    ok("a: 0x1F", "{\"a\": 31}");
    ok("a: -0x1F", "{\"a\": -31}");
    ok("a: 0b101", "{\"a\": 5}");
    ok("a: 1_000", "{\"a\": 1000}");
    ok("a: 1:20", "{\"a\": 80}");
    ok("a: 1:5:59", "{\"a\": 3959}");
    ok("a: -42", "{\"a\": -42}");
    ok("a: +7", "{\"a\": 7}");
    ok("a: 0", "{\"a\": 0}");
    ok("a: -0", "{\"a\": 0}");
    ok("a: 00", "{\"a\": 0}");
    ok("a: 0_644", "{\"a\": 644}");
    ok("a: -0644", "{\"a\": -420}");
    ok("a: +0644", "{\"a\": 420}");
    ok("a: 0x", "{\"a\": \"0x\"}");
    ok("a: 1:60", "{\"a\": \"1:60\"}");
    ok("a: 9223372036854775807", "{\"a\": 9223372036854775807}");
    ok("a: '0644'", "{\"a\": \"0644\"}");
}

#[test]
fn floats() {
    ok("a: 1e3", "{\"a\": \"1e3\"}");
    ok("a: 1.0e+3", "{\"a\": 1000.0}");
    ok("a: 1.5E-3", "{\"a\": 0.0015}");
    ok("a: 1.10", "{\"a\": 1.1}");
    ok("a: 1.10.2", "{\"a\": \"1.10.2\"}");
    ok("a: 1.", "{\"a\": 1.0}");
    ok("a: .5", "{\"a\": 0.5}");
    ok("a: +.5", "{\"a\": \"+.5\"}");
    ok("a: 1.e+5", "{\"a\": 100000.0}");
    ok("a: 190:20:30.15", "{\"a\": 685230.15}");
    ok("a: -1:20.5", "{\"a\": -80.5}");
    ok("a: 1_0.5", "{\"a\": 10.5}");
    ok("a: 1e+3", "{\"a\": \"1e+3\"}");
    ok("a: 1.5e3", "{\"a\": \"1.5e3\"}");
}

#[test]
fn timestamps() {
    ok("a: 2024-01-15", "{\"a\": \"2024-01-15\"}");
    ok("a: 2024-01-15 10:20:30", "{\"a\": \"2024-01-15 10:20:30\"}");
    ok("a: 2024-01-15T10:20:30Z", "{\"a\": \"2024-01-15T10:20:30Z\"}");
    ok("a: 2024-1-5 1:02:03.5 +01:00", "{\"a\": \"2024-1-5 1:02:03.5 +01:00\"}");
    ok("a: '2024-01-15'", "{\"a\": \"2024-01-15\"}");
    ok("a: !!timestamp 2024-01-15", "{\"a\": \"2024-01-15\"}");
}

#[test]
fn strings() {
    ok("a: x # comment", "{\"a\": \"x\"}");
    ok("a: 'x # not'", "{\"a\": \"x # not\"}");
    ok("a: \"a: b\"", "{\"a\": \"a: b\"}");
    ok("a: 'it''s'", "{\"a\": \"it's\"}");
    ok("a: \"tab\\there \\u263a \\x41 \\N \\_ \\L\"", "{\"a\": \"tab\\there \\u263a A \\u0085 \\u00a0 \\u2028\"}");
    ok("a: foo bar", "{\"a\": \"foo bar\"}");
    ok("a: salt://x/y", "{\"a\": \"salt://x/y\"}");
    ok("a: http://h:80/p#f", "{\"a\": \"http://h:80/p#f\"}");
    ok("a: <<x", "{\"a\": \"<<x\"}");
    ok("a: =x", "{\"a\": \"=x\"}");
    ok("a: \u{e9} \u{263a}", "{\"a\": \"\\u00e9 \\u263a\"}");
    ok("a: \"\\U0001F600\"", "{\"a\": \"\\ud83d\\ude00\"}");
    ok("a: -x", "{\"a\": \"-x\"}");
    ok("a: ''", "{\"a\": \"\"}");
    ok("a: \"\"", "{\"a\": \"\"}");
}

#[test]
fn multiline() {
    ok("a: |\n  one\n  two\n", "{\"a\": \"one\\ntwo\\n\"}");
    ok("a: >\n  one\n  two\n\n  three\n", "{\"a\": \"one two\\nthree\\n\"}");
    ok("a: |-\n  x\n", "{\"a\": \"x\"}");
    ok("a: >+\n  x\n\n\n", "{\"a\": \"x\\n\\n\\n\"}");
    ok("a: this is\n  plain\n  multi\n", "{\"a\": \"this is plain multi\"}");
    ok("a: |2\n    indented\n", "{\"a\": \"  indented\\n\"}");
    ok("a: 'one\n  two'\n", "{\"a\": \"one two\"}");
    ok("a: \"one\\\n  two\"\n", "{\"a\": \"onetwo\"}");
    ok("a: |\n  x\n\n\n", "{\"a\": \"x\\n\"}");
    ok("a: |\n\n\n", "{\"a\": \"\"}");
    ok("a: |+\n  x", "{\"a\": \"x\"}");
    ok("- |\n  x\n- >-\n  y\n  z\n", "[\"x\\n\", \"y z\"]");
    ok("a: \"x\n\n  y\"\n", "{\"a\": \"x\\ny\"}");
}

#[test]
fn flow() {
    ok("a: {x: 1, y: [2, 3]}", "{\"a\": {\"x\": 1, \"y\": [2, 3]}}");
    ok("a: [1, two, 3.0, true]", "{\"a\": [1, \"two\", 3.0, true]}");
    ok("a: []", "{\"a\": []}");
    ok("a: {}", "{\"a\": {}}");
    ok("[a: 1, b]", "[{\"a\": 1}, \"b\"]");
    ok("{a: , b: 2}", "{\"a\": null, \"b\": 2}");
    ok("a: [1,\n  2]\n", "{\"a\": [1, 2]}");
    ok("{? x : y}", "{\"x\": \"y\"}");
}

#[test]
fn anchors() {
    ok("a: &x 1\nb: *x", "{\"a\": 1, \"b\": 1}");
    ok("a: &m {k: v}\nb: *m", "{\"a\": {\"k\": \"v\"}, \"b\": {\"k\": \"v\"}}");
    ok("a: &l [1, 2]\nb: *l\nc: *l", "{\"a\": [1, 2], \"b\": [1, 2], \"c\": [1, 2]}");
    ok("base: &b\n  k1: v1\n  k2: v2\nm:\n  <<: *b\n  k3: v3\n", "{\"base\": {\"k1\": \"v1\", \"k2\": \"v2\"}, \"m\": {\"k1\": \"v1\", \"k2\": \"v2\", \"k3\": \"v3\"}}");
    ok("- &a {x: 1, y: 2}\n- &b {z: 3}\n- <<: [*a, *b]\n  w: 1\n", "[{\"x\": 1, \"y\": 2}, {\"z\": 3}, {\"z\": 3, \"x\": 1, \"y\": 2, \"w\": 1}]");
    ok("- &a {x: 1}\n- <<: *a\n  x: 2\n", "[{\"x\": 1}, {\"x\": 2}]");
    ok("- &a {x: 1, '1': 2}\n- <<: *a\n  01: 7\n", "[{\"x\": 1, \"1\": 2}, {\"x\": 1, \"1\": 7}]");
    ok("- &a {x: 1}\n- {<<: *a, <<: {y: 2}}\n", "[{\"x\": 1}, {\"x\": 1, \"y\": 2}]");
}

#[test]
fn tags() {
    ok("a: !!str 12", "{\"a\": \"12\"}");
    ok("a: !!int '12'", "{\"a\": 12}");
    ok("a: !!int \" 12 \"", "{\"a\": 12}");
    ok("a: !!float 1", "{\"a\": 1.0}");
    ok("a: !!float 1e3", "{\"a\": 1000.0}");
    ok("a: !!null x", "{\"a\": null}");
    ok("a: !!bool yes", "{\"a\": true}");
    ok("a: ! 12", "{\"a\": 12}");
    ok("a: ! \"12\"", "{\"a\": 12}");
    ok("a: !\nb: 1", "{\"a\": \"\", \"b\": 1}");
    ok("a: !!str", "{\"a\": \"\"}");
    ok("a: !!seq [1]", "{\"a\": [1]}");
    ok("a: !!map {b: 1}", "{\"a\": {\"b\": 1}}");
    ok("a: !!omap {b: 1}", "{\"a\": {\"b\": 1}}");
    ok("a: !!python/unicode x", "{\"a\": \"x\"}");
    ok("a: !!pairs [b: 1, c: 2]", "{\"a\": [[\"b\", 1], [\"c\", 2]]}");
    ok("a: !!set {b, c}", "{\"a\": {\"b\": null, \"c\": null}}");
    ok("a: !!int 0x_1F", "{\"a\": 31}");
}

#[test]
fn keys() {
    ok("1: a", "{\"1\": \"a\"}");
    ok("1.5: a", "{\"1.5\": \"a\"}");
    ok("true: a", "{\"true\": \"a\"}");
    ok("~: a", "{\"null\": \"a\"}");
    ok("null: a", "{\"null\": \"a\"}");
    ok(".inf: a", "{\"Infinity\": \"a\"}");
    ok("-.inf: a", "{\"-Infinity\": \"a\"}");
    ok("1e3: a", "{\"1e3\": \"a\"}");
    ok("0644: a", "{\"644\": \"a\"}");
    ok("2024-01-15: a", "{\"2024-01-15\": \"a\"}");
    ok("=: 1", "{\"=\": 1}");
    ok("'<<': 1", "{\"<<\": 1}");
    err("[1, 2]: a", "while constructing a mapping\nfound unacceptable key [ScalarNode(tag='tag:yaml.org,2002:int', value='1'), ScalarNode(tag='tag:yaml.org,2002:int', value='2')]\n  in \"<unicode string>\", line 1, column 1", YamlErrorKind::Constructor);
}

#[test]
fn documents() {
    ok("--- a\n", "\"a\"");
    ok("---\na: 1\n...\n", "{\"a\": 1}");
    ok("%YAML 1.1\n---\na: 1\n", "{\"a\": 1}");
    err("a: 1\n---\nb: 2\n", "expected a single document in the stream\n  in \"<unicode string>\", line 1, column 1\nbut found another document\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Composer);
    err("---\n---\n", "expected a single document in the stream\nbut found another document\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Composer);
    ok("\u{feff}a: 1\n", "{\"a\": 1}");
    ok("a: 1\r\nb: |\r\n  x\r\n  y\r\n", "{\"a\": 1, \"b\": \"x\\ny\\n\"}");
    ok("a: b\u{85}c: d\n", "{\"a\": \"b\", \"c\": \"d\"}");
}

#[test]
fn errors() {
    err("same-id:\n  test.nop: []\nother:\n  test.nop: []\nsame-id:\n  test.succeed_without_changes: []\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'same-id'\n  in \"<unicode string>\", line 5, column 1", YamlErrorKind::Constructor);
    err("nd:\n  test.nop:\n    - opts:\n        k: 1\n        k: 2\n", "while constructing a mapping\n  in \"<unicode string>\", line 4, column 9\nfound conflicting ID 'k'\n  in \"<unicode string>\", line 5, column 9", YamlErrorKind::Constructor);
    err("tabbed:\n\ttest.nop: []\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("1: a\ntrue: b\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'True'\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Constructor);
    ok("a: 1\n1.0: 2\n", "{\"a\": 1, \"1.0\": 2}");
    err("a: 1\na: !!int x\n", "invalid literal for int() with base 10: 'x'", YamlErrorKind::Value);
    err("a:\n  x: 1\n  x: 2\na: 3\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'a'\n  in \"<unicode string>\", line 4, column 1", YamlErrorKind::Constructor);
    err("a: *x", "found undefined alias\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Composer);
    err("a: &x 1\nb: &x 2", "found duplicate anchor; first occurrence\n  in \"<unicode string>\", line 1, column 4\nsecond occurrence\n  in \"<unicode string>\", line 2, column 4", YamlErrorKind::Composer);
    err("a: !!bool y", "'y'", YamlErrorKind::Value);
    err("a: 0_", "string index out of range", YamlErrorKind::Value);
    err("a: 0b_", "invalid literal for int() with base 2: ''", YamlErrorKind::Value);
    err("a: !!int x", "invalid literal for int() with base 10: 'x'", YamlErrorKind::Value);
    err("a: !!float x", "could not convert string to float: 'x'", YamlErrorKind::Value);
    err("a: !foo bar", "could not determine a constructor for the tag '!foo'\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err("a: !!str {b: 1}", "expected a scalar node, but found mapping\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err("a: !!seq x", "expected a sequence node, but found scalar\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err("a:\n  <<: 1\n", "while constructing a mapping\n  in \"<unicode string>\", line 2, column 3\nexpected a mapping or list of mappings for merging, but found scalar\n  in \"<unicode string>\", line 2, column 7", YamlErrorKind::Constructor);
    err("a:\n  <<: [1]\n", "while constructing a mapping\n  in \"<unicode string>\", line 2, column 3\nexpected a mapping for merging, but found scalar\n  in \"<unicode string>\", line 2, column 8", YamlErrorKind::Constructor);
    err("x: =\n", "could not determine a constructor for the tag 'tag:yaml.org,2002:value'\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err("x: <<\n", "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err("? [a]\n: b\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound unacceptable key [ScalarNode(tag='tag:yaml.org,2002:str', value='a')]\n  in \"<unicode string>\", line 1, column 3", YamlErrorKind::Constructor);
    err("? {a: 1}\n: b\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound unacceptable key [(ScalarNode(tag='tag:yaml.org,2002:str', value='a'), ScalarNode(tag='tag:yaml.org,2002:int', value='1'))]\n  in \"<unicode string>\", line 1, column 3", YamlErrorKind::Constructor);
    err("a: [1\n", "while parsing a flow sequence\n  in \"<unicode string>\", line 1, column 4\ndid not find expected ',' or ']'\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Parser);
    err("a: {b\n", "while parsing a flow mapping\n  in \"<unicode string>\", line 1, column 4\ndid not find expected ',' or '}'\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Parser);
    err("a: \"b\n", "while scanning a quoted scalar\n  in \"<unicode string>\", line 1, column 4\nfound unexpected end of stream\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("a: 'b\n", "while scanning a quoted scalar\n  in \"<unicode string>\", line 1, column 4\nfound unexpected end of stream\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("a: b: c\n", "mapping values are not allowed in this context\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("a: b\n  c: d\n", "mapping values are not allowed in this context\n  in \"<unicode string>\", line 2, column 4", YamlErrorKind::Scanner);
    err("a: b\nfoo\nc: d\n", "while scanning a simple key\n  in \"<unicode string>\", line 2, column 1\ncould not find expected ':'\n  in \"<unicode string>\", line 3, column 1", YamlErrorKind::Scanner);
    err("a:\n  - b\n  c: d\n", "while parsing a block collection\n  in \"<unicode string>\", line 2, column 3\ndid not find expected '-' indicator\n  in \"<unicode string>\", line 3, column 3", YamlErrorKind::Parser);
    err("- a\nb: c\n", "while parsing a block collection\n  in \"<unicode string>\", line 1, column 1\ndid not find expected '-' indicator\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Parser);
    err("[a, b]]\n", "did not find expected <document start>\n  in \"<unicode string>\", line 1, column 7", YamlErrorKind::Parser);
    err("a: @b\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Scanner);
    err("a: `b\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Scanner);
    err("a: |\n\tx\n", "while scanning a block scalar\n  in \"<unicode string>\", line 1, column 4\nfound a tab character where an indentation space is expected\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("a: \"\\q\"\n", "while parsing a quoted scalar\n  in \"<unicode string>\", line 1, column 4\nfound unknown escape character\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("a: \u{1}\n", "unacceptable character #x0001: control characters are not allowed\n  in \"<unicode string>\", position 3", YamlErrorKind::Reader);
    err("\u{e9}: \u{7}\n", "unacceptable character #x0007: control characters are not allowed\n  in \"<unicode string>\", position 4", YamlErrorKind::Reader);
    err("%FOO\n---\na\n", "while scanning a directive\n  in \"<unicode string>\", line 1, column 1\nfound unknown directive name\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("- &a b\n- *a\n- &a c\n", "found duplicate anchor; first occurrence\n  in \"<unicode string>\", line 1, column 3\nsecond occurrence\n  in \"<unicode string>\", line 3, column 3", YamlErrorKind::Composer);
}

