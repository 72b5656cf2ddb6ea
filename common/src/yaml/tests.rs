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
        serde_json::Value::Object(o) => {
            Value::Map(o.iter().map(|(k, v)| (k.clone(), expected(v))).collect())
        }
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

fn value(json: &str) -> Value {
    expected(&serde_json::from_str(json).expect("test JSON"))
}

/// `safe_dump` output with `default_flow_style` None, True and False.
#[track_caller]
fn dumps(json: &str, want: [&str; 3]) {
    let v = value(json);
    for (flow, want) in [None, Some(true), Some(false)].into_iter().zip(want) {
        assert_eq!(dump(&v, flow), want, "dumping {json} with flow {flow:?}");
    }
}

#[test]
fn compat_case_trees() {
    ok("check-bools:\n  test.nop:\n    - a_yes: yes\n    - a_no: no\n    - a_on: on\n    - a_off: off\n    - a_True: True\n    - a_FALSE: FALSE\n    - a_Yes: Yes\n    - a_OFF: OFF\n    - a_y: y\n    - a_n: n\n    - a_quoted_yes: 'yes'\n    - a_quoted_true: \"true\"\n", "{\"check-bools\": {\"test.nop\": [{\"a_yes\": true}, {\"a_no\": false}, {\"a_on\": true}, {\"a_off\": false}, {\"a_True\": true}, {\"a_FALSE\": false}, {\"a_Yes\": true}, {\"a_OFF\": false}, {\"a_y\": \"y\"}, {\"a_n\": \"n\"}, {\"a_quoted_yes\": \"yes\"}, {\"a_quoted_true\": \"true\"}]}}");
    ok("/srv/a:\n  file.managed:\n    - mode: 0644\n/srv/b:\n  file.managed:\n    - mode: '0644'\n/srv/c:\n  file.managed:\n    - mode: 644\n/srv/d:\n  file.managed:\n    - mode: 0o644\n/srv/e:\n  file.managed:\n    - mode: 0755\n", "{\"/srv/a\": {\"file.managed\": [{\"mode\": 644}]}, \"/srv/b\": {\"file.managed\": [{\"mode\": \"0644\"}]}, \"/srv/c\": {\"file.managed\": [{\"mode\": 644}]}, \"/srv/d\": {\"file.managed\": [{\"mode\": \"0o644\"}]}, \"/srv/e\": {\"file.managed\": [{\"mode\": 755}]}}");
    ok("check-multi:\n  test.nop:\n    - literal: |\n        line one\n        line two\n    - folded: >\n        folded one\n        folded two\n\n        new para\n    - strip: |-\n        no trailing newline\n    - keep: >+\n        keep trailing\n\n\n    - plain: this is\n        a plain multi\n        line scalar\n", "{\"check-multi\": {\"test.nop\": [{\"literal\": \"line one\\nline two\\n\"}, {\"folded\": \"folded one folded two\\nnew para\\n\"}, {\"strip\": \"no trailing newline\"}, {\"keep\": \"keep trailing\\n\\n\\n\"}, {\"plain\": \"this is a plain multi line scalar\"}]}}");
    ok("check-nested:\n  test.nop:\n    - flow_map: {a: 1, b: [x, y]}\n    - flow_list: [1, two, 3.0, true]\n    - base: &base\n        k1: v1\n        k2: v2\n    - alias: *base\n    - merged:\n        <<: *base\n        k3: v3\n", "{\"check-nested\": {\"test.nop\": [{\"flow_map\": {\"a\": 1, \"b\": [\"x\", \"y\"]}}, {\"flow_list\": [1, \"two\", 3.0, true]}, {\"base\": {\"k1\": \"v1\", \"k2\": \"v2\"}}, {\"alias\": {\"k1\": \"v1\", \"k2\": \"v2\"}}, {\"merged\": {\"k1\": \"v1\", \"k2\": \"v2\", \"k3\": \"v3\"}}]}}");
    ok("check-nulls:\n  test.nop:\n    - tilde: ~\n    - null_lc: null\n    - null_tc: Null\n    - null_uc: NULL\n    - empty:\n    - str_none: None\n", "{\"check-nulls\": {\"test.nop\": [{\"tilde\": null}, {\"null_lc\": null}, {\"null_tc\": null}, {\"null_uc\": null}, {\"empty\": null}, {\"str_none\": \"None\"}]}}");
    ok("check-numbers:\n  test.nop:\n    - octal: 010\n    - not_octal: 08\n    - hex: 0x1F\n    - underscore: 1_000\n    - sexagesimal: 1:20\n    - exp_nodot: 1e3\n    - exp_dot: 1.0e+3\n    - negative: -42\n    - plus: +7\n    - version: 1.10\n    - version_str: 1.10.2\n", "{\"check-numbers\": {\"test.nop\": [{\"octal\": 10}, {\"not_octal\": \"08\"}, {\"hex\": 31}, {\"underscore\": 1000}, {\"sexagesimal\": 80}, {\"exp_nodot\": \"1e3\"}, {\"exp_dot\": 1000.0}, {\"negative\": -42}, {\"plus\": 7}, {\"version\": 1.1}, {\"version_str\": \"1.10.2\"}]}}");
    ok("check-quoted:\n  test.nop:\n    - s_int: '123'\n    - s_float: \"1.5\"\n    - s_null: 'null'\n    - s_tilde: \"~\"\n    - s_empty: ''\n    - i_int: 123\n    - f_float: 1.5\n    - s_colon: \"a: b\"\n    - s_hash: 'x # not a comment'\n    - plain_hash: x # a comment\n", "{\"check-quoted\": {\"test.nop\": [{\"s_int\": \"123\"}, {\"s_float\": \"1.5\"}, {\"s_null\": \"null\"}, {\"s_tilde\": \"~\"}, {\"s_empty\": \"\"}, {\"i_int\": 123}, {\"f_float\": 1.5}, {\"s_colon\": \"a: b\"}, {\"s_hash\": \"x # not a comment\"}, {\"plain_hash\": \"x\"}]}}");
    ok(
        "d: 2024-01-15\no: 0644\n",
        "{\"d\": \"2024-01-15\", \"o\": 644}",
    );
    ok("check-stamps:\n  test.nop:\n    - date: 2024-01-15\n    - datetime: 2024-01-15 10:20:30\n    - iso: 2024-01-15T10:20:30Z\n    - quoted: '2024-01-15'\n", "{\"check-stamps\": {\"test.nop\": [{\"date\": \"2024-01-15\"}, {\"datetime\": \"2024-01-15 10:20:30\"}, {\"iso\": \"2024-01-15T10:20:30Z\"}, {\"quoted\": \"2024-01-15\"}]}}");
    err("same-id:\n  test.nop: []\nother:\n  test.nop: []\nsame-id:\n  test.succeed_without_changes: []\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'same-id'\n  in \"<unicode string>\", line 5, column 1", YamlErrorKind::Constructor);
    err("nd:\n  test.nop:\n    - opts:\n        k: 1\n        k: 2\n", "while constructing a mapping\n  in \"<unicode string>\", line 4, column 9\nfound conflicting ID 'k'\n  in \"<unicode string>\", line 5, column 9", YamlErrorKind::Constructor);
    err("tabbed:\n\ttest.nop: []\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
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
    ok(
        "a: 2024-01-15T10:20:30Z",
        "{\"a\": \"2024-01-15T10:20:30Z\"}",
    );
    ok(
        "a: 2024-1-5 1:02:03.5 +01:00",
        "{\"a\": \"2024-1-5 1:02:03.5 +01:00\"}",
    );
    ok("a: '2024-01-15'", "{\"a\": \"2024-01-15\"}");
    ok("a: !!timestamp 2024-01-15", "{\"a\": \"2024-01-15\"}");
}

#[test]
fn strings() {
    ok("a: x # comment", "{\"a\": \"x\"}");
    ok("a: 'x # not'", "{\"a\": \"x # not\"}");
    ok("a: \"a: b\"", "{\"a\": \"a: b\"}");
    ok("a: 'it''s'", "{\"a\": \"it's\"}");
    ok(
        "a: \"tab\\there \\u263a \\x41 \\N \\_ \\L\"",
        "{\"a\": \"tab\\there \\u263a A \\u0085 \\u00a0 \\u2028\"}",
    );
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
    ok(
        "a: >\n  one\n  two\n\n  three\n",
        "{\"a\": \"one two\\nthree\\n\"}",
    );
    ok("a: |-\n  x\n", "{\"a\": \"x\"}");
    ok("a: >+\n  x\n\n\n", "{\"a\": \"x\\n\\n\\n\"}");
    ok(
        "a: this is\n  plain\n  multi\n",
        "{\"a\": \"this is plain multi\"}",
    );
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
    ok("k: [a,\nb,\nc]\n", "{\"k\": [\"a\", \"b\", \"c\"]}");
    ok("k: {a: 1,\nb: 2}\n", "{\"k\": {\"a\": 1, \"b\": 2}}");
}

#[test]
fn anchors() {
    ok("a: &x 1\nb: *x", "{\"a\": 1, \"b\": 1}");
    ok(
        "a: &m {k: v}\nb: *m",
        "{\"a\": {\"k\": \"v\"}, \"b\": {\"k\": \"v\"}}",
    );
    ok(
        "a: &l [1, 2]\nb: *l\nc: *l",
        "{\"a\": [1, 2], \"b\": [1, 2], \"c\": [1, 2]}",
    );
    ok("base: &b\n  k1: v1\n  k2: v2\nm:\n  <<: *b\n  k3: v3\n", "{\"base\": {\"k1\": \"v1\", \"k2\": \"v2\"}, \"m\": {\"k1\": \"v1\", \"k2\": \"v2\", \"k3\": \"v3\"}}");
    ok(
        "- &a {x: 1, y: 2}\n- &b {z: 3}\n- <<: [*a, *b]\n  w: 1\n",
        "[{\"x\": 1, \"y\": 2}, {\"z\": 3}, {\"z\": 3, \"x\": 1, \"y\": 2, \"w\": 1}]",
    );
    ok(
        "- &a {x: 1}\n- <<: *a\n  x: 2\n",
        "[{\"x\": 1}, {\"x\": 2}]",
    );
    ok(
        "- &a {x: 1, '1': 2}\n- <<: *a\n  01: 7\n",
        "[{\"x\": 1, \"1\": 2}, {\"x\": 1, \"1\": 7}]",
    );
    ok(
        "- &a {x: 1}\n- {<<: *a, <<: {y: 2}}\n",
        "[{\"x\": 1}, {\"x\": 1, \"y\": 2}]",
    );
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
    ok(
        "a: !!pairs [b: 1, c: 2]",
        "{\"a\": [[\"b\", 1], [\"c\", 2]]}",
    );
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
    ok(
        "a: 1\r\nb: |\r\n  x\r\n  y\r\n",
        "{\"a\": 1, \"b\": \"x\\ny\\n\"}",
    );
    ok("a: b\u{85}c: d\n", "{\"a\": \"b\", \"c\": \"d\"}");
}

#[test]
fn errors() {
    err("same-id:\n  test.nop: []\nother:\n  test.nop: []\nsame-id:\n  test.succeed_without_changes: []\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'same-id'\n  in \"<unicode string>\", line 5, column 1", YamlErrorKind::Constructor);
    err("nd:\n  test.nop:\n    - opts:\n        k: 1\n        k: 2\n", "while constructing a mapping\n  in \"<unicode string>\", line 4, column 9\nfound conflicting ID 'k'\n  in \"<unicode string>\", line 5, column 9", YamlErrorKind::Constructor);
    err("tabbed:\n\ttest.nop: []\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("1: a\ntrue: b\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'True'\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Constructor);
    ok("a: 1\n1.0: 2\n", "{\"a\": 1, \"1.0\": 2}");
    err(
        "a: 1\na: !!int x\n",
        "invalid literal for int() with base 10: 'x'",
        YamlErrorKind::Value,
    );
    err("a:\n  x: 1\n  x: 2\na: 3\n", "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1\nfound conflicting ID 'a'\n  in \"<unicode string>\", line 4, column 1", YamlErrorKind::Constructor);
    err(
        "a: *x",
        "found undefined alias\n  in \"<unicode string>\", line 1, column 4",
        YamlErrorKind::Composer,
    );
    err("a: &x 1\nb: &x 2", "found duplicate anchor; first occurrence\n  in \"<unicode string>\", line 1, column 4\nsecond occurrence\n  in \"<unicode string>\", line 2, column 4", YamlErrorKind::Composer);
    err("a: !!bool y", "'y'", YamlErrorKind::Value);
    err("a: 0_", "string index out of range", YamlErrorKind::Value);
    err(
        "a: 0b_",
        "invalid literal for int() with base 2: ''",
        YamlErrorKind::Value,
    );
    err(
        "a: !!int x",
        "invalid literal for int() with base 10: 'x'",
        YamlErrorKind::Value,
    );
    err(
        "a: !!float x",
        "could not convert string to float: 'x'",
        YamlErrorKind::Value,
    );
    err("a: !foo bar", "could not determine a constructor for the tag '!foo'\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Constructor);
    err(
        "a: !!str {b: 1}",
        "expected a scalar node, but found mapping\n  in \"<unicode string>\", line 1, column 4",
        YamlErrorKind::Constructor,
    );
    err(
        "a: !!seq x",
        "expected a sequence node, but found scalar\n  in \"<unicode string>\", line 1, column 4",
        YamlErrorKind::Constructor,
    );
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
    err(
        "[a, b]]\n",
        "did not find expected <document start>\n  in \"<unicode string>\", line 1, column 7",
        YamlErrorKind::Parser,
    );
    err("a: @b\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Scanner);
    err("a: `b\n", "while scanning for the next token\nfound character that cannot start any token\n  in \"<unicode string>\", line 1, column 4", YamlErrorKind::Scanner);
    err("a: |\n\tx\n", "while scanning a block scalar\n  in \"<unicode string>\", line 1, column 4\nfound a tab character where an indentation space is expected\n  in \"<unicode string>\", line 2, column 1", YamlErrorKind::Scanner);
    err("a: \"\\q\"\n", "while parsing a quoted scalar\n  in \"<unicode string>\", line 1, column 4\nfound unknown escape character\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("a: \u{1}\n", "unacceptable character #x0001: control characters are not allowed\n  in \"<unicode string>\", position 3", YamlErrorKind::Reader);
    err("\u{e9}: \u{7}\n", "unacceptable character #x0007: control characters are not allowed\n  in \"<unicode string>\", position 4", YamlErrorKind::Reader);
    err("%FOO\n---\na\n", "while scanning a directive\n  in \"<unicode string>\", line 1, column 1\nfound unknown directive name\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("- &a b\n- *a\n- &a c\n", "found duplicate anchor; first occurrence\n  in \"<unicode string>\", line 1, column 3\nsecond occurrence\n  in \"<unicode string>\", line 3, column 3", YamlErrorKind::Composer);
    err("a: *a>nc # c\n", "while scanning an alias\n  in \"<unicode string>\", line 1, column 4\ndid not find expected alphabetic or numeric character\n  in \"<unicode string>\", line 1, column 6", YamlErrorKind::Scanner);
    err("a: &:x 1\n", "while scanning an anchor\n  in \"<unicode string>\", line 1, column 4\ndid not find expected alphabetic or numeric character\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("a: \"\\xZZ\"\n", "while parsing a quoted scalar\n  in \"<unicode string>\", line 1, column 4\ndid not find expected hexdecimal number\n  in \"<unicode string>\", line 1, column 7", YamlErrorKind::Scanner);
    err("a: |0\n  x\n", "while scanning a block scalar\n  in \"<unicode string>\", line 1, column 4\nfound an indentation indicator equal to 0\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
    err("a: |x\n  x\n", "while scanning a block scalar\n  in \"<unicode string>\", line 1, column 4\ndid not find expected comment or line break\n  in \"<unicode string>\", line 1, column 5", YamlErrorKind::Scanner);
}

#[test]
fn dumps_match_safe_dump() {
    dumps("\"abc\"", ["abc\n", "abc\n", "abc\n"]);
    dumps("1", ["1\n", "1\n", "1\n"]);
    dumps("-42", ["-42\n", "-42\n", "-42\n"]);
    dumps("1.5", ["1.5\n", "1.5\n", "1.5\n"]);
    dumps("1e+16", ["1.0e+16\n", "1.0e+16\n", "1.0e+16\n"]);
    dumps("1e+17", ["1.0e+17\n", "1.0e+17\n", "1.0e+17\n"]);
    dumps("1e-05", ["1.0e-05\n", "1.0e-05\n", "1.0e-05\n"]);
    dumps("0.1", ["0.1\n", "0.1\n", "0.1\n"]);
    dumps("-0.0", ["-0.0\n", "-0.0\n", "-0.0\n"]);
    dumps("12345.678", ["12345.678\n", "12345.678\n", "12345.678\n"]);
    dumps("100000.0", ["100000.0\n", "100000.0\n", "100000.0\n"]);
    dumps("{\"__float__\": \"inf\"}", [".inf\n", ".inf\n", ".inf\n"]);
    dumps(
        "{\"__float__\": \"-inf\"}",
        ["-.inf\n", "-.inf\n", "-.inf\n"],
    );
    dumps("{\"__float__\": \"nan\"}", [".nan\n", ".nan\n", ".nan\n"]);
    dumps("null", ["null\n", "null\n", "null\n"]);
    dumps("true", ["true\n", "true\n", "true\n"]);
    dumps("false", ["false\n", "false\n", "false\n"]);
    dumps("\"\"", ["''\n", "''\n", "''\n"]);
    dumps("\"yes\"", ["'yes'\n", "'yes'\n", "'yes'\n"]);
    dumps("\"no\"", ["'no'\n", "'no'\n", "'no'\n"]);
    dumps("\"on\"", ["'on'\n", "'on'\n", "'on'\n"]);
    dumps("\"null\"", ["'null'\n", "'null'\n", "'null'\n"]);
    dumps("\"~\"", ["'~'\n", "'~'\n", "'~'\n"]);
    dumps("\"1e3\"", ["1e3\n", "1e3\n", "1e3\n"]);
    dumps("\"0644\"", ["'0644'\n", "'0644'\n", "'0644'\n"]);
    dumps("\"08\"", ["08\n", "08\n", "08\n"]);
    dumps("\"1.0\"", ["'1.0'\n", "'1.0'\n", "'1.0'\n"]);
    dumps("\"1:20\"", ["'1:20'\n", "'1:20'\n", "'1:20'\n"]);
    dumps(
        "\"2024-01-15\"",
        ["'2024-01-15'\n", "'2024-01-15'\n", "'2024-01-15'\n"],
    );
    dumps("\"<<\"", ["'<<'\n", "'<<'\n", "'<<'\n"]);
    dumps("\"=\"", ["'='\n", "'='\n", "'='\n"]);
    dumps("\" lead\"", ["' lead'\n", "' lead'\n", "' lead'\n"]);
    dumps("\"trail \"", ["'trail '\n", "'trail '\n", "'trail '\n"]);
    dumps("\"a: b\"", ["'a: b'\n", "'a: b'\n", "'a: b'\n"]);
    dumps("\"- x\"", ["'- x'\n", "'- x'\n", "'- x'\n"]);
    dumps("\"#x\"", ["'#x'\n", "'#x'\n", "'#x'\n"]);
    dumps("\"a #b\"", ["'a #b'\n", "'a #b'\n", "'a #b'\n"]);
    dumps("\"a#b\"", ["a#b\n", "a#b\n", "a#b\n"]);
    dumps("\"?\"", ["'?'\n", "'?'\n", "'?'\n"]);
    dumps("\":x\"", [":x\n", ":x\n", ":x\n"]);
    dumps("\"---\"", ["'---'\n", "'---'\n", "'---'\n"]);
    dumps("\"...\"", ["'...'\n", "'...'\n", "'...'\n"]);
    dumps("\"@x\"", ["'@x'\n", "'@x'\n", "'@x'\n"]);
    dumps("\"%x\"", ["'%x'\n", "'%x'\n", "'%x'\n"]);
    dumps("\"!x\"", ["'!x'\n", "'!x'\n", "'!x'\n"]);
    dumps("\"&x\"", ["'&x'\n", "'&x'\n", "'&x'\n"]);
    dumps("\"*x\"", ["'*x'\n", "'*x'\n", "'*x'\n"]);
    dumps("\"|x\"", ["'|x'\n", "'|x'\n", "'|x'\n"]);
    dumps("\">x\"", ["'>x'\n", "'>x'\n", "'>x'\n"]);
    dumps("\"{x\"", ["'{x'\n", "'{x'\n", "'{x'\n"]);
    dumps("\"x}\"", ["x}\n", "x}\n", "x}\n"]);
    dumps("\"x,y\"", ["x,y\n", "x,y\n", "x,y\n"]);
    dumps("\"[x\"", ["'[x'\n", "'[x'\n", "'[x'\n"]);
    dumps("\"x]\"", ["x]\n", "x]\n", "x]\n"]);
    dumps("\"'\"", ["''''\n", "''''\n", "''''\n"]);
    dumps("\"\\\"\"", ["'\"'\n", "'\"'\n", "'\"'\n"]);
    dumps("\"it's\"", ["it's\n", "it's\n", "it's\n"]);
    dumps("\"\\\\\"", ["\\\n", "\\\n", "\\\n"]);
    dumps("\"\\t\"", ["\"\\t\"\n", "\"\\t\"\n", "\"\\t\"\n"]);
    dumps("\"a\\tb\"", ["\"a\\tb\"\n", "\"a\\tb\"\n", "\"a\\tb\"\n"]);
    dumps(
        "\"a\\nb\"",
        ["'a\n\n  b'\n", "'a\n\n  b'\n", "'a\n\n  b'\n"],
    );
    dumps("\"a\\n\"", ["'a\n\n  '\n", "'a\n\n  '\n", "'a\n\n  '\n"]);
    dumps(
        "\"a\\n\\n\"",
        ["'a\n\n\n  '\n", "'a\n\n\n  '\n", "'a\n\n\n  '\n"],
    );
    dumps("\"\\na\"", ["'\n\n  a'\n", "'\n\n  a'\n", "'\n\n  a'\n"]);
    dumps(
        "\"a\\n b\"",
        ["\"a\\n b\"\n", "\"a\\n b\"\n", "\"a\\n b\"\n"],
    );
    dumps(
        "\"a \\nb\"",
        ["\"a \\nb\"\n", "\"a \\nb\"\n", "\"a \\nb\"\n"],
    );
    dumps("\"\\u0001\"", ["\"\\x01\"\n", "\"\\x01\"\n", "\"\\x01\"\n"]);
    dumps("\"\\u0085\"", ["\"\\N\"\n", "\"\\N\"\n", "\"\\N\"\n"]);
    dumps("\"\\u00a0x\"", ["\u{a0}x\n", "\u{a0}x\n", "\u{a0}x\n"]);
    dumps(
        "\"\\ufeff\"",
        ["\"\\uFEFF\"\n", "\"\\uFEFF\"\n", "\"\\uFEFF\"\n"],
    );
    dumps(
        "\"a\\u2028b\"",
        ["'a\u{2028}  b'\n", "'a\u{2028}  b'\n", "'a\u{2028}  b'\n"],
    );
    dumps(
        "\"\\u00e9 \\u263a\"",
        [
            "\u{e9} \u{263a}\n",
            "\u{e9} \u{263a}\n",
            "\u{e9} \u{263a}\n",
        ],
    );
    dumps(
        "\"\\ud83d\\ude00\"",
        [
            "\"\\U0001F600\"\n",
            "\"\\U0001F600\"\n",
            "\"\\U0001F600\"\n",
        ],
    );
    dumps("\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"]);
    dumps("\"word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word \"", ["'word word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word '\n", "'word word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word '\n", "'word word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word '\n"]);
    dumps("\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yy\"", ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  yy\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  yy\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  yy\n"]);
    dumps("[]", ["[]\n", "[]\n", "[]\n"]);
    dumps("{}", ["{}\n", "{}\n", "{}\n"]);
    dumps(
        "[1, \"two\", 3.0, true, null]",
        [
            "[1, two, 3.0, true, null]\n",
            "[1, two, 3.0, true, null]\n",
            "- 1\n- two\n- 3.0\n- true\n- null\n",
        ],
    );
    dumps(
        "{\"a\": 1, \"b\": [1, 2]}",
        [
            "a: 1\nb: [1, 2]\n",
            "{a: 1, b: [1, 2]}\n",
            "a: 1\nb:\n- 1\n- 2\n",
        ],
    );
    dumps(
        "{\"a\": {\"b\": 1}, \"c\": [1, {\"d\": [2]}], \"e\": []}",
        [
            "a: {b: 1}\nc:\n- 1\n- d: [2]\ne: []\n",
            "{a: {b: 1}, c: [1, {d: [2]}], e: []}\n",
            "a:\n  b: 1\nc:\n- 1\n- d:\n  - 2\ne: []\n",
        ],
    );
    dumps(
        "{\"b\": 1, \"a\": 2, \"C\": 3, \"\\u00e9\": 4, \"_\": 5}",
        [
            "{C: 3, _: 5, a: 2, b: 1, \u{e9}: 4}\n",
            "{C: 3, _: 5, a: 2, b: 1, \u{e9}: 4}\n",
            "C: 3\n_: 5\na: 2\nb: 1\n\u{e9}: 4\n",
        ],
    );
    dumps(
        "[[1, [2, [3]]], {\"k\": {\"k2\": {\"k3\": \"v\"}}}]",
        [
            "- - 1\n  - - 2\n    - [3]\n- k:\n    k2: {k3: v}\n",
            "[[1, [2, [3]]], {k: {k2: {k3: v}}}]\n",
            "- - 1\n  - - 2\n    - - 3\n- k:\n    k2:\n      k3: v\n",
        ],
    );
    dumps("{\"k\": \"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a \"}", ["{k: 'a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n    a a a a a a a a a a a a a a a a a a a a a '}\n", "{k: 'a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n    a a a a a a a a a a a a a a a a a a a a a '}\n", "k: 'a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n  a a a a a a a a a a a a a a a a a a a a a '\n"]);
    dumps("[\"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a \"]", ["['a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n    a a a a a a a a a a a a a a a a a a a a ']\n", "['a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n    a a a a a a a a a a a a a a a a a a a a ']\n", "- 'a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n  a a a a a a a a a a a a a a a a a a a a '\n"]);
    dumps("{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1}", ["{? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  : 1}\n", "{? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  : 1}\n", "? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n: 1\n"]);
    dumps(
        "{\"a\\nb\": 1}",
        [
            "{? 'a\n\n    b' : 1}\n",
            "{? 'a\n\n    b' : 1}\n",
            "? 'a\n\n  b'\n: 1\n",
        ],
    );
    dumps(
        "{\"\": null, \"null\": \"null\", \"1\": 1, \"true\": true}",
        [
            "{'': null, '1': 1, 'null': 'null', 'true': true}\n",
            "{'': null, '1': 1, 'null': 'null', 'true': true}\n",
            "'': null\n'1': 1\n'null': 'null'\n'true': true\n",
        ],
    );
    dumps("{\"name\": \"echo 'hi'\", \"cwd\": \"/tmp\", \"env\": [{\"A\": \"1\"}, {\"B\": \"x y\"}], \"mode\": \"0644\", \"user\": \"root\"}", ["cwd: /tmp\nenv:\n- {A: '1'}\n- {B: x y}\nmode: '0644'\nname: echo 'hi'\nuser: root\n", "{cwd: /tmp, env: [{A: '1'}, {B: x y}], mode: '0644', name: echo 'hi', user: root}\n", "cwd: /tmp\nenv:\n- A: '1'\n- B: x y\nmode: '0644'\nname: echo 'hi'\nuser: root\n"]);
    dumps(
        "[{\"a\": 1, \"b\": 2}, [], {}, [[]], [{}]]",
        [
            "- {a: 1, b: 2}\n- []\n- {}\n- - []\n- - {}\n",
            "[{a: 1, b: 2}, [], {}, [[]], [{}]]\n",
            "- a: 1\n  b: 2\n- []\n- {}\n- - []\n- - {}\n",
        ],
    );
    dumps(
        "{\"list\": [{\"x\": null}], \"s\": \"multi\\nline\\ntext\\n\"}",
        [
            "list:\n- {x: null}\ns: 'multi\n\n  line\n\n  text\n\n  '\n",
            "{list: [{x: null}], s: 'multi\n\n    line\n\n    text\n\n    '}\n",
            "list:\n- x: null\ns: 'multi\n\n  line\n\n  text\n\n  '\n",
        ],
    );
}

#[test]
fn dump_options() {
    let v = value("{\"a\": [1, {\"b\": \"x\"}], \"c\": \"d\"}");
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                indent: Some(4),
                flow: Some(false),
                ..DumpOptions::default()
            }
        ),
        "a:\n- 1\n-   b: x\nc: d\n"
    );
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                width: Some(2147483647),
                flow: Some(true),
                double_quoted: true,
                ..DumpOptions::default()
            }
        ),
        "{\"a\": [! \"1\", {\"b\": \"x\"}], \"c\": \"d\"}\n"
    );
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                sort_keys: false,
                ..DumpOptions::default()
            }
        ),
        "a:\n- 1\n- {b: x}\nc: d\n"
    );
    let v = value("[\"x\", [\"y\"]]");
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                indent: Some(4),
                flow: Some(false),
                ..DumpOptions::default()
            }
        ),
        "- x\n-   - y\n"
    );
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                width: Some(2147483647),
                flow: Some(true),
                double_quoted: true,
                ..DumpOptions::default()
            }
        ),
        "[\"x\", [\"y\"]]\n"
    );
    assert_eq!(
        dump_with(
            &v,
            &DumpOptions {
                sort_keys: false,
                ..DumpOptions::default()
            }
        ),
        "- x\n- [y]\n"
    );
}

