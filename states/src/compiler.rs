//! The SLS compiler: high data in, ordered low chunks out.
//!
//! Mirrors the steps Salt's `State` applies to rendered high data, in the same
//! order: `reconcile_extend`, `verify_high`, `requisite_in` (folding `*_in`
//! requisites, `use` and `prereq` into their targets), `apply_exclude`, then
//! `compile_high_data` and `order_chunks`. Errors are Salt's texts, collected
//! rather than thrown, because Salt reports them as a list.
//!
//! It works on plain [`Value`] trees and must not render, read files or run
//! anything: rendering and the top file live in `highstate`.

use brine_common::{Map, Value};

/// Requisites whose lists `extend` appends to instead of replacing.
pub const REQUISITE_KEYWORDS: &[&str] = &[
    "onchanges", "onchanges_any", "onfail", "onfail_any", "onfail_all", "onfail_stop",
    "prereq", "prerequired", "watch", "watch_any", "require", "require_any", "listen",
];

const REQ_IN: &[&str] = &[
    "require_in", "watch_in", "onfail_in", "onchanges_in", "use", "use_in", "prereq", "prereq_in",
];
const REQ_IN_ALL_EXTRA: &[&str] = &["require", "watch", "onfail", "onfail_stop", "onchanges"];

/// The first key of a one-key map, as Python's `next(iter(d))`.
pub fn first_key(m: &Map) -> Option<&str> {
    m.keys().next().map(String::as_str)
}

fn is_dunder(key: &str) -> bool {
    key.starts_with("__")
}

/// The state declarations of an ID body: `(state, args)` skipping `__x__` keys.
fn decls(body: &Map) -> impl Iterator<Item = (&String, &Value)> {
    body.iter().filter(|(k, _)| !is_dunder(k))
}

fn body_str<'a>(body: &'a Map, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Salt's `find_name`: the (ID, state) pairs a requisite `state: name` refers to.
pub fn find_name(name: &str, state: &str, high: &Map, strict: bool) -> Vec<(String, String)> {
    let check2 = !strict || high.get(name).and_then(Value::as_map).is_some_and(|b| b.contains_key(state));
    if high.contains_key(name) && check2 {
        return vec![(name.to_string(), state.to_string())];
    }
    let mut out = Vec::new();
    if state == "sls" {
        for (nid, item) in ids(high) {
            if body_str(item, "__sls__") == name {
                if let Some((st, _)) = decls(item).next() {
                    out.push((nid.clone(), st.clone()));
                }
            }
        }
        return out;
    }
    for (nid, item) in ids(high) {
        let Some(args) = item.get(state).and_then(Value::as_list) else { continue };
        for arg in args {
            if let Some(m) = arg.as_map() {
                if m.len() == 1 && m.values().next().and_then(Value::as_str) == Some(name) {
                    out.push((nid.clone(), state.to_string()));
                }
            }
        }
    }
    out
}

/// The ID bodies of high data (skipping `__extend__`/`__exclude__` and non-maps).
fn ids(high: &Map) -> impl Iterator<Item = (&String, &Map)> {
    high.iter().filter(|(k, _)| !is_dunder(k)).filter_map(|(k, v)| v.as_map().map(|m| (k, m)))
}

fn find_sls_ids(sls: &str, high: &Map) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (nid, item) in ids(high) {
        if body_str(item, "__sls__") == sls {
            for (st, _) in decls(item) {
                out.push((nid.clone(), st.clone()));
            }
        }
    }
    out
}

fn state_args(id: &str, state: &str, high: &Map) -> Vec<String> {
    let Some(args) = high.get(id).and_then(|b| b.get(state)).and_then(Value::as_list) else {
        return Vec::new();
    };
    args.iter()
        .filter_map(Value::as_map)
        .filter(|m| m.len() == 1)
        .filter_map(|m| first_key(m).map(str::to_string))
        .collect()
}

