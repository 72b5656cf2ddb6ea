//! Bounded-time fuzzing of what brine-states does with SLS text: the Jinja
//! render of an SLS file (with Salt's context and the example tree's
//! imports) and the SLS compiler (YAML data to high data and ordered low
//! chunks, with includes, extend, exclude, requisites and the top file).
//! Each target is a plain `fn(&[u8])` that must not panic; the shared
//! fuzzer in brine-common's tests drives it for `BRINE_FUZZ_SECS` seconds.
//!
//! Templates render with a `salt` mapping that has no execution modules
//! (`SaltFns::without_modules`): a mutated template cannot run commands.

#[path = "../../common/tests/support/fuzzer.rs"]
mod fuzzer;

use std::path::{Path, PathBuf};
use std::rc::Rc;

use brine_common::{yaml, Map, Value};
use brine_states::api::{self, Env};
use brine_states::compiler;
use brine_states::highstate::{FileClient, HighState, SlsRenderer, StateFile};
use brine_states::render::Renderer;
use brine_states::roots::Roots;
use brine_states::saltfns::SaltFns;

// ---- the minion the templates render for -------------------------------------

fn example_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../srv-salt-example")
}

/// Options, grains and pillar of a cluster node rendering the example tree.
struct Fixture {
    opts: Map,
    grains: Map,
    pillar: Map,
    roots: Roots,
    salt: SaltFns,
}

fn fixture() -> Fixture {
    let tree = example_tree();
    let mut opts = Map::default();
    opts.insert("id".into(), Value::str("node1"));
    let roots = |dir: PathBuf| {
        let mut m = Map::default();
        m.insert("base".into(), Value::List(vec![Value::Str(dir.display().to_string())]));
        Value::Map(m)
    };
    opts.insert("file_roots".into(), roots(tree.clone()));
    opts.insert("pillar_roots".into(), roots(tree.join("pillar")));
    let grains: Map = yaml::load(
        "id: node1\nos: Debian\nos_family: Debian\noscodename: bookworm\nosmajorrelease: 12\n\
         host: node1\nfqdn: node1.example\nnodename: node1\nvirtual: physical\nnum_cpus: 2\nmem_total: 2048\n\
         ipv4: [10.231.0.11, 127.0.0.1]\nip_interfaces: {eth0: [10.231.0.11], lo: [127.0.0.1]}\n\
         ip4_interfaces: {eth0: [10.231.0.11], lo: [127.0.0.1]}\nhwaddr_interfaces: {eth0: '52:54:00:00:00:11'}\n\
         kernel: Linux\nosarch: amd64\ncpuarch: x86_64\n",
    )
    .ok()
    .and_then(|v| v.as_map().cloned())
    .expect("grains");
    let salt = sandboxed(&opts, &grains, &Map::default());
    let pillar_files = Roots::from_opts(&opts, "pillar_roots");
    let empty = Map::default();
    let renderer = Renderer::new(&opts, &grains, &empty, &pillar_files, &salt);
    let pillar = brine_states::pillar::compile(&opts, &grains, &pillar_files, &renderer);
    let salt = sandboxed(&opts, &grains, &pillar);
    let roots = Roots::from_opts(&opts, "file_roots");
    Fixture { opts, grains, pillar, roots, salt }
}

/// The `salt` mapping without execution modules; `mine.get` answers with
/// this node's address as the mine would.
fn sandboxed(opts: &Map, grains: &Map, pillar: &Map) -> SaltFns {
    let mut salt = SaltFns::new(opts.clone(), grains.clone(), pillar.clone()).without_modules();
    salt.set_hook(Rc::new(|name: &str, _: &[Value], _: &Map| {
        (name == "mine.get").then(|| {
            let mut m = Map::default();
            m.insert("node1".into(), Value::List(vec![Value::str("10.231.0.11")]));
            m.insert("node2".into(), Value::List(vec![Value::str("10.231.0.12")]));
            Ok(Value::Map(m))
        })
    }));
    salt
}

thread_local! {
    static FIXTURE: Fixture = fixture();
}

/// Render text as the SLS `fuzz` of the example tree (Jinja, then YAML).
fn render_sls(text: &str, fx: &Fixture) -> Result<Value, String> {
    let renderer = Renderer::new(&fx.opts, &fx.grains, &fx.pillar, &fx.roots, &fx.salt);
    let file = StateFile { path: example_tree().join("fuzz/init.sls"), rel: "fuzz/init.sls".into() };
    renderer.render_text(text, &file, "base", "fuzz", &Map::default())
}