#[test]
fn jinja_quoting_filters() {
    assert_eq!(dquote("abc"), "\"abc\"");
    assert_eq!(squote("abc"), "'abc'");
    assert_eq!(dquote("it's"), "\"it's\"");
    assert_eq!(squote("it's"), "'it''s'");
    assert_eq!(dquote("say \"hi\""), "\"say \\\"hi\\\"\"");
    assert_eq!(squote("say \"hi\""), "'say \"hi\"'");
    assert_eq!(dquote("a\nb"), "\"a\\nb\"");
    assert_eq!(squote("a\nb"), "'a\n\nb'");
    assert_eq!(dquote("a\n\nb"), "\"a\\n\\nb\"");
    assert_eq!(squote("a\n\nb"), "'a\n\n\nb'");
    assert_eq!(dquote("\u{2028}x"), "\"\\Lx\"");
    assert_eq!(squote("\u{2028}x"), "'\u{2028}x'");
    assert_eq!(
        dquote("\u{e9} \u{263a} \u{1f600}"),
        "\"\\xE9 \\u263A \\U0001F600\""
    );
    assert_eq!(
        squote("\u{e9} \u{263a} \u{1f600}"),
        "'\u{e9} \u{263a} \u{1f600}'"
    );
    assert_eq!(
        dquote("\t\u{1}\u{85}\u{a0}\u{feff}"),
        "\"\\t\\x01\\N\\_\\uFEFF\""
    );
    assert_eq!(
        squote("\t\u{1}\u{85}\u{a0}\u{feff}"),
        "'\t\u{1}\u{85}\u{a0}\u{feff}'"
    );
    assert_eq!(dquote("back\\slash"), "\"back\\\\slash\"");
    assert_eq!(squote("back\\slash"), "'back\\slash'");
    assert_eq!(dquote(""), "\"\"");
    assert_eq!(squote(""), "''");
    assert_eq!(dquote("'"), "\"'\"");
    assert_eq!(squote("'"), "''''");
    assert_eq!(dquote("a\rb"), "\"a\\rb\"");
    assert_eq!(squote("a\rb"), "'a\rb'");
    assert_eq!(
        try_encode_scalar(&value("\"abc\"")).as_deref(),
        Ok("\"abc\"")
    );
    assert_eq!(try_encode_scalar(&value("1")).as_deref(), Ok("1"));
    assert_eq!(try_encode_scalar(&value("1.5")).as_deref(), Ok("1.5"));
    assert_eq!(try_encode_scalar(&value("1e+17")).as_deref(), Ok("1.0e+17"));
    assert_eq!(try_encode_scalar(&value("true")).as_deref(), Ok("true"));
    assert_eq!(try_encode_scalar(&value("null")).as_deref(), Ok("null"));
    assert_eq!(
        try_encode_scalar(&value("{\"__float__\": \"inf\"}")).as_deref(),
        Ok(".inf")
    );
    assert_eq!(
        try_encode_scalar(&value("[1]")).map_err(|e| e.to_string()),
        Err(
            "yaml_encode() only works with YAML scalar data; failed for <class 'list'>".to_string()
        )
    );
    assert_eq!(
        try_encode_scalar(&value("{\"a\": 1}")).map_err(|e| e.to_string()),
        Err(
            "yaml_encode() only works with YAML scalar data; failed for <class 'dict'>".to_string()
        )
    );
}

