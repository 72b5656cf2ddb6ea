//! Unit tests of the outputters: layouts, modes and Salt's escape codes
//! (expected texts recorded from Salt 3007's own outputters on the same data).

use super::*;

fn data(j: serde_json::Value) -> Value {
    Value::from_json(&j)
}

/// Success, failure, a test-mode state and one with changes.
fn four_states() -> Value {
    data(serde_json::json!({"local": {
        "test_|-a_|-a_|-nop": {"result": true, "comment": "ok", "changes": {}, "__run_num__": 0,
                               "start_time": "10:00:00.000000", "duration": 0.5, "name": "a"},
        "file_|-b_|-/tmp/b_|-managed": {"result": false, "comment": "no", "changes": {}, "__run_num__": 1,
                               "start_time": "10:00:01.000000", "duration": 1.5, "name": "/tmp/b"},
        "cmd_|-c_|-echo_|-run": {"result": null, "comment": "would run", "changes": {"cmd": "echo"}, "__run_num__": 2,
                               "start_time": "10:00:02.000000", "duration": 2.0, "name": "echo"},
        "test_|-d_|-d_|-succeed_with_changes": {"result": true, "comment": "changed", "changes": {"x": [1]},
                               "__run_num__": 3, "start_time": "10:00:03.000000", "duration": 1, "name": "d"}
    }}))
}

fn colored(state_output: StateOutput) -> RenderOptions {
    RenderOptions { state: Options { state_output, verbose: true }, color: true, ..RenderOptions::default() }
}

#[test]
fn highstate_full_colours_are_salts() {
    let expected = "\x1b[0;1;33mlocal:\x1b[0;0m\n\x1b[0;32m----------\x1b[0;0m\n    \x1b[0;32m      ID: a\x1b[0;0m\n    \x1b[0;32mFunction: test.nop\x1b[0;0m\n    \x1b[0;32m  Result: True\x1b[0;0m\n    \x1b[0;32m Comment: ok\x1b[0;0m\n    \x1b[0;32m Started: 10:00:00.000000\x1b[0;0m\n    \x1b[0;32mDuration: 0.5 ms\x1b[0;0m\n\x1b[0;32m     Changes:   \x1b[0;0m\n\x1b[0;31m----------\x1b[0;0m\n    \x1b[0;31m      ID: b\x1b[0;0m\n    \x1b[0;31mFunction: file.managed\x1b[0;0m\n    \x1b[0;31m    Name: /tmp/b\x1b[0;0m\n    \x1b[0;31m  Result: False\x1b[0;0m\n    \x1b[0;31m Comment: no\x1b[0;0m\n    \x1b[0;31m Started: 10:00:01.000000\x1b[0;0m\n    \x1b[0;31mDuration: 1.5 ms\x1b[0;0m\n\x1b[0;31m     Changes:   \x1b[0;0m\n\x1b[0;1;33m----------\x1b[0;0m\n    \x1b[0;1;33m      ID: c\x1b[0;0m\n    \x1b[0;1;33mFunction: cmd.run\x1b[0;0m\n    \x1b[0;1;33m    Name: echo\x1b[0;0m\n    \x1b[0;1;33m  Result: None\x1b[0;0m\n    \x1b[0;1;33m Comment: would run\x1b[0;0m\n    \x1b[0;1;33m Started: 10:00:02.000000\x1b[0;0m\n    \x1b[0;1;33mDuration: 2.0 ms\x1b[0;0m\n\x1b[0;1;33m     Changes:   \n              \x1b[0;36m----------\x1b[0;0m\n              \x1b[0;36mcmd\x1b[0;0m:\n                  \x1b[0;32mecho\x1b[0;0m\x1b[0;0m\n\x1b[0;36m----------\x1b[0;0m\n    \x1b[0;36m      ID: d\x1b[0;0m\n    \x1b[0;36mFunction: test.succeed_with_changes\x1b[0;0m\n    \x1b[0;36m  Result: True\x1b[0;0m\n    \x1b[0;36m Comment: changed\x1b[0;0m\n    \x1b[0;36m Started: 10:00:03.000000\x1b[0;0m\n    \x1b[0;36mDuration: 1 ms\x1b[0;0m\n\x1b[0;36m     Changes:   \n              \x1b[0;36m----------\x1b[0;0m\n              \x1b[0;36mx\x1b[0;0m:\n                  \x1b[0;1;33m- 1\x1b[0;0m\x1b[0;0m\n\x1b[0;36m\nSummary for local\n------------\x1b[0;0m\n\x1b[0;32mSucceeded: 3\x1b[0;0m (\x1b[0;1;33munchanged=1\x1b[0;0m, \x1b[0;32mchanged=2\x1b[0;0m)\n\x1b[0;31mFailed:    1\x1b[0;0m\n\x1b[0;36m------------\nTotal states run:     4\x1b[0;0m\n\x1b[0;36mTotal run time:   5.000 ms\x1b[0;0m";
    assert_eq!(render("highstate", &four_states(), &colored(StateOutput::Full)), expected);
}

