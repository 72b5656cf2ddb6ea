//! The chunk walker: Salt's `call_chunks` and `call_chunk`. Walks the chunks
//! in order, runs each one's requisites first (recursively), then the chunk
//! itself, handling every requisite status (met, unmet, fail, change -> mod_watch,
//! prereq, onfail, onchanges), failhard and recursion.
//!
//! Low chunks live in an arena and are referred to by index, so flags Salt
//! sets on a chunk (`__prereq__`, watch turned into require) stick to it as
//! they do on Python's shared dicts. It must not call state functions itself
//! (that is `call.rs`) nor evaluate requisite statuses (`requisites.rs`).

use std::collections::HashSet;
use std::rc::Rc;

use brine_common::{Map, Value};
use brine_modules::Ctx;

use super::requisites::{ReqIndex, Status};
use super::{gen_tag, Host, RunError};
use crate::mods::Running;

/// A low chunk in the arena, with the requisites that triggered it when it
/// is a `mod_watch` copy (Salt's `__reqs__`). The data is shared with the
/// run's lowstate and with the call in progress; the few flags Salt sets on
/// a chunk copy it on write.
pub(super) struct Low {
    pub data: Rc<Map>,
    pub reqs: Option<ReqIndex>,
    /// `state`, `name`, `__id__`, `__sls__` as text, for requisite matching.
    pub ident: Ident,
    /// The return key (`gen_tag`): the fields it is made of never change.
    pub tag: String,
}

/// The fields requisites match on; they never change once a chunk exists.
#[derive(Default)]
pub(super) struct Ident {
    pub state: String,
    pub name: String,
    pub id: String,
    pub sls: String,
}

impl Ident {
    fn of(data: &Map) -> Self {
        let text = |k: &str| data.get(k).map(Value::py_str).unwrap_or_default();
        Ident { state: text("state"), name: text("name"), id: text("__id__"), sls: text("__sls__") }
    }
}

impl Low {
    fn new(data: Rc<Map>, reqs: Option<ReqIndex>) -> Self {
        Low { ident: Ident::of(&data), tag: gen_tag(&data), data, reqs }
    }
}

/// The returns of one `call_chunks` (Salt's `running`), plus its failhard flag.
#[derive(Default)]
pub(super) struct Run {
    pub rets: Running,
    pub failhard: bool,
}

pub(super) struct Engine<'a> {
    pub host: &'a dyn Host,
    pub ctx: &'a Ctx<'a>,
    pub test: bool,
    pub arena: Vec<Low>,
    top: Vec<usize>,
    pub lowstate: Vec<Rc<Map>>,
    /// Returns of prereq test runs (Salt's `self.pre`).
    pub pre: Running,
    active: HashSet<String, brine_common::value::MapHasher>,
    pub run_num: i64,
    /// `file.managed` targets read ahead on a second thread (real runs only).
    pub lookahead: Option<super::Lookahead>,
}

impl<'a> Engine<'a> {
    pub fn new(host: &'a dyn Host, ctx: &'a Ctx<'a>, test: bool, lows: Vec<Map>) -> Self {
        let lowstate: Vec<Rc<Map>> = lows.into_iter().map(Rc::new).collect();
        let arena: Vec<Low> = lowstate.iter().map(|data| Low::new(Rc::clone(data), None)).collect();
        let top = (0..arena.len()).collect();
        #[allow(unused_mut)]
        let mut lookahead = if test { None } else { super::Lookahead::start(&lowstate) };
        // Unit tests take every reading before the first state runs: the
        // stalest readings a run can meet, so a missed stop shows.
        #[cfg(test)]
        if let Some(l) = &mut lookahead {
            l.finish();
        }
        Engine {
            host,
            ctx,
            test,
            arena,
            top,
            lowstate,
            pre: Running::default(),
            active: HashSet::default(),
            run_num: 0,
            lookahead,
        }
    }