/// Salt's `reconcile_extend`: apply `__extend__` entries to the high data.
pub fn reconcile_extend(high: &mut Map, strict: bool) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(Value::List(ext)) = high.shift_remove("__extend__") else { return errors };
    let sls_excludes = excluded_sls(high);
    for ext_chunk in ext {
        let Value::Map(ext_chunk) = ext_chunk else { continue };
        for (name, body) in ext_chunk {
            let Value::Map(body) = body else { continue };
            extend_one(high, name, body, strict, &sls_excludes, &mut errors);
        }
    }
    errors
}

fn excluded_sls(high: &Map) -> Vec<String> {
    let Some(list) = high.get("__exclude__").and_then(Value::as_list) else { return Vec::new() };
    list.iter()
        .filter_map(|e| match e {
            Value::Str(s) => Some(s.clone()),
            Value::Map(m) => m.get("sls").filter(|v| v.truthy()).map(Value::py_str),
            _ => None,
        })
        .collect()
}

fn extend_one(high: &mut Map, mut name: String, body: Map, strict: bool, sls_excludes: &[String], errors: &mut Vec<String>) {
    let state_type = decls(&body).next().map(|(k, _)| k.clone()).unwrap_or_default();
    let present = high.get(&name).and_then(Value::as_map).is_some_and(|b| b.contains_key(&state_type));
    if !present {
        let found = find_name(&name, &state_type, high, strict);
        if found.len() != 1 {
            let env = body.get("__env__").map(Value::py_str).unwrap_or_else(|| "base".into());
            let sls = body.get("__sls__").map(Value::py_str).unwrap_or_else(|| "base".into());
            errors.push(format!(
                "Cannot extend ID '{name}' in '{env}:{sls}'. It is not part of the high state.\n\
                 This is likely due to a missing include statement or an incorrectly typed ID.\n\
                 Ensure that a state with an ID of '{name}' is available\nin environment '{env}' and to SLS '{sls}'"
            ));
            return;
        }
        name = found[0].0.clone();
    }
    if let Some(sls) = body.get("__sls__").and_then(Value::as_str) {
        if sls_excludes.iter().any(|e| e == sls) {
            return;
        }
    }
    let Some(target) = high.get_mut(&name).and_then(Value::as_map_mut) else { return };
    for (state, run) in body {
        if is_dunder(&state) {
            continue;
        }
        match (target.get_mut(&state), run) {
            (Some(Value::List(existing)), Value::List(run)) => merge_extend_args(existing, run),
            (_, run) => {
                target.insert(state, run);
            }
        }
    }
}

/// Merge one extend's arguments into a state's argument list, as Salt does.
fn merge_extend_args(existing: &mut Vec<Value>, run: Vec<Value>) {
    for arg in run {
        let mut update = false;
        for hind in 0..existing.len() {
            match (&arg, &mut existing[hind]) {
                (Value::Str(_), Value::Str(_)) => {
                    existing[hind] = arg.clone();
                    update = true;
                }
                (Value::Map(a), Value::Map(v)) => {
                    let argfirst = first_key(a).unwrap_or("").to_string();
                    let vfirst = first_key(v).unwrap_or("").to_string();
                    if argfirst == vfirst {
                        if REQUISITE_KEYWORDS.contains(&argfirst.as_str()) {
                            if let (Some(Value::List(dst)), Some(Value::List(src))) =
                                (v.get_mut(&argfirst), a.get(&argfirst))
                            {
                                dst.extend(src.iter().cloned());
                            }
                        } else {
                            existing[hind] = arg.clone();
                        }
                        update = true;
                    }
                    if argfirst == "name" && vfirst == "names" {
                        existing[hind] = arg.clone();
                    }
                }
                _ => {}
            }
        }
        if !update {
            existing.push(arg);
        }
    }
}