#[test]
fn highstate_terse_colours_are_salts() {
    let expected = "\x1b[0;1;33mlocal:\x1b[0;0m\n \x1b[0;32m Name: a - Function: test.nop - Result: Clean - Started: 10:00:00.000000 - Duration: 0.5 ms\x1b[0;0m\n \x1b[0;31m Name: /tmp/b - Function: file.managed - Result: Failed - Started: 10:00:01.000000 - Duration: 1.5 ms\x1b[0;0m\n \x1b[0;1;33m Name: echo - Function: cmd.run - Result: Differs - Started: 10:00:02.000000 - Duration: 2.0 ms\x1b[0;0m\n \x1b[0;36m Name: d - Function: test.succeed_with_changes - Result: Changed - Started: 10:00:03.000000 - Duration: 1 ms\x1b[0;0m\n\x1b[0;36m\nSummary for local\n------------\x1b[0;0m\n\x1b[0;32mSucceeded: 3\x1b[0;0m (\x1b[0;1;33munchanged=1\x1b[0;0m, \x1b[0;32mchanged=2\x1b[0;0m)\n\x1b[0;31mFailed:    1\x1b[0;0m\n\x1b[0;36m------------\nTotal states run:     4\x1b[0;0m\n\x1b[0;36mTotal run time:   5.000 ms\x1b[0;0m";
    assert_eq!(render("highstate", &four_states(), &colored(StateOutput::Terse)), expected);
}

#[test]
fn no_colour_means_no_escape_codes() {
    let plain = render("highstate", &four_states(), &RenderOptions::default());
    assert!(!plain.contains('\x1b'), "{plain}");
    assert_eq!(plain, highstate(&four_states()));
    assert!(plain.contains("     Changes:   \n              ----------\n              cmd:\n                  echo\n"), "{plain}");
}

#[test]
fn compile_errors_are_light_red() {
    let v = data(serde_json::json!({"local": ["bad thing"]}));
    assert_eq!(highstate(&v), "local:\n    Data failed to compile:\n----------\n    bad thing");
    let text = render("highstate", &v, &colored(StateOutput::Full));
    assert_eq!(text, "\x1b[0;1;31mlocal:\x1b[0;0m\n    \x1b[0;1;31mData failed to compile:\x1b[0;0m\n\x1b[0;1;31m----------\n    bad thing\x1b[0;0m");
}

#[test]
fn modes_pick_terse_or_full_per_state() {
    let mixed = highstate_with(&four_states(), &Options { state_output: StateOutput::Mixed, verbose: true });
    assert!(mixed.contains("  Name: a - Function") && mixed.contains("          ID: b\n"), "{mixed}");
    let changes = highstate_with(&four_states(), &Options { state_output: StateOutput::Changes, verbose: true });
    assert!(changes.contains("  Name: a - Function") && changes.contains("          ID: d\n"), "{changes}");
    let by_id = highstate_with(&four_states(), &Options { state_output: StateOutput::TerseId, verbose: true });
    assert!(by_id.contains("  Name: b - Function: file.managed"), "{by_id}");
    let quiet = highstate_with(&four_states(), &Options { verbose: false, ..Options::default() });
    assert!(!quiet.contains("ID: a\n") && quiet.contains("ID: b\n") && quiet.contains("Succeeded: 3"), "{quiet}");
}

#[test]
fn state_output_names_parse_as_salt_reads_them() {
    assert_eq!(StateOutput::parse("Changes"), Some(StateOutput::Changes));
    assert_eq!(StateOutput::parse("terse_id"), Some(StateOutput::TerseId));
    assert_eq!(StateOutput::parse("full_id"), Some(StateOutput::FullId));
    assert_eq!(StateOutput::parse("bogus"), None);
}

