//! What gitfs remembers per blob id: its sha256 (the hash the wire carries)
//! and, within a byte budget, its base64 text as sent. A blob id names one
//! content forever, so entries never go stale; they are dropped only to stay
//! within bounds or when the cache is cleared.
//!
//! It must not read blobs: `GitFs` hands it what it read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use git2::Oid;

/// Hashes kept before that map is emptied and started again.
const MAX_HASHES: usize = 100_000;
/// Bytes of base64 text kept before those are emptied and started again.
const MAX_BODY_BYTES: usize = 64 << 20;

/// Per-blob sha256 and encoded content.
#[derive(Default)]
pub struct BlobCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    hashes: HashMap<Oid, String>,
    bodies: HashMap<Oid, Arc<str>>,
    body_bytes: usize,
}

impl BlobCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The blob's sha256 and base64 text, as far as they are known.
    pub fn get(&self, id: Oid) -> (Option<String>, Option<Arc<str>>) {
        let inner = self.lock();
        (inner.hashes.get(&id).cloned(), inner.bodies.get(&id).cloned())
    }

    /// Remember a blob's sha256 and base64 text.
    pub fn insert(&self, id: Oid, hash: &str, body: &Arc<str>) {
        let mut inner = self.lock();
        if inner.hashes.len() >= MAX_HASHES {
            inner.hashes.clear();
        }
        inner.hashes.insert(id, hash.to_string());
        if body.len() > MAX_BODY_BYTES / 16 {
            return;
        }
        if inner.body_bytes + body.len() > MAX_BODY_BYTES {
            inner.bodies.clear();
            inner.body_bytes = 0;
        }
        if inner.bodies.insert(id, body.clone()).is_none() {
            inner.body_bytes += body.len();
        }
    }

    /// Remember a blob's sha256 alone (its text is too large to keep).
    pub fn insert_hash(&self, id: Oid, hash: &str) {
        let mut inner = self.lock();
        if inner.hashes.len() >= MAX_HASHES {
            inner.hashes.clear();
        }
        inner.hashes.insert(id, hash.to_string());
    }

    /// Is the blob's sha256 known?
    pub fn knows(&self, id: Oid) -> bool {
        self.lock().hashes.contains_key(&id)
    }

    /// Would a body of `len` bytes be kept without dropping others?
    pub fn has_room(&self, len: usize) -> bool {
        len <= MAX_BODY_BYTES / 16 && self.lock().body_bytes + len <= MAX_BODY_BYTES
    }

    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_stay_within_the_budget_and_hashes_survive_them() {
        let cache = BlobCache::default();
        let big: Arc<str> = "x".repeat(MAX_BODY_BYTES / 16).into();
        let ids: Vec<Oid> = (0u8..20).map(|i| Oid::from_bytes(&[i; 20]).unwrap()).collect();
        for id in &ids {
            cache.insert(*id, "h", &big);
        }
        assert!(cache.lock().body_bytes <= MAX_BODY_BYTES);
        assert_eq!(cache.get(ids[0]).0.as_deref(), Some("h"), "hashes are kept when bodies are dropped");
        assert!(cache.get(ids[0]).1.is_none() && cache.get(ids[19]).1.is_some());
        let huge: Arc<str> = "y".repeat(MAX_BODY_BYTES / 16 + 1).into();
        cache.insert(ids[0], "g", &huge);
        assert_eq!(cache.get(ids[0]), (Some("g".to_string()), None), "too large a body is not kept");
        assert!(!cache.has_room(huge.len()) && cache.knows(ids[0]));
        cache.clear();
        assert_eq!(cache.get(ids[19]), (None, None));
        assert!(cache.has_room(big.len()) && !cache.knows(ids[0]));
    }
}
