//! From SLS names or the top file to one merged high data tree.
//!
//! Salt's `HighState`: gather and merge top files across saltenvs, match them
//! against this minion, render each SLS with its includes (absolute, relative
//! `.x`/`..x`, `saltenv:` mappings, globs), record `extend` and `exclude`, and
//! number states in render order (`state_auto_order`). Errors are Salt's texts,
//! collected in a list as Salt reports them.
//!
//! It must not compile high data to low chunks (that is `compiler`) nor know
//! how files are fetched or templates rendered: both are handed in.

use std::collections::HashSet;
use std::path::PathBuf;

use brine_common::matcher::{self, MatchData};
use brine_common::{Map, Value};

use crate::render::load_yaml;
use crate::yamlpool::{Ticket, YamlPool};

/// Where SLS and top files come from (local roots, or the master's fileserver).
pub trait FileClient {
    /// Saltenvs the fileserver knows, `base` first.
    fn envs(&self) -> Vec<String>;
    /// Every SLS name available in a saltenv, sorted (`a/init.sls` is `a`).
    fn list_states(&self, saltenv: &str) -> Vec<String>;
    /// A local path for a file given relative to the roots.
    fn find_file(&self, rel: &str, saltenv: &str) -> Option<PathBuf>;
}

/// Renders one file (SLS or top) into data, returning Salt's error text on failure.
pub trait SlsRenderer {
    fn render(&self, file: &StateFile, saltenv: &str, sls: &str) -> Result<Value, String>;

    /// Render up to a last YAML stage, which is left to the caller (it is
    /// pure and may run on another thread); by default, render it all.
    fn render_partial(&self, file: &StateFile, saltenv: &str, sls: &str) -> Partial {
        Partial::Done(self.render(file, saltenv, sls))
    }
}

/// A file rendered up to its last stage.
pub enum Partial {
    /// Rendered through (or failed).
    Done(Result<Value, String>),
    /// Templates rendered; the text still goes through Salt's YAML loader.
    Yaml(String),
}

/// A located SLS file: its local path and its path relative to the roots.
#[derive(Clone, Debug)]
pub struct StateFile {
    pub path: PathBuf,
    pub rel: String,
}

/// Salt's `fileclient.get_state`: `a.b` is `a/b.sls`, else `a/b/init.sls`.
pub fn get_state(files: &dyn FileClient, sls: &str, saltenv: &str) -> Option<StateFile> {
    let base = sls.replace('.', "/");
    [format!("{base}.sls"), format!("{base}/init.sls")]
        .into_iter()
        .find_map(|rel| files.find_file(&rel, saltenv).map(|path| StateFile { path, rel }))
}

/// How deep includes may nest (each level renders one more SLS).
pub const MAX_INCLUDE_DEPTH: usize = 200;

/// The saltenv -> SLS list a minion runs, in top file order.
pub type Matches = Vec<(String, Vec<String>)>;

/// The state of one highstate compile: the files, the renderer and the order counter.
pub struct HighState<'a> {
    pub files: &'a dyn FileClient,
    pub renderer: &'a dyn SlsRenderer,
    pub opts: &'a Map,
    iorder: i64,
    /// How many includes deep the SLS being rendered is.
    depth: usize,
    avail: Vec<(String, Vec<String>)>,
}

impl<'a> HighState<'a> {
    pub fn new(files: &'a dyn FileClient, renderer: &'a dyn SlsRenderer, opts: &'a Map) -> Self {
        let avail = files.envs().into_iter().map(|e| (e.clone(), files.list_states(&e))).collect();
        HighState { files, renderer, opts, iorder: 10000, depth: 0, avail }
    }

    fn avail(&self, saltenv: &str) -> Option<&[String]> {
        self.avail.iter().find(|(e, _)| e == saltenv).map(|(_, l)| l.as_slice())
    }