#[test]
fn dumped_values_load_back() {
    let v = value(
        r#"{"a": ["yes", "0644", "1e3", "", "x: y", "\u00e9", "multi\nline"], "b": {"c": 1.5, "d": null}}"#,
    );
    for flow in [None, Some(true), Some(false)] {
        assert_eq!(load(&dump(&v, flow)).ok(), Some(v.clone()));
    }
}

#[test]
fn error_positions_are_one_based() {
    let e = load("a: 1\nb: [1\n").unwrap_err();
    assert_eq!((e.line, e.column, e.kind), (3, 1, YamlErrorKind::Parser));
    assert_eq!(e.problem, "did not find expected ',' or ']'");
    let e = load("tabbed:\n\ttest.nop: []\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    assert_eq!(e.problem, "found character that cannot start any token");
}

#[test]
fn quoted_continuations_under_their_block_still_load() {
    ok(
        "x:\n  - cwd: \"a\n    b\"\n  - n: 'c\n\td'\n",
        r#"{"x": [{"cwd": "a b"}, {"n": "c d"}]}"#,
    );
    ok("a: [1,\t2]\nb: \"x\"# c\n", r#"{"a": [1, 2], "b": "x"}"#);
}

#[test]
fn binary_scalars_are_refused() {
    // Salt gets `bytes` here; the value tree has no place for them.
    let e = load("a: !!binary aGk=\n").unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Constructor);
    assert_eq!((e.line, e.column), (1, 4));
}

#[test]
fn recursive_aliases_are_refused() {
    let e = load("a: &x [*x]\n").unwrap_err();
    assert_eq!(
        e.message,
        "found unconstructable recursive node\n  in \"<unicode string>\", line 1, column 8"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "- ".repeat(3000) + "x";
    assert!(load(&deep)
        .unwrap_err()
        .message
        .contains("exceeded max depth"));
    let ok_depth = "- ".repeat(200) + "x";
    assert!(load(&ok_depth).is_ok());
    let flow = "[".repeat(300) + &"]".repeat(300);
    assert!(load(&flow).is_err());
}

/// Runs `f` once no more than `left` bytes of this thread's stack remain.
fn with_stack_left<T>(left: usize, f: impl FnOnce() -> T) -> T {
    match crate::stack::remaining() {
        Some(r) if r > left => {
            let pad = std::hint::black_box([0u8; 1024]);
            let out = with_stack_left(left, f);
            std::hint::black_box(&pad);
            out
        }
        _ => f(),
    }
}

#[test]
fn nesting_deeper_than_the_stack_holds_is_an_error_not_a_crash() {
    // 900 levels are within MAX_DEPTH, but not within 16 KiB of stack above
    // the reserve: the constructor stops with an error where it would have
    // overflowed. (The stack is used up first: a thread may get a larger
    // stack than it asks for, when the C library reuses a cached one.)
    let text = "key:\n".to_string() + &"- ".repeat(900) + "x\n";
    let small = std::thread::Builder::new().stack_size(1 << 20);
    let r = small
        .spawn(move || with_stack_left(crate::stack::RESERVE + 16 * 1024, || load(&text)))
        .unwrap()
        .join()
        .expect("no stack overflow");
    let e = r.unwrap_err();
    assert_eq!(e.kind, YamlErrorKind::Value);
    assert!(e.message.contains("exceeded max depth"), "{}", e.message);
    assert!(e.line >= 1 && e.column >= 1, "{e:?}");
    // The same text loads on a thread with a stack to hold it.
    let text = "key:\n".to_string() + &"- ".repeat(900) + "x\n";
    let big = std::thread::Builder::new().stack_size(64 << 20);
    assert!(big.spawn(move || load(&text)).unwrap().join().unwrap().is_ok());
}

#[test]
fn alias_bombs_are_stopped() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let e = load(&src).unwrap_err();
    assert!(e.message.contains("expands to more than"), "{}", e.message);
}

/// A deterministic xorshift generator for the no-panic test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "a",
    "key",
    ":",
    ": ",
    " ",
    "  ",
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ",",
    "'",
    "\"",
    "''",
    "\\",
    "\\x4",
    "\\u263",
    "|",
    ">",
    "|-",
    ">+",
    "|2",
    "&a",
    "&b ",
    "*a",
    "*b",
    "*",
    "&",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!seq ",
    "!!set ",
    "!!pairs ",
    "!!binary ",
    "!foo ",
    "! ",
    "!<x> ",
    "!e!x ",
    "? ",
    "?",
    "#",
    " # c",
    "\t",
    "<<: ",
    "<<",
    "=",
    "0644",
    "0_",
    "0b_",
    "1:20",
    "1e3",
    ".inf",
    "yes",
    "~",
    "null",
    "2024-01-15",
    "%YAML 1.1\n",
    "%TAG !e! tag:x,1:\n",
    "%FOO\n",
    "---",
    "--- ",
    "...",
    "...\n",
    "é",
    "\r",
    "\r\n",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{1}",
    "\u{1F600}",
    "9223372036854775808",
    "-",
    "@",
    "`",
    "%",
];