/// Salt's `verify_high`: structural errors in the high data.
pub fn verify_high(high: &Map) -> Vec<String> {
    let mut errors = Vec::new();
    // (id -> state, {req_val: req_key}) for the simple recursive-requisite check.
    let mut reqs: Vec<(String, String, Vec<(String, String)>)> = Vec::new();
    for (name, body) in high {
        if is_dunder(name) {
            continue;
        }
        let Some(body) = body.as_map() else {
            errors.push(format!("The type {name} in {} is not formatted as a dictionary", body.py_str()));
            continue;
        };
        let sls = body_str(body, "__sls__");
        for (state, run) in decls(body) {
            verify_decl(name, sls, state, run, &mut reqs, &mut errors);
        }
    }
    errors
}

fn verify_decl(
    name: &str,
    sls: &str,
    state: &str,
    run: &Value,
    reqs: &mut Vec<(String, String, Vec<(String, String)>)>,
    errors: &mut Vec<String>,
) {
    let args = match run {
        Value::Null => {
            errors.push(format!(
                "ID '{name}' in SLS '{sls}' contains a short declaration ({state}) with a trailing colon. \
                 When not passing any arguments to a state, the colon must be omitted."
            ));
            return;
        }
        Value::List(args) => args,
        _ => {
            errors.push(format!("State '{name}' in SLS '{sls}' is not formed as a list"));
            return;
        }
    };
    let mut fun = usize::from(state.contains('.'));
    for arg in args {
        match arg {
            Value::Str(s) => {
                fun += 1;
                if s.trim().contains(' ') {
                    errors.push(format!(
                        "The function \"{s}\" in state \"{name}\" in SLS \"{sls}\" has whitespace, a function with \
                         whitespace is not supported, perhaps this is an argument that is missing a \":\""
                    ));
                }
            }
            Value::Map(m) => verify_arg(name, sls, state, m, reqs, errors),
            _ => {}
        }
    }
    if fun == 0 {
        if state != "require" && state != "watch" {
            errors.push(format!("No function declared in state '{name}' in SLS '{sls}'"));
        }
    } else if fun > 1 {
        let mut funs: Vec<String> = state.split_once('.').map(|(_, f)| vec![f.to_string()]).unwrap_or_default();
        funs.extend(args.iter().filter_map(Value::as_str).map(str::to_string));
        errors.push(format!(
            "Too many functions declared in state '{name}' in SLS '{sls}'. Please choose one of the following: {}",
            funs.join(", ")
        ));
    }
}

fn verify_arg(
    name: &str,
    sls: &str,
    state: &str,
    arg: &Map,
    reqs: &mut Vec<(String, String, Vec<(String, String)>)>,
    errors: &mut Vec<String>,
) {
    let Some(argfirst) = first_key(arg) else { return };
    if argfirst == "names" && !matches!(arg.get("names"), Some(Value::List(_))) {
        errors.push(format!("The 'names' argument in state '{name}' in SLS '{sls}' needs to be formed as a list"));
    }
    if !["require", "watch", "prereq", "onchanges"].contains(&argfirst) {
        return;
    }
    let Some(Value::List(list)) = arg.get(argfirst) else {
        errors.push(format!(
            "The {argfirst} statement in state '{name}' in SLS '{sls}' needs to be formed as a list"
        ));
        return;
    };
    let mut mine: Vec<(String, String)> = Vec::new();
    for req in list {
        let (req_key, req_val) = match req {
            Value::Str(s) => ("id".to_string(), Value::Str(s.clone())),
            Value::Map(m) if !m.is_empty() => {
                let k = first_key(m).unwrap_or("").to_string();
                let v = m.get(&k).cloned().unwrap_or(Value::Null);
                (k, v)
            }
            other => {
                errors.push(format!(
                    "Requisite declaration {} in SLS {sls} is not formed as a single key dictionary",
                    other.py_repr()
                ));
                continue;
            }
        };
        if let Some(dot) = req_key.find('.') {
            errors.push(format!(
                "Invalid requisite type '{req_key}' in state '{name}', in SLS '{sls}'. Requisite types must not \
                 contain dots, did you mean '{}'?",
                &req_key[..dot]
            ));
        }
        let req_val = match req_val {
            Value::List(_) | Value::Map(_) => {
                errors.push(format!("Illegal requisite \"{}\", please check your syntax.\n", req_val.py_str()));
                continue;
            }
            v => v.py_str(),
        };
        if let Some((_, other_state, other_reqs)) = reqs.iter().find(|(id, _, _)| *id == req_val) {
            if other_reqs.iter().any(|(v, k)| v == name && k == state) && other_state == &req_key {
                errors.push(format!("A recursive requisite was found, SLS \"{sls}\" ID \"{name}\" ID \"{req_val}\""));
            }
        }
        mine.push((req_val, req_key));
    }
    reqs.retain(|(id, _, _)| id != name);
    reqs.push((name.to_string(), state.to_string(), mine));
    if arg.len() != 1 {
        errors.push(format!("Multiple dictionaries defined in argument of state '{name}' in SLS '{sls}'"));
    }
}

