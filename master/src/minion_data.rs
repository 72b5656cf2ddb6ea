//! The master's cache of each minion's grains, pillar and mine data (Salt's
//! `minion_data_cache` and mine bank), kept in memory and in `<cachedir>/minions/<id>/data.json`
//! so that targeting by grain or pillar works after a master restart.
//!
//! It must not compile pillar or talk to minions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use brine_common::{Map, Value};

use crate::pki::valid_id;

/// What the master knows about one minion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinionData {
    pub grains: Map,
    pub pillar: Map,
    /// Mine data by function alias, as the minion's `mine.update` sent it.
    pub mine: Map,
}

/// The cache.
pub struct DataCache {
    dir: PathBuf,
    mem: Mutex<HashMap<String, MinionData>>,
}

impl DataCache {
    /// Open the cache under `dir`, loading what earlier runs stored.
    pub fn open(dir: PathBuf) -> DataCache {
        let mut mem = HashMap::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(id) = entry.file_name().into_string() else { continue };
            if let Some(data) = valid_id(&id).then(|| read(&entry.path().join("data.json"))).flatten() {
                mem.insert(id, data);
            }
        }
        DataCache { dir, mem: Mutex::new(mem) }
    }

    pub fn get(&self, id: &str) -> Option<MinionData> {
        self.mem.lock().ok().and_then(|m| m.get(id).cloned())
    }

    /// Look at one minion's data without copying it (`None` when unknown).
    pub fn with<T>(&self, id: &str, f: impl FnOnce(Option<&MinionData>) -> T) -> T {
        match self.mem.lock() {
            Ok(m) => f(m.get(id)),
            Err(_) => f(None),
        }
    }

    /// One minion's grains (empty when unknown).
    pub fn grains(&self, id: &str) -> Map {
        self.with(id, |d| d.map(|d| d.grains.clone()).unwrap_or_default())
    }

    /// Store a minion's grains; the file is written only when they changed.
    pub fn set_grains(&self, id: &str, grains: Map) {
        if !self.with(id, |d| d.is_some_and(|d| d.grains == grains)) {
            self.update(id, |d| d.grains = grains);
        }
    }

    /// Store a minion's compiled pillar; the file is written only when it changed.
    pub fn set_pillar(&self, id: &str, pillar: Map) {
        if !self.with(id, |d| d.is_some_and(|d| d.pillar == pillar)) {
            self.update(id, |d| d.pillar = pillar);
        }
    }

    /// Update one minion's grains, pillar or mine data and write the file.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut MinionData)) {
        if !valid_id(id) {
            return;
        }
        let data = match self.mem.lock() {
            Ok(mut m) => {
                let entry = m.entry(id.to_string()).or_default();
                change(entry);
                entry.clone()
            }
            Err(_) => return,
        };
        let path = self.dir.join(id);
        let text = Value::Map(Map::from_iter([
            ("grains".to_string(), Value::Map(data.grains)),
            ("pillar".to_string(), Value::Map(data.pillar)),
            ("mine".to_string(), Value::Map(data.mine)),
        ]))
        .to_json()
        .to_string();
        if let Err(e) = std::fs::create_dir_all(&path).and_then(|_| std::fs::write(path.join("data.json"), text)) {
            log::warn!("cannot write the data cache of {id}: {e}");
        }
    }
}

fn read(path: &std::path::Path) -> Option<MinionData> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = Value::from_json(&serde_json::from_str(&text).ok()?);
    let part = |k: &str| value.get(k).and_then(Value::as_map).cloned().unwrap_or_default();
    Some(MinionData { grains: part("grains"), pillar: part("pillar"), mine: part("mine") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(key: &str, v: i64) -> Map {
        Map::from_iter([(key.to_string(), Value::Int(v))])
    }

    #[test]
    fn unchanged_grains_and_pillar_are_not_written_again() {
        let dir = std::env::temp_dir().join(format!("brine-minion-data-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = DataCache::open(dir.clone());
        let file = dir.join("node1/data.json");
        cache.set_grains("node1", map("os", 1));
        cache.set_pillar("node1", map("role", 2));
        assert!(file.exists());
        std::fs::remove_file(&file).unwrap();
        cache.set_grains("node1", map("os", 1));
        cache.set_pillar("node1", map("role", 2));
        assert!(!file.exists(), "the same data was written again");
        cache.set_pillar("node1", map("role", 3));
        let reopened = DataCache::open(dir.clone()).get("node1").expect("stored");
        assert_eq!((reopened.grains, reopened.pillar), (map("os", 1), map("role", 3)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