fn yamlish(rng: &mut Rng) -> String {
    let seed = "a:\n  b: [1, {c: d}]\n  e: &x\n    - 'f'\n    - \"g\\n\"\n  h: *x\n  i: |\n    text\n  <<: {j: 1}\n";
    let mut out = String::new();
    if rng.below(3) == 0 {
        out.push_str(seed);
    }
    for _ in 0..rng.below(40) {
        let at = out
            .char_indices()
            .map(|(i, _)| i)
            .nth(rng.below(out.chars().count() + 1))
            .unwrap_or(out.len());
        out.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]);
    }
    out
}

#[test]
fn load_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let src = yamlish(&mut rng);
        let result = std::panic::catch_unwind(|| load(&src));
        assert!(result.is_ok(), "load panicked on {src:?}");
    }
}

/// An SLS-like document of `n` states, for timing the loader.
fn sls_like(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "state_{i}:\n  file.managed:\n    - name: /etc/app/conf_{i}.cfg\n    - mode: 644\n    - user: root\n    - contents: |\n        line one of {i}\n        line two: value\n    - require:\n      - pkg: pkg_{i}\n      - file: state_{prev}\n",
            prev = i.saturating_sub(1)
        ));
    }
    s
}

/// Times `load` on 1,000 states (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn time_load_sls_like() {
    let src = sls_like(1000);
    let first = load(&src);
    assert!(matches!(&first, Ok(Value::Map(m)) if m.len() == 1000));
    let started = std::time::Instant::now();
    for _ in 0..50 {
        assert_eq!(load(&src), first);
    }
    let total = started.elapsed();
    println!(
        "load x50 on {} bytes: {total:?} ({:?} each)",
        src.len(),
        total / 50
    );
}