/// Salt's `apply_exclude`: drop excluded SLS files and IDs.
pub fn apply_exclude(high: &mut Map) {
    let Some(Value::List(exclude)) = high.shift_remove("__exclude__") else { return };
    let mut ex_sls = Vec::new();
    let mut ex_id = Vec::new();
    for exc in exclude {
        match exc {
            Value::Str(s) => ex_sls.push(s),
            Value::Map(m) if m.len() == 1 => {
                if let Some(v) = m.get("sls") {
                    ex_sls.push(v.py_str());
                } else if let Some(v) = m.get("id") {
                    ex_id.push(v.py_str());
                }
            }
            _ => {}
        }
    }
    for (name, body) in ids(high) {
        let sls = body_str(body, "__sls__");
        if !sls.is_empty() && ex_sls.iter().any(|p| brine_common::matcher::fnmatch(sls, p)) {
            ex_id.push(name.clone());
        }
    }
    for id in ex_id {
        high.shift_remove(&id);
    }
}

/// One pending `__extend__` entry built by `requisite_in`.
#[derive(Default)]
struct Extends(Map);

impl Extends {
    fn decl(&mut self, id: &str, state: &str) -> &mut Vec<Value> {
        let body = self.0.entry(id.to_string()).or_insert_with(|| Value::Map(Map::default()));
        let Value::Map(body) = body else { unreachable!("extend bodies are maps") };
        let list = body.entry(state.to_string()).or_insert_with(|| Value::List(Vec::new()));
        let Value::List(list) = list else { unreachable!("extend declarations are lists") };
        list
    }

    fn set_origin(&mut self, id: &str, env: &Value, sls: &Value) {
        if let Some(Value::Map(body)) = self.0.get_mut(id) {
            body.insert("__env__".into(), env.clone());
            body.insert("__sls__".into(), sls.clone());
        }
    }

    /// Add `{state: id}` under requisite `rkey` of `name`'s `_state` declaration.
    fn add_req(&mut self, name: &str, target_state: &str, rkey: &str, req: Value, env: &Value, sls: &Value) {
        let list = self.decl(name, target_state);
        let mut found = false;
        for entry in list.iter_mut() {
            if let Value::Map(m) = entry {
                if first_key(m) == Some(rkey) {
                    if let Some(Value::List(l)) = m.get_mut(rkey) {
                        l.push(req.clone());
                    }
                    found = true;
                }
            }
        }
        if !found {
            let mut m = Map::default();
            m.insert(rkey.to_string(), Value::List(vec![req]));
            list.push(Value::Map(m));
        }
        self.set_origin(name, env, sls);
    }
}

fn single(k: &str, v: impl Into<Value>) -> Value {
    let mut m = Map::default();
    m.insert(k.to_string(), v.into());
    Value::Map(m)
}