    /// Render the given SLS names per saltenv into one high data tree (Salt's `render_highstate`).
    ///
    /// Templates render in Salt's order. A file whose rendered text cannot
    /// include anything has its YAML loaded by a [`YamlPool`] while the next
    /// file renders; such files are merged, in order, before any other file
    /// is and at the end, so the tree and the numbering are Salt's.
    pub fn render_highstate(&mut self, matches: &Matches) -> (Map, Vec<String>) {
        let mut run = TopRun::default();
        for (saltenv, states) in matches {
            for sls_match in states {
                let mut statefiles: Vec<String> = match self.avail(saltenv) {
                    Some(list) => list.iter().filter(|s| matcher::fnmatch(s, sls_match)).cloned().collect(),
                    None => {
                        run.errors.push(format!("No matching salt environment for environment '{saltenv}' found"));
                        Vec::new()
                    }
                };
                if statefiles.is_empty() {
                    statefiles.push(sls_match.clone());
                }
                for sls in statefiles {
                    if !run.mods.contains(&format!("{saltenv}:{sls}")) {
                        self.render_top_level(&mut run, &sls, saltenv, sls_match, matches);
                    }
                }
            }
        }
        self.merge_deferred(&mut run, matches);
        clean_duplicate_extends(&mut run.high);
        (run.high, run.errors)
    }

    /// One SLS the top file (or `state.sls`) names: its YAML deferred to the
    /// pool when it has no `include`, else rendered through now.
    fn render_top_level(&mut self, run: &mut TopRun, sls: &str, saltenv: &str, sls_match: &str, matches: &Matches) {
        let rendered = match self.locate(sls, saltenv) {
            Ok(file) => {
                let partial = self.renderer.render_partial(&file, saltenv, sls);
                run.mods.insert(format!("{saltenv}:{sls}"));
                match partial {
                    Partial::Yaml(text) if !may_include(&text) => {
                        let ticket = run.pool.submit(text, file.rel.clone());
                        run.deferred.push((ticket, file, sls.to_string(), saltenv.to_string(), sls_match.to_string()));
                        return;
                    }
                    Partial::Yaml(text) => {
                        let value = load_yaml(&text, &file.rel);
                        Ok((file, value))
                    }
                    Partial::Done(value) => Ok((file, value)),
                }
            }
            Err(errors) => Err(errors),
        };
        self.merge_deferred(run, matches);
        let (state, errors) = match rendered {
            Ok((file, value)) => self.finish_state(&file, sls, saltenv, value, &mut run.mods, Some(matches)),
            Err(errors) => (Map::default(), errors),
        };
        run.merge(state, errors, sls_match, saltenv);
    }

    /// Merge the deferred files, in order, waiting for their YAML.
    fn merge_deferred(&mut self, run: &mut TopRun, matches: &Matches) {
        for (ticket, file, sls, saltenv, sls_match) in std::mem::take(&mut run.deferred) {
            let value = run.pool.wait(ticket);
            let (state, errors) = self.finish_state(&file, &sls, &saltenv, value, &mut run.mods, Some(matches));
            run.merge(state, errors, &sls_match, &saltenv);
        }
    }

    /// Render one SLS and, recursively, what it includes (Salt's `render_state`).
    pub fn render_state(
        &mut self,
        sls: &str,
        saltenv: &str,
        mods: &mut HashSet<String>,
        matches: Option<&Matches>,
    ) -> (Map, Vec<String>) {
        let file = match self.locate(sls, saltenv) {
            Ok(file) => file,
            Err(errors) => return (Map::default(), errors),
        };
        let rendered = self.renderer.render(&file, saltenv, sls);
        mods.insert(format!("{saltenv}:{sls}"));
        self.finish_state(&file, sls, saltenv, rendered, mods, matches)
    }

    /// The file of an SLS, or the error that stops its rendering.
    fn locate(&self, sls: &str, saltenv: &str) -> Result<StateFile, Vec<String>> {
        if self.depth > MAX_INCLUDE_DEPTH || !brine_common::stack::enough() {
            // Salt stops here with Python's RecursionError; a chain of
            // distinct names can reach one file again (`a/a -> .`).
            return Err(vec![format!(
                "Rendering SLS '{saltenv}:{sls}' failed: includes nested more than {MAX_INCLUDE_DEPTH} levels deep"
            )]);
        }
        get_state(self.files, sls, saltenv).ok_or_else(|| {
            vec![format!(
                "Specified SLS {sls} in saltenv {saltenv} is not available on the salt master or through a configured fileserver"
            )]
        })
    }

