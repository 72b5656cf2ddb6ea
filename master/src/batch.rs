//! `salt -b N` / `-b N%`: run a job on a sliding window of minions, as
//! Salt's `Batch` does. The minions are found with a `test.ping` to the
//! target first; each window is published as a list target; a new minion
//! starts whenever one returns (after `--batch-wait` seconds).
//!
//! It must not decide how a single return looks: [`Printer`] does.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use brine_common::wire::{CliEvent, CliRequest, PublishRequest};
use brine_common::{Map, Value};

use crate::client::{Client, ClientError};
use crate::cliout::Printer;

/// The window size for `batch` (`"3"` or `"25%"`) over `total` minions.
pub fn window(batch: &str, total: usize) -> Option<usize> {
    match batch.trim().strip_suffix('%') {
        Some(pct) => {
            let share = pct.trim().parse::<f64>().ok()? / 100.0 * total as f64;
            Some(if share < 1.0 { share.ceil() as usize } else { share as usize })
        }
        None => batch.trim().parse().ok(),
    }
}

/// What one window's publication reports back.
enum Note {
    Event(CliEvent),
    Failed(String),
    /// The window's publication ended; these ids never reported back.
    Finished(Vec<String>),
}

fn publish_window(opts: &Map, mut req: PublishRequest, ids: Vec<String>, tx: mpsc::Sender<Note>) {
    req.tgt = Value::List(ids.iter().cloned().map(Value::Str).collect());
    req.tgt_type = "list".into();
    let mut silent = ids;
    let run = || -> Result<(), ClientError> {
        let mut client = Client::connect(opts)?;
        client.send(&CliRequest::Publish(req))?;
        while let Some(e) = client.next_event()? {
            if let CliEvent::Return(r) = &e {
                silent.retain(|id| *id != r.id);
            }
            if let CliEvent::NoReturn { id, .. } = &e {
                silent.retain(|x| x != id);
            }
            if tx.send(Note::Event(e)).is_err() {
                break;
            }
        }
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.send(Note::Failed(e.to_string()));
    }
    let _ = tx.send(Note::Finished(silent));
}

/// The minions of the target that answer a `test.ping`, and those that do not.
fn gather(opts: &Map, req: &PublishRequest) -> Result<(Vec<String>, Vec<String>), ClientError> {
    let ping = PublishRequest { fun: "test.ping".into(), arg: Vec::new(), kwarg: Map::default(), wait: true, ..req.clone() };
    let mut client = Client::connect(opts)?;
    client.send(&CliRequest::Publish(ping))?;
    let (mut up, mut targeted) = (Vec::new(), Vec::new());
    while let Some(e) = client.next_event()? {
        match e {
            CliEvent::Published { minions, .. } => targeted = minions,
            CliEvent::Return(r) => up.push(r.id),
            CliEvent::Done => break,
            _ => {}
        }
    }
    up.sort();
    let down = targeted.into_iter().filter(|id| !up.contains(id)).collect();
    Ok((up, down))
}

fn py_list(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Run the batch; the exit status (the highest retcode, 2 when nothing matched).
pub fn run(opts: &Map, req: PublishRequest, batch: &str, wait: f64, printer: &Printer) -> Result<u8, ClientError> {
    let (minions, down) = gather(opts, &req)?;
    for id in &down {
        println!("Minion {id} did not respond. No job will be sent.");
    }
    if minions.is_empty() {
        println!("No minions matched the target. No command was sent, no jid was assigned.");
        eprintln!("ERROR: No return received");
        return Ok(2);
    }
    let Some(size) = window(batch, minions.len()).filter(|n| *n > 0) else {
        println!("Invalid batch data sent: {batch}\nData must be in the form of %10, 10% or 3");
        return Ok(1);
    };
    let mut to_run: VecDeque<String> = minions.iter().cloned().collect();
    let (tx, rx) = mpsc::channel();
    let (mut active, mut done, mut retcode) = (0usize, 0usize, 0i32);
    let mut cooling: Vec<Instant> = Vec::new();
    while done < minions.len() {
        cooling.retain(|t| *t > Instant::now());
        let free = size.saturating_sub(active + cooling.len());
        let next: Vec<String> = (0..free).filter_map(|_| to_run.pop_front()).collect();
        if !next.is_empty() {
            println!("\nExecuting run on {}\n", py_list(&next));
            active += next.len();
            let (o, r, t, ids) = (opts.clone(), req.clone(), tx.clone(), next);
            std::thread::spawn(move || publish_window(&o, r, ids, t));
        }
        let Ok(note) = rx.recv_timeout(Duration::from_millis(50)) else { continue };
        match note {
            Note::Event(CliEvent::Return(r)) => {
                println!("{}", printer.batch_return(&r));
                retcode = retcode.max(r.retcode);
                active = active.saturating_sub(1);
                done += 1;
                if let Ok(pause) = Duration::try_from_secs_f64(wait.min(86_400.0)) {
                    cooling.push(Instant::now() + pause);
                }
            }
            Note::Event(CliEvent::NoReturn { id, .. }) => {
                println!("Minion '{id}' failed to respond to job sent");
                active = active.saturating_sub(1);
                done += 1;
            }
            Note::Finished(silent) => {
                for id in silent {
                    println!("Minion '{id}' failed to respond to job sent");
                    active = active.saturating_sub(1);
                    done += 1;
                }
            }
            Note::Failed(message) => {
                eprintln!("{message}");
                return Ok(2);
            }
            Note::Event(_) => {}
        }
    }
    Ok(u8::try_from(retcode.clamp(0, 255)).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_salts_rounding() {
        assert_eq!(window("2", 10), Some(2));
        assert_eq!(window("25%", 10), Some(2));
        assert_eq!(window("5%", 10), Some(1));
        assert_eq!(window("x", 10), None);
        assert_eq!(py_list(&["a".into(), "b".into()]), "['a', 'b']");
    }
}