// ---- targets ---------------------------------------------------------------

/// The Jinja render of an SLS text and the YAML load of its output.
fn jinja_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    FIXTURE.with(|fx| {
        let _ = render_sls(&text, fx);
    });
}

/// One SLS file whose rendered data is given; each of the three SLS files
/// and the top file are that same data, so includes and the top file are
/// compiled too.
struct OneSls(Value);

impl FileClient for OneSls {
    fn envs(&self) -> Vec<String> {
        vec!["base".into(), "dev".into()]
    }

    fn list_states(&self, _: &str) -> Vec<String> {
        vec!["fuzz".into(), "fuzz.other".into(), "top".into()]
    }

    /// Only the listed states exist, as on a real fileserver: were every
    /// name a file, relative includes could spell new names without end.
    fn find_file(&self, rel: &str, _: &str) -> Option<PathBuf> {
        ["fuzz/init.sls", "fuzz/other.sls", "top.sls"].contains(&rel).then(|| PathBuf::from(rel))
    }
}

impl SlsRenderer for OneSls {
    fn render(&self, _: &StateFile, _: &str, _: &str) -> Result<Value, String> {
        Ok(self.0.clone())
    }
}

/// The SLS compiler: YAML text to high data (includes, extend, exclude,
/// ordering), to low chunks (requisites, `names`, `*_in`), and as a top file.
fn sls_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(value) = brine_states::render::load_yaml(&text, "fuzz/init.sls") else { return };
    let sls = OneSls(value);
    let mut opts = Map::default();
    opts.insert("id".into(), Value::str("node1"));
    let (grains, pillar) = (Map::default(), Map::default());
    let env = Env { opts: &opts, grains: &grains, pillar: &pillar, files: &sls, renderer: &sls };
    let mods = Value::str("fuzz");
    let _ = api::show_sls(&env, &mods, &Map::default());
    let _ = api::show_low_sls(&env, &mods, &Map::default());
    let _ = api::show_top(&env);
    let mut hs = HighState::new(&sls, &sls, &opts);
    let (high, _) = hs.render_highstate(&vec![("base".into(), vec!["fuzz".into(), "fuzz.*".into()])]);
    let _ = compiler::verify_high(&high);
    let _ = compiler::compile(high);
}

// ---- seeds -----------------------------------------------------------------

/// The example tree's files that are templates, by path relative to it.
fn tree_templates() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("the example tree").flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p.strip_prefix(root).unwrap().display().to_string(), bytes));
            }
        }
    }
    let mut out = Vec::new();
    let root = example_tree();
    walk(&root, &root, &mut out);
    out
}

const JINJA_EDGE_CASES: &[&str] = &[
    "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}n: {{ ns.n }}\n",
    "{% macro m(x, y=2) -%}{{ x ~ y }}{%- endmacro %}a: {{ m(1) }}\nb: {{ m('q', y=[1,2]) | json }}\n",
    "{% set d = {'a': [1, 2], 'b': {'c': none}} %}{% do d.update({'e': 3}) %}{{ d | yaml(False) }}\n",
    "{% raw %}{{ not rendered }}{% endraw %}: x\n",
    "{% set x %}block {{ 1 + 2 * 3 }}{% endset %}k: '{{ x | upper }}'\nf: {{ '%s-%05.2f' % ('a', 3.14159) }}\n",
    "{% for k, v in pillar.get('cluster', {}) | dictsort %}{{ k }}: {{ v | json }}\n{% endfor %}",
    "{% import_yaml 'pillar/common.sls' as c %}c: {{ c | json }}\n",
    "{% if grains['os'] == 'Debian' and 1 in [1, 2] or not false %}ok: {{ grains.ipv4[0] | ipaddr }}{% else %}no: 1{% endif %}\n",
    "{% set l = [3, 1, 2] %}{% do l.append(4) %}s: {{ l | sort | join(',') }}\nm: {{ l | map('string') | list }}\n",
    "{%- set r = 'a,b' .split(',') %}{{ r | first }}: {{ '{:>5}'.format(salt['pillar.get']('cluster:name', 'x')) }}\n",
    "{% from 'cluster/map.jinja' import cluster with context %}name: {{ cluster.name }}\n",
    "#!jinja|json\n{\"a\": {{ [1, 2] | tojson }}}\n",
    "#!yaml\na: '{{ not rendered }}'\n",
    "{% include 'demo/init.sls' %}\n",
    "{{ salt['grains.get']('os') }}: {{ salt.grains.get('id') }}\n{{ salt['cmd.run']('echo never') }}\n",
];