    /// Runs every chunk, then the listeners (Salt's `call_high` tail).
    pub fn run_all(&mut self) -> Result<Running, RunError> {
        let top = self.top.clone();
        let run = self.call_chunks(&top)?;
        self.call_listen(&top, run.rets)
    }

    pub fn low(&self, idx: usize) -> &Map {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        self.arena.get(idx).map(|l| &*l.data).unwrap_or_else(|| EMPTY.get_or_init(Map::default))
    }

    pub fn ident(&self, idx: usize) -> Option<&Ident> {
        self.arena.get(idx).map(|l| &l.ident)
    }

    /// The chunk's data as it is now, shared (a later flag copies it).
    pub fn low_rc(&self, idx: usize) -> Rc<Map> {
        self.arena.get(idx).map(|l| Rc::clone(&l.data)).unwrap_or_default()
    }

    /// The chunk's data for a change; callers check first that there is one
    /// to make, as this copies data still shared.
    pub fn low_mut(&mut self, idx: usize) -> Option<&mut Map> {
        self.arena.get_mut(idx).map(|l| Rc::make_mut(&mut l.data))
    }

    pub fn tag_ref(&self, idx: usize) -> &str {
        self.arena.get(idx).map(|l| l.tag.as_str()).unwrap_or("")
    }

    pub fn tag(&self, idx: usize) -> String {
        self.tag_ref(idx).to_string()
    }

    /// Adds a chunk (a copy made for mod_watch or a listener) to the arena.
    pub fn push_low(&mut self, data: Map, reqs: Option<ReqIndex>) -> usize {
        self.arena.push(Low::new(Rc::new(data), reqs));
        self.arena.len() - 1
    }

    pub fn flag(&self, idx: usize, key: &str) -> bool {
        self.low(idx).get(key).map(Value::truthy).unwrap_or(false)
    }

    pub fn next_run_num(&mut self) -> i64 {
        let n = self.run_num;
        self.run_num += 1;
        n
    }

    /// Salt's `call_chunks`.
    pub fn call_chunks(&mut self, chunks: &[usize]) -> Result<Run, RunError> {
        let mut run = Run {
            rets: Running::with_capacity_and_hasher(chunks.len(), Default::default()),
            failhard: false,
        };
        for &low in chunks {
            if run.failhard {
                run.failhard = false;
                return Ok(run);
            }
            if !run.rets.contains_key(self.tag_ref(low)) {
                self.call_chunk(low, &mut run, chunks, 0)?;
                if self.check_failhard(low, &run) {
                    return Ok(run);
                }
            }
            self.active.clear();
        }
        run.failhard = false;
        Ok(run)
    }

    /// Salt's `check_failhard`: a failed (not None) result with failhard set.
    pub fn check_failhard(&self, low: usize, run: &Run) -> bool {
        if self.test {
            return false;
        }
        let failhard = match self.low(low).get("failhard") {
            Some(v) => v.truthy(),
            None => self.host.opts().get("failhard").map(Value::truthy).unwrap_or(false),
        };
        if !failhard {
            return false;
        }
        match run.rets.get(self.tag_ref(low)).and_then(|r| r.get("result")) {
            Some(Value::Bool(b)) => !b,
            Some(Value::Null) | None => false,
            Some(other) => !other.truthy(),
        }
    }

