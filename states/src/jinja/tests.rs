//! End-to-end tests of the engine: templates rendered through
//! `Environment::render`, with expected strings taken from real Jinja2 3.1 /
//! Salt 3007 output. Unit tests of single parts live beside their code.

use indexmap::IndexMap;

use super::*;

fn render(src: &str) -> Result<String, Error> {
    Environment::new(|_: &str| Ok(None)).render("t.sls", src, IndexMap::new())
}

fn ok(src: &str) -> String {
    render(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

#[test]
fn prints_values_as_python() {
    assert_eq!(ok("{{ [1, 'a', none, true, 1.5] }}|{{ {'a': 1} }}|{{ (1,) }}"), "[1, 'a', None, True, 1.5]|{'a': 1}|(1,)");
}