fn jinja_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = tree_templates().into_iter().map(|(_, b)| b).collect();
    seeds.extend(JINJA_EDGE_CASES.iter().map(|s| s.as_bytes().to_vec()));
    seeds
}

const JINJA_TOKENS: &[&[u8]] = &[
    b"{{", b"}}", b"{%", b"%}", b"{#", b"#}", b"{%-", b"-%}", b"{% if x %}", b"{% endif %}", b"{% for x in y %}",
    b"{% endfor %}", b"{% set x = ", b"{% macro m() %}", b"{% endmacro %}", b"{% call m() %}", b"{% endcall %}",
    b"{% raw %}", b"{% include 'x' %}", b"{% import 'cluster/map.jinja' as m %}", b"{% do ", b"loop.", b"caller()",
    b"|", b"| json", b"| yaml", b"| default(", b"| join", b"| map(", b"salt['", b"pillar.get(", b"grains[",
    b"(", b")", b"[", b"]", b".", b"~", b"**", b"//", b"%", b"*", b"-", b"'", b"\"", b"range(", b"namespace(",
    b"super()", b"self.", b"__class__", b"999999999999", b"-1", b": ", b"- ", b"&a", b"*a", b"!!",
];

/// A few SLS data shapes the compiler handles: requisites and their `_in`
/// forms, `names`, `extend`, `exclude`, `include`, `order`, `use`.
const SLS_EDGE_CASES: &[&str] = &[
    "include:\n  - fuzz.other\n  - .rel\n  - base: fuzz\nextend:\n  svc:\n    service.running:\n      - watch:\n        - file: conf\n",
    "exclude:\n  - id: pkgs\n  - sls: fuzz.other\npkgs:\n  pkg.installed:\n    - names:\n      - a\n      - b: {version: 1}\n",
    "conf:\n  file.managed:\n    - name: /etc/x\n    - source: salt://x\n    - require_in:\n      - service: svc\n    - watch_in:\n      - cmd: reload\nsvc:\n  service.running:\n    - name: x\n    - order: last\n",
    "reload:\n  cmd.run:\n    - name: 'true'\n    - onchanges:\n      - file: conf\n    - prereq:\n      - pkg: pkgs\n    - use:\n      - file: conf\n    - order: 1\n",
    "a:\n  test.nop: []\nb:\n  test.nop:\n    - require:\n      - a\n      - test: a\n      - sls: fuzz\n      - id: a\n",
    "top:\n  base:\n    '*':\n      - fuzz\n    'G@os:Debian and I@x:y':\n      - match: compound\n      - fuzz.other\n",
    "base:\n  '*':\n    - fuzz\n  'node*':\n    - match: glob\n    - fuzz.other\ndev:\n  'E@node[0-9]':\n    - fuzz\n",
    "x:\n  pkg:\n    - installed\n    - require:\n      - pkg: y\ny:\n  pkg.removed: []\n__env__: base\n",
];

/// SLS data seeds: the edge cases and every example SLS after Jinja.
fn sls_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = SLS_EDGE_CASES.iter().map(|s| s.as_bytes().to_vec()).collect();
    let fx = fixture();
    let renderer = Renderer::new(&fx.opts, &fx.grains, &fx.pillar, &fx.roots, &fx.salt);
    for (rel, bytes) in tree_templates() {
        if !rel.ends_with(".sls") {
            continue;
        }
        let file = StateFile { path: example_tree().join(&rel), rel: rel.clone() };
        if let Ok(text) = renderer.jinja(&String::from_utf8_lossy(&bytes), &file, "base", "fuzz", &Map::default()) {
            seeds.push(text.into_bytes());
        }
    }
    seeds
}