#[test]
fn summary_width_follows_the_largest_count() {
    let v = data(serde_json::json!({"local": {}}));
    let text = highstate(&v);
    assert!(text.contains("Summary for local\n-----------\nSucceeded: 0\nFailed:   0\n-----------\nTotal states run:    0"), "{text}");
}

#[test]
fn a_return_without_changes_falls_back_to_nested() {
    let v = data(serde_json::json!({"local": {"test_|-a_|-a_|-nop": {"result": true, "comment": "c", "__run_num__": 0}}}));
    assert_eq!(render("highstate", &v, &RenderOptions::default()), brine_common::output::nested(&v));
}

#[test]
fn outputters_by_name() {
    let v = data(serde_json::json!({"local": {"os": "Debian"}}));
    let plain = RenderOptions::default();
    assert_eq!(render("quiet", &v, &plain), "");
    assert_eq!(render("raw", &v, &plain), "{'local': {'os': 'Debian'}}");
    assert_eq!(render("text", &v, &plain), "local: {'os': 'Debian'}");
    assert_eq!(render("bogus", &v, &plain), render("nested", &v, &plain));
    assert_eq!(render("json", &v, &colored(StateOutput::Full)), "{\n    \"local\": {\n        \"os\": \"Debian\"\n    }\n}");
    assert_eq!(Outputter::parse("text"), Some(Outputter::Txt));
    assert_eq!(Outputter::parse("pprint"), None);
}

#[test]
fn nested_is_red_when_the_call_failed() {
    let v = data(serde_json::json!({"local": {"retcode": 1}}));
    let failed = RenderOptions { retcode: 1, ..colored(StateOutput::Full) };
    assert_eq!(render("nested", &v, &failed), "\x1b[0;31mlocal\x1b[0;0m:\n    \x1b[0;31m----------\x1b[0;0m\n    \x1b[0;31mretcode\x1b[0;0m:\n        \x1b[0;1;33m1\x1b[0;0m");
}

#[test]
fn warnings_wrap_at_eighty_columns() {
    let v = data(serde_json::json!({"local": {"test_|-w_|-w_|-nop": {"result": true, "comment": "c", "changes": {},
        "__run_num__": 0, "warnings": ["a warning that is very long and should be wrapped by textwrap because it is longer than eighty characters total", "second"]}}}));
    let text = highstate(&v);
    assert!(text.contains("    Warnings: a warning that is very long and should be wrapped by textwrap\n              because it is longer than eighty characters total second\n"), "{text}");
    assert!(text.contains("Warnings:  1\n"), "{text}");
}

#[test]
fn tabular_terse_lines_and_percentages_are_salts() {
    let opts = RenderOptions {
        state: Options { state_output: StateOutput::Terse, verbose: true },
        extras: Extras { tabular: true, pct: true, ..Extras::default() },
        ..RenderOptions::default()
    };
    let expected = "local:\n10:00:00.000000 [    0.5 ms]       test.nop        Clean     Name: a\n10:00:01.000000 [    1.5 ms]       file.managed    Failed    Name: /tmp/b\n10:00:02.000000 [    2.0 ms]        cmd.run        Differs   Name: echo\n10:00:03.000000 [      1 ms]       test.succeed_with_changes Changed   Name: d\n\nSummary for local\n------------\nSucceeded: 3 (unchanged=1, changed=2)\nFailed:    1\nSuccess %: 75.0\nFailure %: 25.0\n------------\nTotal states run:     4\nTotal run time:   5.000 ms";
    assert_eq!(render("highstate", &four_states(), &opts), expected);
}

#[test]
fn output_diff_without_profile_hides_clean_states_and_times() {
    let opts = RenderOptions { extras: Extras { profile: false, diff: true, ..Extras::default() }, ..RenderOptions::default() };
    let expected = "local:\n----------\n          ID: b\n    Function: file.managed\n        Name: /tmp/b\n      Result: False\n     Comment: no\n     Changes:   \n----------\n          ID: c\n    Function: cmd.run\n        Name: echo\n      Result: None\n     Comment: would run\n     Changes:   \n              ----------\n              cmd:\n                  echo\n----------\n          ID: d\n    Function: test.succeed_with_changes\n      Result: True\n     Comment: changed\n     Changes:   \n              ----------\n              x:\n                  - 1\n\nSummary for local\n------------\nSucceeded: 3 (unchanged=1, changed=2)\nFailed:    1\n------------\nTotal states run:     4";
    assert_eq!(render("highstate", &four_states(), &opts), expected);
}
