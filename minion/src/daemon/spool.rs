//! The minion's return spool: each job return is written to
//! `<cachedir>/returns/<jid>.json` before it is sent, and removed when the
//! master acknowledges it; whatever is left is resent after a reconnect.
//!
//! It must not send anything itself.

use std::path::PathBuf;

use brine_common::wire::JobReturn;

/// See the module documentation.
pub struct Spool {
    dir: PathBuf,
}

fn valid_jid(jid: &str) -> bool {
    !jid.is_empty() && jid.len() <= 64 && jid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Spool {
    pub fn new(dir: PathBuf) -> Spool {
        Spool { dir }
    }

    /// Keep a return until it is acknowledged.
    pub fn save(&self, ret: &JobReturn) {
        if !valid_jid(&ret.jid) {
            return;
        }
        let path = self.dir.join(format!("{}.json", ret.jid));
        let tmp = self.dir.join(format!(".{}.tmp", ret.jid));
        let text = match serde_json::to_vec(ret) {
            Ok(t) => t,
            Err(e) => return log::error!("cannot serialise the return of {}: {e}", ret.jid),
        };
        let written = std::fs::create_dir_all(&self.dir).and_then(|_| std::fs::write(&tmp, text)).and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            log::error!("cannot spool the return of {}: {e}", ret.jid);
        }
    }

    /// The master has the return of `jid`.
    pub fn remove(&self, jid: &str) {
        if valid_jid(jid) {
            let _ = std::fs::remove_file(self.dir.join(format!("{jid}.json")));
        }
    }

    /// Every spooled return, oldest jid first.
    pub fn all(&self) -> Vec<JobReturn> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect())
            .unwrap_or_default();
        paths.sort();
        paths.iter().filter_map(|p| std::fs::read(p).ok().and_then(|b| serde_json::from_slice(&b).ok())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brine_common::Value;

    #[test]
    fn returns_stay_until_acknowledged() {
        let dir = std::env::temp_dir().join(format!("brine-spool-{}", std::process::id()));
        let spool = Spool::new(dir.clone());
        let r = JobReturn {
            jid: "20240101000000000001".into(),
            id: "m".into(),
            fun: "test.ping".into(),
            ret: Value::Bool(true),
            retcode: 0,
            success: true,
            out: None,
        };
        spool.save(&r);
        spool.save(&JobReturn { jid: "../evil".into(), ..r.clone() });
        assert_eq!(spool.all(), vec![r.clone()]);
        spool.remove(&r.jid);
        assert!(spool.all().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