const SLS_TOKENS: &[&[u8]] = &[
    b"include:\n", b"extend:\n", b"exclude:\n", b"  - ", b"    - ", b": ", b"- require:\n", b"- watch_in:\n",
    b"- require_in:\n", b"- onchanges_any:\n", b"- prereq:\n", b"- use:\n", b"- names:\n", b"- order: ", b"last",
    b"first", b"- sls: ", b"- id: ", b"pkg.installed", b"file.managed", b"service", b"__env__", b"__sls__",
    b"fuzz", b".", b"..", b"*", b"{}", b"[]", b"~", b"&a", b"*a", b"!!", b"<<: ", b"- match: compound\n",
];

// ---- tests -----------------------------------------------------------------

#[test]
fn fuzz_jinja_render() {
    let seeds = jinja_seeds();
    // The harness is live: the example tree's SLS files render to data.
    FIXTURE.with(|fx| {
        for rel in ["cluster/init.sls", "nginx/init.sls", "standard_packages/init.sls", "top.sls"] {
            let text = std::fs::read_to_string(example_tree().join(rel)).unwrap();
            let v = render_sls(&text, fx).unwrap_or_else(|e| panic!("{rel} does not render: {e}"));
            assert!(matches!(v, Value::Map(ref m) if !m.is_empty()), "{rel}: {v:?}");
        }
        let v = render_sls("a: {{ 7 * 6 }}\n", fx).unwrap();
        assert_eq!(v.as_map().and_then(|m| m.get("a")), Some(&Value::Int(42)));
        // and it cannot run commands
        let r = render_sls("a: {{ salt['cmd.run']('echo ran') }}\n", fx);
        assert!(r.is_err(), "{r:?}");
        let r = render_sls("a: {{ salt.cmd.run('echo ran') }}\n", fx);
        assert!(r.is_err(), "{r:?}");
    });
    let stats = fuzzer::fuzz("jinja_render", &seeds, JINJA_TOKENS, jinja_target);
    assert!(stats.execs >= 1);
}

#[test]
fn fuzz_sls_compiler() {
    let seeds = sls_seeds();
    assert!(seeds.len() > SLS_EDGE_CASES.len() + 5, "the example SLS files did not render: {}", seeds.len());
    // The harness is live: a valid SLS compiles to ordered low chunks.
    let value = yaml::load(
        "conf:\n  file.managed:\n    - name: /etc/x\n    - require_in:\n      - service: svc\n\
         svc:\n  service.running:\n    - name: x\n    - order: last\n",
    )
    .unwrap();
    let high = value.as_map().cloned().unwrap();
    let mut opts = Map::default();
    opts.insert("id".into(), Value::str("node1"));
    let sls = OneSls(value);
    let mut hs = HighState::new(&sls, &sls, &opts);
    let (high2, errors) = hs.render_highstate(&vec![("base".into(), vec!["fuzz".into()])]);
    assert!(errors.is_empty(), "{errors:?}");
    let chunks = compiler::compile(high2).expect("a valid SLS compiles");
    assert_eq!(chunks.len(), high.len());
    let stats = fuzzer::fuzz("sls_compiler", &seeds, SLS_TOKENS, sls_target);
    assert!(stats.execs >= 1);
}

/// Values built in a loop are as deep as the loop is long; printing,
/// serialising and comparing them must end in an error or text, not a stack
/// overflow. Lists that hold themselves print as Python prints them.
#[test]
fn deep_and_cyclic_template_values_do_not_crash() {
    FIXTURE.with(|fx| {
        for tail in ["{{ ns.x }}", "{{ ns.x | json }}", "{{ ns.x | yaml }}", "{{ ns.x == ns.x }}", "{{ ns.x | string | length }}"] {
            let text = format!(
                "{{% set ns = namespace(x=[]) %}}{{% for i in range(20000) %}}{{% set ns.x = [ns.x] %}}{{% endfor %}}a: '{tail}'\n"
            );
            let _ = render_sls(&text, fx);
        }
        let r = render_sls("{% set a = [1] %}{% do a.append(a) %}a: '{{ a }}'\n", fx);
        assert_eq!(r.ok().and_then(|v| v.as_map().and_then(|m| m.get("a").cloned())), Some(Value::str("[1, [...]]")));
        for tail in ["{{ a | json }}", "{{ a | yaml }}", "{{ a == a }}", "{{ a | tojson }}", "{{ a | unique | list }}"] {
            let _ = render_sls(&format!("{{% set a = [1] %}}{{% do a.append(a) %}}a: '{tail}'\n"), fx);
        }
    });
}