    /// A rendered SLS made into its part of the high data: declarations
    /// checked, `extend` and `exclude` recorded, includes rendered, order numbered.
    fn finish_state(
        &mut self,
        file: &StateFile,
        sls: &str,
        saltenv: &str,
        rendered: Result<Value, String>,
        mods: &mut HashSet<String>,
        matches: Option<&Matches>,
    ) -> (Map, Vec<String>) {
        let mut errors = Vec::new();
        let mut state = match rendered {
            Ok(Value::Map(m)) => m,
            Ok(Value::Null) => return (Map::default(), errors),
            Ok(Value::Str(s)) if s.is_empty() => return (Map::default(), errors),
            Ok(_) => {
                errors.push(format!("SLS {sls} does not render to a dictionary"));
                return (Map::default(), errors);
            }
            Err(msg) => {
                errors.push(format!("Rendering SLS '{saltenv}:{sls}' failed: {msg}"));
                return (Map::default(), errors);
            }
        };
        if state.is_empty() {
            return (state, errors);
        }
        let include = match state.get("include") {
            Some(Value::List(_)) => match state.shift_remove("include") {
                Some(Value::List(l)) => l,
                _ => Vec::new(),
            },
            Some(_) => {
                errors.push(format!("Include Declaration in SLS {sls} is not formed as a list"));
                Vec::new()
            }
            None => Vec::new(),
        };
        handle_extend(&mut state, sls, saltenv, &mut errors);
        handle_exclude(&mut state, sls, &mut errors);
        handle_state_decls(&mut state, sls, saltenv, &mut errors);
        let is_init = file.rel.ends_with("/init.sls");
        for inc in include {
            self.include_one(&mut state, inc, sls, saltenv, is_init, mods, matches, &mut errors);
        }
        self.handle_iorder(&mut state);
        (state, errors)
    }

    #[allow(clippy::too_many_arguments)]
    fn include_one(
        &mut self,
        state: &mut Map,
        inc: Value,
        sls: &str,
        saltenv: &str,
        is_init: bool,
        mods: &mut HashSet<String>,
        matches: Option<&Matches>,
        errors: &mut Vec<String>,
    ) {
        let (env_key, inc_sls) = match inc {
            Value::Map(mut m) => match m.pop() {
                Some((k, v)) => (k, v.py_str()),
                None => return,
            },
            other => (saltenv.to_string(), other.py_str()),
        };
        if env_key != "_xenv" && self.avail(&env_key).is_none() {
            errors.push(format!(
                "Nonexistent saltenv '{env_key}' found in include of '{inc_sls}' within SLS '{saltenv}:{sls}'"
            ));
            return;
        }
        let Some(inc_sls) = resolve_relative(&inc_sls, sls, saltenv, is_init, errors) else { return };
        let match_envs: Vec<String> = matches.map(|m| m.iter().map(|(e, _)| e.clone()).collect()).unwrap_or_default();
        let resolved_envs: Vec<String> = if env_key != "_xenv" {
            let avail = self.avail(&env_key).unwrap_or(&[]);
            if match_envs.contains(&env_key) || avail.iter().any(|s| matcher::fnmatch(s, &inc_sls)) {
                vec![env_key.clone()]
            } else {
                Vec::new()
            }
        } else {
            match_envs
                .iter()
                .filter(|e| self.avail(e).unwrap_or(&[]).iter().any(|s| matcher::fnmatch(s, &inc_sls)))
                .cloned()
                .collect()
        };
        if resolved_envs.len() != 1 && !resolved_envs.iter().any(|e| e == saltenv) {
            errors.push(if resolved_envs.is_empty() {
                let envs = if env_key == "_xenv" { match_envs.join(", ") } else { env_key.clone() };
                format!("Unknown include: Specified SLS {env_key}: {inc_sls} is not available on the salt master in saltenv(s): {envs} ")
            } else {
                format!(
                    "Ambiguous include: Specified SLS {env_key}: {inc_sls} is available on the salt master in multiple available saltenvs: {}",
                    resolved_envs.join(", ")
                )
            });
            return;
        }
        let mut targets: Vec<String> =
            self.avail(saltenv).unwrap_or(&[]).iter().filter(|s| matcher::fnmatch(s, &inc_sls)).cloned().collect();
        if targets.is_empty() {
            targets.push(inc_sls.clone());
        }
        let r_env = if resolved_envs.len() == 1 { resolved_envs[0].clone() } else { saltenv.to_string() };
        for target in targets {
            if mods.contains(&format!("{r_env}:{target}")) {
                continue;
            }
            self.depth += 1;
            let (mut nstate, err) = self.render_state(&target, &r_env, mods, matches);
            self.depth -= 1;
            for (id, body) in nstate.iter_mut() {
                if id.starts_with("__") {
                    continue;
                }
                if let Value::Map(b) = body {
                    let from = b.entry("__sls_included_from__".to_string()).or_insert_with(|| Value::List(Vec::new()));
                    if let Value::List(l) = from {
                        l.push(Value::str(sls));
                    }
                }
            }
            merge_included_states(state, nstate, errors);
            errors.extend(err);
        }
    }