#[test]
fn deep_flow_nesting_is_an_error() {
    // 50,000 open flow sequences, tagged and bare: an error naming the
    // limit. (The scanner once walked every open flow level for every
    // token, which made this input run for minutes.)
    for text in [format!("a: {}", "!!seq [".repeat(50_000)), "[".repeat(50_000)] {
        let e = load(&text).unwrap_err();
        assert!(e.message.starts_with("recursion limit exceeded"), "{}", e.message);
    }
}

#[test]
fn block_mapping_errors_name_the_mapping_opened_after_a_dash() {
    let block = |map: (usize, usize), key: (usize, usize)| {
        format!(
            "while parsing a block mapping\n  in \"<unicode string>\", line {}, column {}\ndid not find expected key\n  in \"<unicode string>\", line {}, column {}",
            map.0, map.1, key.0, key.1
        )
    };
    let cases: [(&str, (usize, usize), (usize, usize)); 7] = [
        ("a:\n  file.managed:\n    - name: {}/libvirtd\n    - template: jinja\n", (3, 7), (3, 15)),
        ("a:\n  b: 1\n  - c\n", (2, 3), (3, 3)),
        ("- a: 1\n  b: {}/x\n", (1, 3), (2, 8)),
        ("a:\n  - - b: {}/x\n", (2, 7), (2, 12)),
        ("a:\n  b:\n    - c: 1\n      d: [1]x\n", (3, 7), (4, 13)),
        ("x: {}/y\n", (1, 1), (1, 6)),
        ("a:\n  - b: 1\n    c: 'q'z\n", (2, 5), (3, 11)),
    ];
    for (src, map, key) in cases {
        err(src, &block(map, key), YamlErrorKind::Parser);
    }
}
