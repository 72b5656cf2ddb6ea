//! A small seeded mutation fuzzer for stable Rust, run as an ordinary test.
//!
//! Each target is a plain `fn(&[u8])` that must not panic on any input. The
//! fuzzer first runs every seed as it is, then, until the time budget is
//! spent, runs mutants of the seeds: bit flips, random bytes, inserted and
//! deleted ranges, repeated chunks, splices of two seeds, the target's own
//! interesting tokens and very deep nesting.
//!
//! Knobs (environment):
//! - `BRINE_FUZZ_SECS`: seconds per target (default 10);
//! - `BRINE_FUZZ_SEED`: the random seed (default: from the clock); every run
//!   prints the seed it used, so a failing run can be replayed;
//! - `BRINE_FUZZ_TRACE=DIR`: write each input to `DIR/<target>.last` before
//!   running it, to find the input after a crash that is not a panic (a
//!   stack overflow or an abort ends the process before anything is printed);
//! - `BRINE_FUZZ_INPUT=HEX`: run only this input (hex, as printed on failure),
//!   or `BRINE_FUZZ_INPUT=@FILE` for one in a file (hex or raw bytes): an
//!   environment variable holds at most 128 KiB;
//! - `BRINE_FUZZ_HANG_SECS`: how long one input may run before the test
//!   fails with it as a hang (default 60).
//!
//! A panic fails the test with the seed, the execution number and the input
//! in hex (and shrunk, when shrinking keeps it panicking); so does an input
//! that runs past the hang limit.

#![allow(dead_code)]

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one target's run did.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub execs: u64,
    pub elapsed: Duration,
}

impl Stats {
    pub fn per_sec(&self) -> f64 {
        self.execs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// xorshift64*: small, fast and reproducible from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Tokens worth inserting into any text input.
pub const COMMON_TOKENS: &[&[u8]] = &[
    b"\n", b"\r\n", b"\t", b" ", b"\0", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"'", b"\"", b"\\", b"#", b"%",
    b"0", b"-1", b"9223372036854775808", b"1e999", b"nan", b"{}", b"[]", b"null", b"true",
];

/// The budget per target, from `BRINE_FUZZ_SECS`.
pub fn budget() -> Duration {
    let secs = std::env::var("BRINE_FUZZ_SECS").ok().and_then(|s| s.trim().parse::<f64>().ok()).unwrap_or(10.0);
    Duration::from_secs_f64(secs.max(0.0))
}

/// The random seed, from `BRINE_FUZZ_SEED` or the clock.
pub fn seed() -> u64 {
    if let Some(s) = std::env::var("BRINE_FUZZ_SEED").ok().and_then(|s| s.trim().parse().ok()) {
        return s;
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    now.as_nanos() as u64 ^ u64::from(std::process::id())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok())).collect()
}

/// One mutant of the corpus.
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[&[u8]]) -> Vec<u8> {
    let mut data = seeds.get(rng.below(seeds.len())).cloned().unwrap_or_default();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = data.len();
        let at = rng.below(len + 1);
        match rng.below(12) {
            // flip one bit
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            // overwrite one byte
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            // insert random bytes
            2 => {
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(at..at, bytes);
            }
            // delete a range
            3 if len > 0 => {
                let n = 1 + rng.below((len - at.min(len - 1)).min(64));
                let start = at.min(len - 1);
                data.drain(start..(start + n).min(len));
            }
            // insert a token (the target's own more often than the common ones)
            4 | 5 => {
                let pool: &[&[u8]] = if rng.chance(4) || tokens.is_empty() { COMMON_TOKENS } else { tokens };
                let token = pool[rng.below(pool.len())];
                data.splice(at..at, token.iter().copied());
            }
            // repeat a chunk a few or many times
            6 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(32)).min(len);
                let times = if rng.chance(8) { 1 + rng.below(2000) } else { 1 + rng.below(8) };
                let chunk = data[start..end].repeat(times);
                data.splice(end..end, chunk);
            }
            // splice: this input up to a point, another seed from a point
            7 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            // insert a piece of another seed
            8 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let to = (from + rng.below(256)).min(other.len());
                data.splice(at..at, other[from..to].iter().copied());
            }
            // very deep nesting
            9 => {
                const OPEN: &[&[u8]] =
                    &[b"[", b"{", b"- ", b"{a: ", b"{{ (", b"{% if 1 %}", b"((", b"[[", b"{\"a\":", b"!!seq [", b"&a [", b"- - "];
                let open = OPEN[rng.below(OPEN.len())];
                let depth = match rng.below(64) {
                    0 => 1 + rng.below(100_000),
                    1..=24 => 1 + rng.below(5_000),
                    _ => 1 + rng.below(300),
                };
                data.splice(at..at, open.repeat(depth));
            }
            // cut the end off
            10 => data.truncate(at),
            // swap two bytes
            _ if len > 1 => {
                let (i, j) = (rng.below(len), rng.below(len));
                data.swap(i, j);
            }
            _ => {}
        }
    }
    if data.len() > 1 << 20 {
        data.truncate(1 << 20);
    }
    data
}