    /// Salt's `call_chunk`. Salt recurses into the requisites of a chunk;
    /// here the recursion is an explicit stack of [`Step`]s, so a long
    /// requisite chain cannot overflow the thread's stack.
    pub fn call_chunk(&mut self, low: usize, run: &mut Run, chunks: &[usize], depth: usize) -> Result<(), RunError> {
        let mut stack = vec![Step::Enter { low, depth }];
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter { low, depth } => self.enter(low, depth, run, chunks, &mut stack)?,
                Step::Walk(walk) => self.walk(walk, run, chunks, &mut stack)?,
                Step::AfterRetry { last } => self.failhard_after(last, run),
            }
        }
        Ok(())
    }

    /// The body of Salt's `call_chunk` up to the requisite walk.
    fn enter(
        &mut self,
        low: usize,
        depth: usize,
        run: &mut Run,
        chunks: &[usize],
        stack: &mut Vec<Step>,
    ) -> Result<(), RunError> {
        let tag = self.tag(low);
        if !self.flag(low, "prerequired") {
            self.active.insert(tag.clone());
        }
        let is_prereq = self.flag(low, "__prereq__");
        let (status, reqs) = self.check_requisite(low, &run.rets, chunks, !is_prereq)?;
        match status {
            Status::Unmet => {
                let (found, lost) = self.find_requisites(low, chunks, is_prereq);
                if lost.is_empty() {
                    stack.push(Step::Walk(Walk { low, depth, found, pos: 0, child: None }));
                } else {
                    self.store_lost(low, run, &lost, is_prereq);
                }
            }
            Status::Met => self.store_call(low, run, chunks, is_prereq)?,
            Status::Fail => self.handle_fail(low, run, &reqs),
            Status::Change if !is_prereq => self.handle_change(low, run, chunks, reqs)?,
            Status::Pre => self.store_skip(low, run, &tag, SkipKind::Pre),
            Status::OnFail => self.store_skip(low, run, &tag, SkipKind::OnFail),
            Status::OnChanges => self.store_skip(low, run, &tag, SkipKind::OnChanges),
            Status::Change => self.store_call(low, run, chunks, is_prereq)?,
        }
        Ok(())
    }

    fn failhard_after(&self, chunk: Option<usize>, run: &mut Run) {
        if chunk.is_some_and(|c| self.check_failhard(c, run)) {
            run.failhard = true;
        }
    }

    fn store_call(&mut self, low: usize, run: &mut Run, chunks: &[usize], is_prereq: bool) -> Result<(), RunError> {
        let tag = self.tag(low);
        let ret = self.call(low, chunks, &run.rets)?;
        if is_prereq {
            self.pre.insert(tag, ret);
        } else {
            run.rets.insert(tag, ret);
        }
        Ok(())
    }

    fn handle_change(&mut self, low: usize, run: &mut Run, chunks: &[usize], reqs: ReqIndex) -> Result<(), RunError> {
        let tag = self.tag(low);
        let ret = self.call(low, chunks, &run.rets)?;
        let has_changes = ret.get("changes").map(Value::truthy).unwrap_or(false);
        let skip_watch = ret.get("skip_watch").map(Value::truthy).unwrap_or(false);
        if has_changes || skip_watch {
            run.rets.insert(tag, ret);
            return Ok(());
        }
        let mut data = self.low(low).clone();
        let fun = data.get("fun").cloned().unwrap_or(Value::Null);
        data.insert("sfun".into(), fun);
        data.insert("fun".into(), Value::str("mod_watch"));
        let watch_low = self.push_low(data, Some(reqs));
        let ret = self.call(watch_low, chunks, &run.rets)?;
        run.rets.insert(tag, ret);
        Ok(())
    }

    fn handle_fail(&mut self, low: usize, run: &mut Run, reqs: &ReqIndex) {
        let tag = self.tag(low);
        if let Some(mut prev) = self.pre.get(&tag).cloned() {
            if prev.get("changes").map(Value::truthy).unwrap_or(false) {
                prev.insert("changes".into(), Value::Map(Map::default()));
            }
            prev.insert("__run_num__".into(), Value::Int(self.run_num));
            self.copy_ids(low, &mut prev);
            run.rets.insert(tag, prev);
        } else {
            let comment = format!("One or more requisite failed: {}", self.failed_requisites(reqs, run).join(", "));
            let mut ret = self.fake_ret(low, false, &comment);
            ret.insert("__run_num__".into(), Value::Int(self.run_num));
            run.rets.insert(tag.clone(), ret.clone());
            self.pre.insert(tag, ret);
        }
        self.run_num += 1;
    }

    /// `SLS.ID` of every required state whose result is False (Salt keeps them
    /// in a set; we keep first-seen order).
    fn failed_requisites(&self, reqs: &ReqIndex, run: &Run) -> Vec<String> {
        let mut failed: Vec<String> = Vec::new();
        for idxs in reqs.values() {
            for &r in idxs {
                let rtag = self.tag_ref(r);
                let ret = self.pre.get(rtag).or_else(|| run.rets.get(rtag));
                if ret.and_then(|r| r.get("result")) == Some(&Value::Bool(false)) {
                    let l = self.low(r);
                    let key = format!(
                        "{}.{}",
                        l.get("__sls__").map(Value::py_str).unwrap_or_default(),
                        l.get("__id__").map(Value::py_str).unwrap_or_default()
                    );
                    if !failed.contains(&key) {
                        failed.push(key);
                    }
                }
            }
        }
        failed
    }

    /// A return for a state that did not run: changes empty, fake timing.
    pub fn fake_ret(&self, low: usize, result: bool, comment: &str) -> Map {
        let now = brine_modules::sys::local_now();
        let mut ret = Map::default();
        ret.insert("changes".into(), Value::Map(Map::default()));
        ret.insert("result".into(), Value::Bool(result));
        ret.insert("duration".into(), Value::Float(0.002));
        ret.insert("start_time".into(), Value::Str(now.iso_time()));
        ret.insert("comment".into(), Value::str(comment));
        self.copy_ids(low, &mut ret);
        ret
    }

    /// Copies `__sls__`, `__id__` and `name` from the chunk into a return.
    pub fn copy_ids(&self, low: usize, ret: &mut Map) {
        for key in ["__sls__", "__id__", "name"] {
            ret.insert(key.into(), self.low(low).get(key).cloned().unwrap_or(Value::Null));
        }
    }

    fn store_skip(&mut self, low: usize, run: &mut Run, tag: &str, kind: SkipKind) {
        let mut ret = self.fake_ret(low, true, kind.comment());
        if kind != SkipKind::Pre {
            ret.insert("__state_ran__".into(), Value::Bool(false));
        }
        ret.insert("__run_num__".into(), Value::Int(self.next_run_num()));
        if kind == SkipKind::Pre {
            self.pre.insert(tag.to_string(), ret.clone());
        }
        run.rets.insert(tag.to_string(), ret);
    }

    /// Salt's "unmet" branch: run the required chunks not run yet (one at a
    /// time: each child is pushed with this walk resumed after it), then this
    /// chunk again.
    fn walk(&mut self, mut w: Walk, run: &mut Run, chunks: &[usize], stack: &mut Vec<Step>) -> Result<(), RunError> {
        if let Some(child) = w.child.take() {
            if self.check_failhard(child, run) {
                run.failhard = true;
                return Ok(());
            }
        }
        while let Some(&chunk) = w.found.get(w.pos) {
            w.pos += 1;
            if run.rets.contains_key(self.tag_ref(chunk)) {
                continue;
            }
            if self.active.contains(self.tag_ref(chunk)) {
                let ctag = self.tag(chunk);
                return self.recursive_in_active(w.low, chunk, &ctag, run, chunks);
            }
            w.child = Some(chunk);
            stack.push(Step::Walk(w));
            stack.push(Step::Enter { low: chunk, depth: 0 });
            return Ok(());
        }
        self.after_walk(w, run, chunks, stack)
    }

    /// The end of the "unmet" branch: the prereq test run, the recursion
    /// limit, or this chunk once more.
    fn after_walk(&mut self, w: Walk, run: &mut Run, chunks: &[usize], stack: &mut Vec<Step>) -> Result<(), RunError> {
        let tag = self.tag(w.low);
        let last = w.found.last().copied();
        if self.flag(w.low, "__prereq__") {
            let (status, _) = self.check_requisite(w.low, &run.rets, chunks, false)?;
            let mut ret = self.call(w.low, chunks, &run.rets)?;
            if !ret.get("changes").map(Value::truthy).unwrap_or(false) && status == Status::Change {
                let mut watch = Map::default();
                watch.insert("watch".into(), Value::str("watch"));
                ret.insert("changes".into(), Value::Map(watch));
                ret.insert("result".into(), Value::Null);
            }
            self.pre.insert(tag, ret);
        } else if w.depth + 1 >= 20 {
            self.store_recursive(w.low, run, &tag, false);
        } else {
            stack.push(Step::AfterRetry { last });
            stack.push(Step::Enter { low: w.low, depth: w.depth + 1 });
            return Ok(());
        }
        self.failhard_after(last, run);
        Ok(())
    }

    fn recursive_in_active(
        &mut self,
        low: usize,
        chunk: usize,
        ctag: &str,
        run: &mut Run,
        chunks: &[usize],
    ) -> Result<(), RunError> {
        let tag = self.tag(low);
        if self.flag(chunk, "__prerequired__") {
            if !self.pre.contains_key(&tag) {
                if let Some(l) = self.low_mut(low) {
                    l.insert("__prereq__".into(), Value::Bool(true));
                }
                let ret = self.call(low, chunks, &run.rets)?;
                self.pre.insert(ctag.to_string(), ret);
            }
            return Ok(());
        }
        self.store_recursive(low, run, &tag, true);
        Ok(())
    }

    /// "Recursive requisite found"; Salt counts a run number only when the
    /// recursion was seen among the active chunks, not at the depth limit.
    fn store_recursive(&mut self, low: usize, run: &mut Run, tag: &str, count_run: bool) {
        let mut ret = Map::default();
        ret.insert("changes".into(), Value::Map(Map::default()));
        ret.insert("result".into(), Value::Bool(false));
        ret.insert("comment".into(), Value::str("Recursive requisite found"));
        ret.insert("__run_num__".into(), Value::Int(self.run_num));
        self.copy_ids(low, &mut ret);
        run.rets.insert(tag.to_string(), ret);
        if count_run {
            self.run_num += 1;
        }
    }

    fn store_lost(&mut self, low: usize, run: &mut Run, lost: &[(String, Vec<(String, Value)>)], is_prereq: bool) {
        let mut comment = String::from("The following requisites were not found:\n");
        for (requisite, reqs) in lost {
            comment.push_str(&format!("{}{requisite}:\n", " ".repeat(19)));
            for (key, val) in reqs {
                comment.push_str(&format!("{}{key}: {}\n", " ".repeat(23), val.py_str()));
            }
        }
        let tag = self.tag(low);
        let mut ret = self.fake_ret(low, false, &comment);
        ret.insert("__run_num__".into(), Value::Int(self.next_run_num()));
        if is_prereq {
            self.pre.insert(tag, ret);
        } else {
            run.rets.insert(tag, ret);
        }
    }
}

/// One pending piece of work of [`Engine::call_chunk`].
enum Step {
    /// Evaluate a chunk's requisites and run or skip it.
    Enter { low: usize, depth: usize },
    /// Run the required chunks of `low`, then `low` again.
    Walk(Walk),
    /// After re-entering a chunk: Salt's failhard check of its last requisite.
    AfterRetry { last: Option<usize> },
}

/// The state of one "unmet" requisite walk.
struct Walk {
    low: usize,
    depth: usize,
    found: Vec<usize>,
    pos: usize,
    /// The required chunk just run, whose failhard is checked on resuming.
    child: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum SkipKind {
    Pre,
    OnFail,
    OnChanges,
}

impl SkipKind {
    fn comment(self) -> &'static str {
        match self {
            SkipKind::Pre => "No changes detected",
            SkipKind::OnFail => "State was not run because onfail req did not change",
            SkipKind::OnChanges => "State was not run because none of the onchanges reqs changed",
        }
    }
}