    /// Salt's `_handle_iorder`: append `{order: N}` to declarations that lack one.
    fn handle_iorder(&mut self, state: &mut Map) {
        if self.opts.get("state_auto_order").is_some_and(|v| !v.truthy()) {
            return;
        }
        for (_, body) in state.iter_mut() {
            let Value::Map(body) = body else { continue };
            for (s_dec, args) in body.iter_mut() {
                if s_dec.starts_with('_') {
                    continue;
                }
                let Value::List(args) = args else { continue };
                let found = args.iter().any(|a| a.as_map().and_then(crate::compiler::first_key) == Some("order"));
                if !found {
                    let mut m = brine_common::value::map_with_capacity(1);
                    m.insert("order".into(), Value::Int(self.iorder));
                    args.push(Value::Map(m));
                    self.iorder += 1;
                }
            }
        }
    }

    /// Gather every saltenv's top file, merged (Salt's `get_top` with the `merge` strategy).
    pub fn get_top(&mut self) -> Result<Map, Vec<String>> {
        let state_top = self.opts.get("state_top").and_then(Value::as_str).unwrap_or("top.sls").to_string();
        let state_top = state_top.strip_prefix("salt://").unwrap_or(&state_top).to_string();
        let fixed_env = self.opts.get("saltenv").and_then(Value::as_str).map(str::to_string);
        let envs = match &fixed_env {
            Some(e) => vec![e.clone()],
            None => self.files.envs(),
        };
        let mut tops: Vec<(String, Vec<Map>)> = Vec::new();
        let mut errors = Vec::new();
        for saltenv in envs {
            let mut list = Vec::new();
            if let Some(path) = self.files.find_file(&state_top, &saltenv) {
                let file = StateFile { path, rel: state_top.clone() };
                match self.renderer.render(&file, &saltenv, "") {
                    Ok(Value::Map(m)) => list.push(m),
                    Ok(_) => list.push(Map::default()),
                    Err(e) => errors.push(format!("Rendering SLS '{saltenv}:{state_top}' failed: {e}")),
                }
            }
            tops.push((saltenv, list));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.top_includes(&mut tops);
        merge_tops(tops)
    }

    fn top_includes(&mut self, tops: &mut [(String, Vec<Map>)]) {
        let mut done: HashSet<(String, String)> = HashSet::new();
        for i in 0..tops.len() {
            let saltenv = tops[i].0.clone();
            let mut includes = Vec::new();
            for ctop in tops[i].1.iter_mut() {
                if let Some(Value::List(l)) = ctop.shift_remove("include") {
                    includes.extend(l.iter().map(Value::py_str));
                }
            }
            for sls_match in includes {
                let names: Vec<String> = self.avail(&saltenv).unwrap_or(&[]).iter()
                    .filter(|s| matcher::fnmatch(s, &sls_match)).cloned().collect();
                for sls in names {
                    if !done.insert((saltenv.clone(), sls.clone())) {
                        continue;
                    }
                    if let Some(file) = get_state(self.files, &sls, &saltenv) {
                        if let Ok(Value::Map(m)) = self.renderer.render(&file, &saltenv, "") {
                            tops[i].1.push(m);
                        }
                    }
                }
            }
        }
    }

    /// Salt's `top_matches`: the SLS names per saltenv whose targets match this minion.
    pub fn top_matches(&self, top: &Map, data: &MatchData) -> Result<Matches, Vec<String>> {
        let mut matches: Matches = Vec::new();
        let fixed_env = self.opts.get("saltenv").and_then(Value::as_str);
        for (saltenv, body) in top {
            if fixed_env.is_some_and(|e| e != saltenv) {
                continue;
            }
            let Some(body) = body.as_map() else { continue };
            for (tgt, items) in body {
                self.filter_matches(saltenv, tgt, items, data, &mut matches)?;
            }
        }
        Ok(matches)
    }

    fn filter_matches(&self, saltenv: &str, tgt: &str, items: &Value, data: &MatchData, matches: &mut Matches) -> Result<(), Vec<String>> {
        let items: Vec<Value> = match items {
            Value::List(l) => l.clone(),
            other => vec![other.clone()],
        };
        if !confirm_top(tgt, &items, data)? {
            return Ok(());
        }
        entry(matches, saltenv);
        for item in items {
            match item {
                Value::Str(s) => entry(matches, saltenv).push(s),
                Value::Map(mut m) => {
                    if let Some(Value::Map(sub)) = m.shift_remove("subfilter") {
                        for (t, d) in &sub {
                            self.filter_matches(saltenv, t, d, data, matches)?;
                        }
                    }
                    if let Some((env_key, inc)) = m.pop() {
                        if self.avail(&env_key).is_some() {
                            entry(matches, &env_key).push(inc.py_str());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What `render_highstate` gathers: the tree, the errors, the SLS rendered,
/// and the files whose YAML the pool is loading, in render order.
#[derive(Default)]
struct TopRun {
    high: Map,
    errors: Vec<String>,
    mods: HashSet<String>,
    pool: YamlPool,
    deferred: Vec<(Ticket, StateFile, String, String, String)>,
}

impl TopRun {
    /// Merge one top-level SLS; "is not available" names what the top file asked for.
    fn merge(&mut self, state: Map, mut errors: Vec<String>, sls_match: &str, saltenv: &str) {
        merge_included_states(&mut self.high, state, &mut errors);
        let this_sls = format!("SLS {sls_match} in saltenv");
        for e in errors.iter_mut() {
            if e.contains("is not available") && e.contains(&this_sls) {
                *e = format!("No matching sls found for '{sls_match}' in env '{saltenv}'");
            }
        }
        self.errors.extend(errors);
    }
}

/// Whether a rendered text may hold an `include` (then its includes must
/// render before the next file does). A backslash could spell the key in
/// an escape, so it counts too.
fn may_include(text: &str) -> bool {
    text.contains("include") || text.contains('\\')
}

fn entry<'m>(matches: &'m mut Matches, saltenv: &str) -> &'m mut Vec<String> {
    if let Some(i) = matches.iter().position(|(e, _)| e == saltenv) {
        return &mut matches[i].1;
    }
    matches.push((saltenv.to_string(), Vec::new()));
    let last = matches.len() - 1;
    &mut matches[last].1
}

/// Salt's `confirm_top`: the `- match: TYPE` item picks the matcher (default glob).
fn confirm_top(tgt: &str, items: &[Value], data: &MatchData) -> Result<bool, Vec<String>> {
    let mut tgt_type = "glob".to_string();
    for item in items {
        if let Some(m) = item.get("match") {
            tgt_type = m.py_str();
        }
    }
    let delimiter = items.iter().find_map(|i| i.get("delimiter")).map(Value::py_str).unwrap_or_else(|| ":".into());
    matcher::matches(&Value::str(tgt), &tgt_type, data, &delimiter).map_err(|e| vec![e.to_string()])
}

/// Resolve `.x` / `..x` includes against the including SLS.
fn resolve_relative(inc: &str, sls: &str, saltenv: &str, is_init: bool, errors: &mut Vec<String>) -> Option<String> {
    if !inc.starts_with('.') {
        return Some(inc.to_string());
    }
    let levels = inc.chars().take_while(|c| *c == '.').count();
    let rest = &inc[levels..];
    let mut comps: Vec<&str> = sls.split('.').collect();
    if is_init {
        comps.push("init");
    }
    if levels > comps.len() {
        errors.push(format!(
            "Attempted relative include of '{inc}' within SLS '{saltenv}:{sls}' goes beyond top level package "
        ));
        return None;
    }
    let mut parts: Vec<&str> = comps[..comps.len() - levels].to_vec();
    parts.push(rest);
    Some(parts.join("."))
}

/// Salt's `_handle_state_decls`: pad short forms, split `mod.fun` keys, stamp `__sls__`/`__env__`.
fn handle_state_decls(state: &mut Map, sls: &str, saltenv: &str, errors: &mut Vec<String>) {
    for (name, body) in state.iter_mut() {
        if name == "__extend__" || name == "__exclude__" {
            continue;
        }
        if let Value::Str(s) = body {
            if let Some((m, f)) = s.split_once('.') {
                let f = f.split('.').next().unwrap_or(f);
                let mut b = Map::default();
                b.insert("__sls__".into(), sls.into());
                b.insert("__env__".into(), saltenv.into());
                b.insert(m.to_string(), Value::List(vec![Value::str(f)]));
                *body = Value::Map(b);
                continue;
            }
        }
        let Value::Map(b) = body else {
            errors.push(format!("ID {name} in SLS {sls} is not a dictionary"));
            continue;
        };
        split_dotted_decls(b, Some((name, sls, errors)));
        b.entry("__sls__".to_string()).or_insert_with(|| sls.into());
        b.entry("__env__".to_string()).or_insert_with(|| saltenv.into());
    }
}

/// Turn `pkg.installed: [args]` into `pkg: [args, installed]`, keeping key order.
fn split_dotted_decls(body: &mut Map, mut report: Option<(&str, &str, &mut Vec<String>)>) {
    let keys: Vec<String> = body.keys().cloned().collect();
    // A handful of state modules per ID: a list is the cheaper set.
    let mut seen: Vec<String> = Vec::new();
    for key in keys {
        if key.starts_with('_') || !matches!(body.get(&key), Some(Value::List(_))) {
            continue;
        }
        let Some((m, f)) = key.split_once('.') else {
            seen.push(key);
            continue;
        };
        let f = f.split('.').next().unwrap_or(f).to_string();
        if seen.iter().any(|s| s == m) {
            if let Some((name, sls, errors)) = report.as_mut() {
                errors.push(format!("ID '{name}' in SLS '{sls}' contains multiple state declarations of the same type"));
            }
            continue;
        }
        if let Some(Value::List(mut args)) = body.shift_remove(&key) {
            args.push(Value::Str(f));
            body.insert(m.to_string(), Value::List(args));
        }
        seen.push(m.to_string());
    }
}

fn handle_extend(state: &mut Map, sls: &str, saltenv: &str, errors: &mut Vec<String>) {
    let Some(ext) = state.shift_remove("extend") else { return };
    let Value::Map(mut ext) = ext else {
        errors.push(format!("Extension value in SLS '{sls}' is not a dictionary"));
        return;
    };
    for (name, body) in ext.iter_mut() {
        let Value::Map(b) = body else {
            errors.push(format!("Extension name '{name}' in SLS '{sls}' is not a dictionary"));
            continue;
        };
        b.entry("__sls__".to_string()).or_insert_with(|| sls.into());
        b.entry("__env__".to_string()).or_insert_with(|| saltenv.into());
        split_dotted_decls(b, None);
    }
    push_list(state, "__extend__", vec![Value::Map(ext)]);
}

fn handle_exclude(state: &mut Map, sls: &str, errors: &mut Vec<String>) {
    let Some(exc) = state.shift_remove("exclude") else { return };
    match exc {
        Value::List(l) => push_list(state, "__exclude__", l),
        _ => errors.push(format!("Exclude Declaration in SLS {sls} is not formed as a list")),
    }
}

fn push_list(state: &mut Map, key: &str, items: Vec<Value>) {
    let slot = state.entry(key.to_string()).or_insert_with(|| Value::List(Vec::new()));
    if let Value::List(l) = slot {
        l.extend(items);
    }
}

/// Salt's `merge_included_states`: conflicting IDs are an error, `__extend__`/`__exclude__` accumulate.
fn merge_included_states(high: &mut Map, mut state: Map, errors: &mut Vec<String>) {
    for key in ["__extend__", "__exclude__"] {
        if let Some(Value::List(l)) = state.shift_remove(key) {
            push_list(high, key, l);
        }
    }
    for (id, body) in &state {
        if let Some(existing) = high.get(id) {
            if existing != body {
                let g = |v: &Value, k: &str| v.get(k).map(Value::py_str).unwrap_or_else(|| "None".into());
                errors.push(format!(
                    "Detected conflicting IDs, SLS IDs need to be globally unique.\n    The conflicting ID is '{id}' and is found in SLS '{}:{}' and SLS '{}:{}'",
                    g(existing, "__env__"), g(existing, "__sls__"), g(body, "__env__"), g(body, "__sls__")
                ));
            }
        }
    }
    high.extend(state);
}

fn clean_duplicate_extends(high: &mut Map) {
    let Some(Value::List(ext)) = high.get_mut("__extend__") else { return };
    let mut seen: Vec<(String, Value)> = Vec::new();
    for item in ext.iter() {
        if let Value::Map(m) = item {
            for (k, v) in m {
                if !seen.iter().any(|(sk, sv)| sk == k && sv == v) {
                    seen.push((k.clone(), v.clone()));
                }
            }
        }
    }
    *ext = seen.into_iter().map(|(k, v)| {
        let mut m = Map::default();
        m.insert(k, v);
        Value::Map(m)
    }).collect();
}

/// Salt's `_merge_tops_merge`: base is authoritative; other saltenvs only add their own section.
fn merge_tops(mut tops: Vec<(String, Vec<Map>)>) -> Result<Map, Vec<String>> {
    let mut top = Map::default();
    let no_targets = || vec!["Unable to render top file. No targets found.".to_string()];
    let base_pos = tops.iter().position(|(e, _)| e == "base");
    let base = base_pos.map(|i| tops.remove(i).1).unwrap_or_default();
    for ctop in base {
        for (saltenv, targets) in ctop {
            let targets = targets.as_map().ok_or_else(no_targets)?;
            let slot = top.entry(saltenv).or_insert_with(|| Value::Map(Map::default()));
            if let Value::Map(s) = slot {
                s.extend(targets.clone());
            }
        }
    }
    for (cenv, ctops) in tops {
        for ctop in ctops {
            for (saltenv, targets) in ctop {
                if saltenv != cenv || top.contains_key(&saltenv) {
                    continue;
                }
                let targets = targets.as_map().ok_or_else(no_targets)?;
                top.insert(saltenv, Value::Map(targets.clone()));
            }
        }
    }
    Ok(top)
}

/// Salt's `verify_tops`.
pub fn verify_tops(tops: &Map) -> Vec<String> {
    let mut errors = Vec::new();
    for (saltenv, matches) in tops {
        if saltenv == "include" {
            continue;
        }
        if saltenv.is_empty() {
            errors.push("Empty saltenv statement in top file".to_string());
        }
        let Some(matches) = matches.as_map() else {
            errors.push(format!("The top file matches for saltenv {saltenv} are not formatted as a dict"));
            continue;
        };
        for (tgt, slsmods) in matches {
            let Some(list) = slsmods.as_list() else {
                errors.push(format!(
                    "Malformed topfile: state declarations for matcher '{tgt}' in saltenv '{saltenv}' are not formed as a list (got {})",
                    slsmods.type_name()
                ));
                continue;
            };
            for m in list {
                match m {
                    Value::Map(d) => {
                        for v in d.values().filter(|v| !v.truthy()) {
                            errors.push(format!("Improperly formatted top file matcher in saltenv {}: {} file", m.py_repr(), v.py_str()));
                        }
                    }
                    Value::Str(s) if s.is_empty() => errors.push(format!("Environment {saltenv} contains an empty sls index")),
                    _ => {}
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_includes_resolve_like_salt() {
        let mut e = Vec::new();
        assert_eq!(resolve_relative(".sub", "app.web", "base", false, &mut e).as_deref(), Some("app.sub"));
        assert_eq!(resolve_relative(".sub", "app", "base", true, &mut e).as_deref(), Some("app.sub"));
        assert_eq!(resolve_relative("..x", "app.web", "base", false, &mut e).as_deref(), Some("x"));
        assert_eq!(resolve_relative("...x", "app", "base", false, &mut e), None);
        assert!(e[0].contains("goes beyond top level package"));
    }

    #[test]
    fn an_endless_chain_of_includes_is_an_error_not_a_crash() {
        // A backend where `a`, `a.a`, `a.a.a`, ... all exist (as a link
        // `a/a -> .` would give without the kernel's limit on links), and
        // each includes `.a`: every render goes one level deeper.
        struct Endless;
        impl FileClient for Endless {
            fn envs(&self) -> Vec<String> {
                vec!["base".into()]
            }
            fn list_states(&self, _: &str) -> Vec<String> {
                vec!["a".into()]
            }
            fn find_file(&self, rel: &str, _: &str) -> Option<PathBuf> {
                rel.ends_with("/init.sls").then(|| PathBuf::from(rel))
            }
        }
        impl SlsRenderer for Endless {
            fn render(&self, _: &StateFile, _: &str, sls: &str) -> Result<Value, String> {
                brine_common::yaml::load(&format!("include:\n  - .a\nx-{sls}:\n  test.nop: []\n")).map_err(|e| e.message)
            }
        }
        let run = || {
            let opts = Map::default();
            let mut hs = HighState::new(&Endless, &Endless, &opts);
            hs.render_highstate(&vec![("base".to_string(), vec!["a".to_string()])])
        };
        let (high, errors) = std::thread::Builder::new().stack_size(2 << 20).spawn(run).unwrap().join().expect("no stack overflow");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("includes nested more than 200 levels deep"), "{errors:?}");
        assert!(high.contains_key("x-a") && high.len() > 10, "{}", high.len());
    }

    #[test]
    fn dotted_declarations_are_split() {
        let mut state = match Value::from_json(&serde_json::json!({
            "x": {"pkg.installed": [{"name": "curl"}]},
            "y": "test.nop"
        })) {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        let mut errors = Vec::new();
        handle_state_decls(&mut state, "s", "base", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(state["x"].get("pkg"), Some(&Value::from_json(&serde_json::json!([{"name": "curl"}, "installed"]))));
        assert_eq!(state["y"].get("test"), Some(&Value::from_json(&serde_json::json!(["nop"]))));
    }

    /// SLS files from texts; with `defer`, YAML is left to the caller.
    struct Texts {
        files: Vec<(&'static str, &'static str)>,
        defer: bool,
    }

    impl FileClient for Texts {
        fn envs(&self) -> Vec<String> {
            vec!["base".into()]
        }
        fn list_states(&self, _: &str) -> Vec<String> {
            self.files.iter().map(|(sls, _)| sls.to_string()).collect()
        }
        fn find_file(&self, rel: &str, _: &str) -> Option<PathBuf> {
            self.files.iter().any(|(sls, _)| format!("{sls}.sls") == rel).then(|| PathBuf::from(rel))
        }
    }

    impl SlsRenderer for Texts {
        fn render(&self, file: &StateFile, _: &str, _: &str) -> Result<Value, String> {
            let text = self.files.iter().find(|(sls, _)| format!("{sls}.sls") == file.rel).map(|(_, t)| *t);
            load_yaml(text.unwrap_or(""), &file.rel)
        }
        fn render_partial(&self, file: &StateFile, saltenv: &str, sls: &str) -> Partial {
            let text = self.files.iter().find(|(s, _)| format!("{s}.sls") == file.rel).map(|(_, t)| *t);
            match (self.defer, text) {
                (true, Some(text)) => Partial::Yaml(text.to_string()),
                _ => Partial::Done(self.render(file, saltenv, sls)),
            }
        }
    }

    #[test]
    fn deferred_yaml_gives_the_same_tree_order_and_errors() {
        let files = vec![
            ("a", "a1:\n  cmd.run: []\na2:\n  cmd.run: []\n"),
            ("b", "include:\n  - c\nb1:\n  file.managed: []\n"),
            ("c", "c1:\n  pkg.installed: []\n"),
            ("d", "d1: [unclosed\n"),
            ("e", "e1:\n  service.running:\n    - order: 5\ne2:\n  cmd.run: []\n"),
        ];
        let matches: Matches = vec![("base".into(), vec!["a".into(), "b".into(), "d".into(), "e".into(), "missing".into()])];
        let opts = Map::default();
        let mut runs = [false, true].map(|defer| {
            let texts = Texts { files: files.clone(), defer };
            let (high, errors) = HighState::new(&texts, &texts, &opts).render_highstate(&matches);
            (Value::Map(high).py_repr(), errors)
        });
        let (deferred, direct) = (runs[1].clone(), std::mem::take(&mut runs[0]));
        assert_eq!(deferred, direct);
        assert!(direct.0.find("'a1'") < direct.0.find("'b1'") && direct.0.find("'c1'") < direct.0.find("'e1'"), "{}", direct.0);
        assert_eq!(direct.1.len(), 2, "{:?}", direct.1);
    }

    #[test]
    fn base_top_is_authoritative() {
        let t = |j| match Value::from_json(&j) { Value::Map(m) => m, _ => unreachable!() };
        let tops = vec![
            ("base".to_string(), vec![t(serde_json::json!({"base": {"*": ["a"]}, "dev": {"*": ["b"]}}))]),
            ("dev".to_string(), vec![t(serde_json::json!({"dev": {"*": ["c"]}, "base": {"*": ["z"]}}))]),
        ];
        let top = merge_tops(tops).unwrap();
        assert_eq!(top["dev"], Value::from_json(&serde_json::json!({"*": ["b"]})));
        assert_eq!(top["base"], Value::from_json(&serde_json::json!({"*": ["a"]})));
    }
}