thread_local! {
    /// Set while this thread runs a target: its panics are reported by the fuzzer, not printed.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Install, once per process, a panic hook that stays silent for panics the
/// fuzzer catches and prints every other panic as before.
fn quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
}

/// Run `target` on `input`; the panic message if it panicked.
fn try_run(target: &dyn Fn(&[u8]), input: &[u8]) -> Result<(), String> {
    quiet_hook();
    QUIET.with(|q| q.set(true));
    let r = panic::catch_unwind(AssertUnwindSafe(|| target(input)));
    QUIET.with(|q| q.set(false));
    r.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic)".into())
    })
}

/// A smaller input that still panics (a few seconds at most).
fn shrink(target: &dyn Fn(&[u8]), input: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut best = input.to_vec();
    let mut chunk = (best.len() / 2).max(1);
    while chunk >= 1 && Instant::now() < deadline {
        let mut i = 0;
        let mut shrunk = false;
        while i < best.len() && Instant::now() < deadline {
            let mut candidate = best.clone();
            candidate.drain(i..(i + chunk).min(best.len()));
            if try_run(target, &candidate).is_err() {
                best = candidate;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    best
}

/// Fuzz `target` for the budget of `BRINE_FUZZ_SECS`; panics (failing the
/// test) with a report if any input made it panic. Returns how many inputs
/// ran and for how long.
pub fn fuzz(name: &str, seeds: &[Vec<u8>], tokens: &[&[u8]], target: fn(&[u8])) -> Stats {
    fuzz_for(name, seeds, tokens, target, budget())
}

/// [`fuzz`] with an explicit time budget.
pub fn fuzz_for(name: &str, seeds: &[Vec<u8>], tokens: &[&[u8]], target: fn(&[u8]), budget: Duration) -> Stats {
    if let Ok(h) = std::env::var("BRINE_FUZZ_INPUT") {
        let input = match h.strip_prefix('@') {
            Some(path) => {
                let bytes = std::fs::read(path).expect("BRINE_FUZZ_INPUT names a readable file");
                std::str::from_utf8(&bytes).ok().and_then(|t| unhex(t.trim())).unwrap_or(bytes)
            }
            None => unhex(&h).expect("BRINE_FUZZ_INPUT is not hex"),
        };
        if let Err(msg) = try_run(&target, &input) {
            panic!("fuzz {name}: the given input panics: {msg}");
        }
        return Stats { execs: 1, elapsed: Duration::ZERO };
    }
    let seed = seed();
    // Straight to stderr, past the test harness's capture: a crash that is
    // not a panic (stack overflow, abort) must still leave the seed behind.
    let _ = writeln!(std::io::stderr(), "fuzz {name}: BRINE_FUZZ_SEED={seed}, {} seeds, {budget:?}", seeds.len());
    // The inputs run on a worker thread (2 MiB of stack, as the daemons'
    // worker threads have); this thread watches it, so that an input that
    // never finishes fails the test with that input instead of hanging it.
    let current = Arc::new(Mutex::new(Vec::new()));
    let execs = Arc::new(AtomicU64::new(0));
    let worker = {
        let (seeds, current, execs) = (seeds.to_vec(), Arc::clone(&current), Arc::clone(&execs));
        let tokens: Vec<Vec<u8>> = tokens.iter().map(|t| t.to_vec()).collect();
        let trace = std::env::var_os("BRINE_FUZZ_TRACE").map(|d| std::path::PathBuf::from(d).join(format!("{name}.last")));
        std::thread::Builder::new()
            .name(format!("fuzz-{name}"))
            .stack_size(2 << 20)
            .spawn(move || {
                let tokens: Vec<&[u8]> = tokens.iter().map(Vec::as_slice).collect();
                let mut rng = Rng::new(seed);
                let deadline = Instant::now() + budget;
                let mut next_seed = 0;
                loop {
                    let input = if next_seed < seeds.len() {
                        next_seed += 1;
                        seeds[next_seed - 1].clone()
                    } else if Instant::now() >= deadline {
                        return None;
                    } else {
                        mutate(&mut rng, &seeds, &tokens)
                    };
                    if let Some(path) = &trace {
                        let _ = std::fs::write(path, &input);
                    }
                    if let Ok(mut c) = current.lock() {
                        c.clone_from(&input);
                    }
                    execs.fetch_add(1, Ordering::Relaxed);
                    if let Err(msg) = try_run(&target, &input) {
                        let small = shrink(&target, &input);
                        let small_msg = try_run(&target, &small).err().unwrap_or_default();
                        return Some((input, msg, small, small_msg));
                    }
                }
            })
            .expect("a fuzz thread")
    };
    let start = Instant::now();
    let (mut last, mut progress) = (0, Instant::now());
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
        let now = execs.load(Ordering::Relaxed);
        if now != last {
            (last, progress) = (now, Instant::now());
        } else if progress.elapsed() > hang_limit() {
            let input = current.lock().map(|c| c.clone()).unwrap_or_default();
            panic!(
                "fuzz {name}: execution {now} has run for {:?} (BRINE_FUZZ_SEED={seed})\ninput ({} bytes): {}\ntext: {:?}",
                progress.elapsed(),
                input.len(),
                hex(&input),
                String::from_utf8_lossy(&input),
            );
        }
    }
    let stats = Stats { execs: execs.load(Ordering::Relaxed), elapsed: start.elapsed() };
    match worker.join() {
        Ok(None) => {}
        Ok(Some((input, msg, small, small_msg))) => panic!(
            "fuzz {name}: execution {} panicked (BRINE_FUZZ_SEED={seed}): {msg}\n\
             input ({} bytes): {}\n\
             shrunk ({} bytes, panics with: {small_msg}): {}\n\
             text: {:?}\n\
             replay: BRINE_FUZZ_INPUT={} cargo test ...",
            stats.execs,
            input.len(),
            hex(&input),
            small.len(),
            hex(&small),
            String::from_utf8_lossy(&small),
            hex(&small),
        ),
        Err(_) => panic!("fuzz {name}: the fuzzer itself panicked (BRINE_FUZZ_SEED={seed})"),
    }
    // The harness is live: every seed ran, and mutants after them.
    assert!(stats.execs > seeds.len() as u64, "fuzz {name}: only {} executions for {} seeds", stats.execs, seeds.len());
    eprintln!(
        "fuzz {name}: {} executions in {:.1} s ({:.0}/s)",
        stats.execs,
        stats.elapsed.as_secs_f64(),
        stats.per_sec()
    );
    stats
}

/// How long one input may run before it counts as a hang (`BRINE_FUZZ_HANG_SECS`, default 60).
fn hang_limit() -> Duration {
    let secs = std::env::var("BRINE_FUZZ_HANG_SECS").ok().and_then(|s| s.trim().parse::<f64>().ok()).unwrap_or(60.0);
    Duration::from_secs_f64(secs.max(0.1))
}

#[cfg(test)]
mod self_tests {
    use super::*;

    #[test]
    fn the_fuzzer_reports_a_panicking_target() {
        fn fragile(data: &[u8]) {
            assert!(!data.windows(2).any(|w| w == b"{%"), "found the marker");
        }
        let seeds = vec![b"a: b\n".to_vec()];
        let r = panic::catch_unwind(|| fuzz_for("self_test", &seeds, &[b"{%"], fragile, Duration::from_secs(5)));
        let msg = *r.expect_err("the fuzzer missed a panic").downcast::<String>().unwrap();
        assert!(msg.contains("found the marker") && msg.contains("BRINE_FUZZ_SEED="), "{msg}");
        assert!(msg.contains("shrunk (2 bytes"), "{msg}");
    }
}