/// Salt's `requisite_in`: fold `*_in`, `use` and `prereq` into their targets.
pub fn requisite_in(high: &mut Map) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ext = Extends::default();
    for (id, body) in ids(high) {
        for (state, run) in decls(body) {
            let Some(run) = run.as_list() else { continue };
            for arg in run {
                let Some(arg) = arg.as_map() else { continue };
                let Some(key) = first_key(arg) else { continue };
                if !REQ_IN.contains(&key) {
                    continue;
                }
                let ctx = ReqIn { high, id, state, body, key, rkey: key.split('_').next().unwrap_or(key) };
                match arg.get(key) {
                    Some(Value::Map(items)) => ctx.from_map(items, &mut ext, &mut errors),
                    Some(Value::List(items)) => ctx.from_list(items, &mut ext, &mut errors),
                    _ => {}
                }
            }
        }
    }
    let extend: Vec<Value> = ext.0.into_iter().map(|(k, v)| single(&k, v)).collect();
    high.insert("__extend__".into(), Value::List(extend));
    errors.extend(reconcile_extend(high, true));
    errors
}

/// The declaration a `*_in` requisite is read from.
struct ReqIn<'a> {
    high: &'a Map,
    id: &'a str,
    state: &'a str,
    body: &'a Map,
    key: &'a str,
    rkey: &'a str,
}

impl ReqIn<'_> {
    fn env(&self) -> Value {
        self.body.get("__env__").cloned().unwrap_or(Value::Null)
    }

    fn sls(&self) -> Value {
        self.body.get("__sls__").cloned().unwrap_or(Value::Null)
    }

    fn dotted_error(&self, pstate: &str, pname: &str, errors: &mut Vec<String>) {
        if let Some(dot) = pstate.find('.') {
            errors.push(format!(
                "Invalid requisite in {}: {pstate} for {pname}, in SLS '{}'. Requisites must not contain dots, \
                 did you mean '{}'?",
                self.rkey,
                self.sls().py_str(),
                &pstate[..dot]
            ));
        }
    }

    /// `require_in: {state: name}` (a single mapping).
    fn from_map(&self, items: &Map, ext: &mut Extends, errors: &mut Vec<String>) {
        for (st, name) in items {
            let name = name.py_str();
            self.dotted_error(st, &name, errors);
            let st = st.split('.').next().unwrap_or(st);
            ext.add_req(&name, st, self.rkey, single(self.state, self.id), &self.env(), &self.sls());
        }
    }

    /// `require_in: [{state: name}, name, {sls: x}]`.
    fn from_list(&self, items: &[Value], ext: &mut Extends, errors: &mut Vec<String>) {
        let mut hinges: Vec<(String, String)> = Vec::new();
        for ind in items {
            let Some((pstate, pname)) = self.resolve_item(ind) else { continue };
            if pstate == "sls" {
                hinges = find_sls_ids(&pname, self.high);
            } else {
                hinges.push((pname.clone(), pstate.clone()));
            }
            self.dotted_error(&pstate, &pname, errors);
            for (name, tstate) in hinges.clone() {
                self.apply_hinge(&name, &tstate, ext);
            }
        }
    }

    /// A list item as `(state, name)`; a bare name is looked up by ID, then by `name`.
    fn resolve_item(&self, ind: &Value) -> Option<(String, String)> {
        match ind {
            Value::Map(m) => {
                let k = first_key(m)?;
                Some((k.to_string(), m.get(k).map(Value::py_str).unwrap_or_default()))
            }
            other => {
                let name = other.py_str();
                if let Some(body) = self.high.get(&name).and_then(Value::as_map) {
                    let st = decls(body).next()?.0.clone();
                    return Some((st, name));
                }
                let mut found = None;
                for (nid, item) in ids(self.high) {
                    for (st, args) in decls(item) {
                        for a in args.as_list().unwrap_or(&[]) {
                            if a.get("name").map(Value::py_str).as_deref() == Some(name.as_str()) {
                                found = Some((st.clone(), nid.clone()));
                            }
                        }
                    }
                }
                found
            }
        }
    }

    fn apply_hinge(&self, name: &str, tstate: &str, ext: &mut Extends) {
        match self.key {
            "prereq_in" => {
                ext.decl(self.id, self.state).push(single("prerequired", vec![single(tstate, name)]));
                self.hinge_req(name, tstate, ext);
            }
            "prereq" => {
                for (ext_id, req_state) in find_name(name, tstate, self.high, true) {
                    ext.decl(&ext_id, &req_state).push(single("prerequired", vec![single(self.state, self.id)]));
                }
            }
            "use_in" => {
                for (ext_id, req_state) in find_name(name, tstate, self.high, true) {
                    let ignore = self.ignore_args(state_args(&ext_id, tstate, self.high));
                    let args = self.usable_args(self.id, self.state, &ignore);
                    ext.decl(&ext_id, &req_state).extend(args);
                }
            }
            "use" => {
                for (ext_id, req_state) in find_name(name, tstate, self.high, true) {
                    let ignore = self.ignore_args(state_args(self.id, self.state, self.high));
                    let args = self.usable_args(&ext_id, &req_state, &ignore);
                    ext.decl(self.id, self.state).extend(args);
                }
            }
            _ => self.hinge_req(name, tstate, ext),
        }
    }

    fn hinge_req(&self, name: &str, tstate: &str, ext: &mut Extends) {
        ext.add_req(name, tstate, self.rkey, single(self.state, self.id), &self.env(), &self.sls());
    }

    fn ignore_args(&self, mut own: Vec<String>) -> Vec<String> {
        own.extend(REQ_IN.iter().chain(REQ_IN_ALL_EXTRA).map(|s| s.to_string()));
        own.extend(["name".to_string(), "names".to_string()]);
        own
    }

    fn usable_args(&self, id: &str, state: &str, ignore: &[String]) -> Vec<Value> {
        let Some(args) = self.high.get(id).and_then(|b| b.get(state)).and_then(Value::as_list) else {
            return Vec::new();
        };
        args.iter()
            .filter(|a| a.as_map().is_some_and(|m| m.len() == 1 && !ignore.iter().any(|i| Some(i.as_str()) == first_key(m))))
            .cloned()
            .collect()
    }
}

/// Salt's `compile_high_data` followed by `order_chunks`.
pub fn compile_high_data(high: Map) -> Vec<Map> {
    let mut chunks = Vec::new();
    for (name, body) in high {
        let Value::Map(mut body) = body else { continue };
        if is_dunder(&name) {
            continue;
        }
        let shared = shared_fields(&mut body);
        for (state, run) in body {
            if !is_dunder(&state) {
                compile_decl(&name, &shared, state, run, &mut chunks);
            }
        }
    }
    order_chunks(chunks)
}

/// The fields of an ID body every one of its chunks carries.
fn shared_fields(body: &mut Map) -> Vec<(&'static str, Value)> {
    ["__sls__", "__env__", "__sls_included_from__"]
        .into_iter()
        .filter_map(|key| body.get_mut(key).map(|v| (key, std::mem::take(v))))
        .collect()
}

/// The chunks of one `state: [args]` declaration of ID `name`; the
/// arguments are moved into the chunks.
fn compile_decl(name: &str, shared: &[(&str, Value)], state: String, run: Value, chunks: &mut Vec<Map>) {
    let args = match run {
        Value::List(args) => args,
        _ => Vec::new(),
    };
    let mut chunk = brine_common::value::map_with_capacity(shared.len() + args.len() + 5);
    chunk.insert("state".into(), Value::Str(state));
    chunk.insert("name".into(), name.into());
    for (key, v) in shared {
        chunk.insert((*key).into(), v.clone());
    }
    chunk.insert("__id__".into(), name.into());
    let mut funcs: Vec<String> = Vec::new();
    let mut names: Vec<Value> = Vec::new();
    for arg in args {
        match arg {
            Value::Str(f) if !funcs.contains(&f) => funcs.push(f),
            Value::Map(m) => {
                for (key, val) in m {
                    match key.as_str() {
                        "names" => {
                            for n in val.as_list().unwrap_or(&[]) {
                                if !names.contains(n) {
                                    names.push(n.clone());
                                }
                            }
                        }
                        "state" => {}
                        "name" if !matches!(val, Value::Str(_)) => {
                            chunk.insert("name".into(), name.into());
                        }
                        _ => {
                            chunk.insert(key, val);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        if let Some((last, rest)) = funcs.split_last() {
            for fun in rest {
                let mut live = chunk.clone();
                live.insert("fun".into(), fun.as_str().into());
                chunks.push(live);
            }
            chunk.insert("fun".into(), last.as_str().into());
            chunks.push(chunk);
        }
        return;
    }
    for (i, entry) in names.iter().enumerate() {
        let mut live = chunk.clone();
        match entry {
            Value::Map(m) if !m.is_empty() => {
                let low_name = first_key(m).unwrap_or("").to_string();
                for upd in m.get(&low_name).and_then(Value::as_list).unwrap_or(&[]) {
                    if let Some(u) = upd.as_map() {
                        live.extend(u.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                live.insert("name".into(), low_name.into());
            }
            other => {
                live.insert("name".into(), Value::Str(other.py_str()));
            }
        }
        live.insert("name_order".into(), Value::Int(i as i64 + 1));
        for fun in &funcs {
            let mut l = live.clone();
            l.insert("fun".into(), fun.as_str().into());
            chunks.push(l);
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Salt's `order_chunks`: resolve `order` (first/last/negative/names) and sort.
pub fn order_chunks(mut chunks: Vec<Map>) -> Vec<Map> {
    let mut cap: i64 = 1;
    for chunk in &chunks {
        if let Some(Value::Int(o)) = chunk.get("order") {
            if *o > cap - 1 && *o > 0 {
                cap = o + 100;
            }
        }
    }
    for chunk in &mut chunks {
        let order = match chunk.get("order") {
            None => Value::Int(cap),
            Some(Value::Int(i)) => Value::Int(*i),
            Some(Value::Float(f)) => Value::Float(*f),
            Some(Value::Str(s)) if s == "last" => Value::Int(cap + 1_000_000),
            Some(Value::Str(s)) if s == "first" => Value::Int(0),
            Some(_) => Value::Int(cap),
        };
        let order = match chunk.shift_remove("name_order").as_ref().and_then(num) {
            Some(n) => Value::Float(num(&order).unwrap_or(0.0) + n / 10000.0),
            None => order,
        };
        let order = match order {
            Value::Int(i) if i < 0 => Value::Int(cap + 1_000_000 + i),
            Value::Float(f) if f < 0.0 => Value::Float(cap as f64 + 1_000_000.0 + f),
            o => o,
        };
        chunk.insert("order".into(), order);
    }
    // Salt's sort key, computed once per chunk.
    let mut keyed: Vec<(f64, String, Map)> = chunks
        .into_iter()
        .map(|c| (c.get("order").and_then(num).unwrap_or(0.0), sort_name(&c), c))
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

fn sort_name(chunk: &Map) -> String {
    let g = |k: &str| chunk.get(k).map(Value::py_str).unwrap_or_default();
    format!("{}{}{}", g("state"), g("name"), g("fun"))
}

/// The whole compile of rendered high data, as `state.show_lowstate` and a run do it.
pub fn compile(mut high: Map) -> Result<Vec<Map>, Vec<String>> {
    let mut errors = reconcile_extend(&mut high, false);
    errors.extend(verify_high(&high));
    if !errors.is_empty() {
        return Err(errors);
    }
    let errors = requisite_in(&mut high);
    apply_exclude(&mut high);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(compile_high_data(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn high(json: serde_json::Value) -> Map {
        match Value::from_json(&json) {
            Value::Map(m) => m,
            _ => panic!("test high data must be a map"),
        }
    }

    #[test]
    fn names_expand_with_fractional_order() {
        let h = high(serde_json::json!({
            "pkgs": {"__sls__": "a", "__env__": "base", "pkg": [{"names": ["x", "y"]}, "installed", {"order": 10000}]}
        }));
        let low = compile(h).unwrap();
        assert_eq!(low.len(), 2);
        assert_eq!(low[0]["name"], Value::str("x"));
        assert_eq!(low[0]["order"], Value::Float(10000.0001));
        assert_eq!(low[1]["order"], Value::Float(10000.0002));
    }

    #[test]
    fn require_in_is_folded_into_target() {
        let h = high(serde_json::json!({
            "a": {"__sls__": "s", "__env__": "base", "test": ["nop", {"require_in": [{"test": "b"}]}, {"order": 10000}]},
            "b": {"__sls__": "s", "__env__": "base", "test": ["nop", {"require": [{"test": "c"}]}, {"order": 10001}]},
            "c": {"__sls__": "s", "__env__": "base", "test": ["nop", {"order": 10002}]}
        }));
        let low = compile(h).unwrap();
        let b = low.iter().find(|c| c["__id__"] == Value::str("b")).unwrap();
        assert_eq!(b["require"], Value::from_json(&serde_json::json!([{"test": "c"}, {"test": "a"}])));
    }

    #[test]
    fn order_first_last_and_cap() {
        let chunks = vec![
            high(serde_json::json!({"state": "t", "name": "a", "fun": "f", "order": "last"})),
            high(serde_json::json!({"state": "t", "name": "b", "fun": "f", "order": 10000})),
            high(serde_json::json!({"state": "t", "name": "c", "fun": "f", "order": "first"})),
        ];
        let out = order_chunks(chunks);
        assert_eq!(out[0]["name"], Value::str("c"));
        assert_eq!(out[2]["order"], Value::Int(1_010_100));
    }

    #[test]
    fn two_functions_and_missing_function_are_errors() {
        let h = high(serde_json::json!({"x": {"__sls__": "s", "test": ["nop", "succeed_with_changes"]}}));
        assert!(verify_high(&h)[0].starts_with("Too many functions declared in state 'x'"));
        let h = high(serde_json::json!({"x": {"__sls__": "s", "test": [{"a": 1}]}}));
        assert_eq!(verify_high(&h), vec!["No function declared in state 'x' in SLS 's'".to_string()]);
    }

    #[test]
    fn extend_of_unknown_id_is_an_error() {
        let mut h = high(serde_json::json!({
            "__extend__": [{"ghost": {"__sls__": "s", "__env__": "base", "file": [{"mode": 600}]}}]
        }));
        let errs = reconcile_extend(&mut h, false);
        assert!(errs[0].starts_with("Cannot extend ID 'ghost' in 'base:s'"));
    }

    /// A small deterministic generator of arbitrary high data.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }

        fn value(&mut self, depth: u32) -> Value {
            let words = ["a", "b", "test", "nop", "require", "watch_in", "names", "name", "order", "sls", "use",
                         "prereq", "last", "first", "file.managed", "__sls__", "extend", "x.y"];
            match self.next() % if depth > 3 { 4 } else { 7 } {
                0 => Value::Null,
                1 => Value::Int((self.next() % 20000) as i64 - 100),
                2 => Value::str(self.pick(&words)),
                3 => Value::Bool(self.next() % 2 == 0),
                4 | 5 => Value::List((0..self.next() % 4).map(|_| self.value(depth + 1)).collect()),
                _ => Value::Map((0..self.next() % 4).map(|_| (self.pick(&words).to_string(), self.value(depth + 1))).collect()),
            }
        }
    }

    #[test]
    fn compile_never_panics_on_arbitrary_high_data() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let mut high = Map::default();
            for i in 0..(g.next() % 5) {
                let v = g.value(0);
                let key = format!("{}{i}", g.pick(&["id", "__extend__", "__exclude__", "b"]));
                high.insert(key, v);
            }
            let _ = compile(high);
        }
    }
}
