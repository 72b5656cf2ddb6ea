//! One gitfs remote's local copy: a bare repository under
//! `<cachedir>/gitfs/<hash of the URL>/`, fetched with libgit2 (branches to
//! `refs/remotes/origin/*`, tags to `refs/tags/*`, pruned), and the refs and
//! trees read back from it.
//!
//! It must not check files out, map refs to saltenvs or decide what is served.

use std::path::{Path, PathBuf};

use git2::{FetchOptions, FetchPrune, Oid, Repository};

use super::config::RefType;

const BRANCHES: &str = "refs/remotes/origin/";
const TAGS: &str = "refs/tags/";
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"];

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("gitfs remote {url}: {what}: {source}")]
    Git { url: String, what: &'static str, source: git2::Error },
}

/// The cache directory of a remote under `base` (`<cachedir>/gitfs`): its
/// `name` when that is a plain folder name, else a hash of its URL.
pub fn cache_dir(base: &Path, name: Option<&str>, url: &str) -> PathBuf {
    match name.filter(|n| crate::fileserver::valid_saltenv(n) && !n.starts_with('.')) {
        Some(n) => base.join(n),
        None => base.join(&crate::fileserver::hex_sha256(url.as_bytes())[..24]),
    }
}

/// Open the bare repository in `dir`, creating it on first use.
pub fn open_or_init(dir: &Path, url: &str) -> Result<Repository, RepoError> {
    let err = |what| move |source| RepoError::Git { url: url.to_string(), what, source };
    match Repository::open_bare(dir) {
        Ok(r) => Ok(r),
        Err(_) => Repository::init_bare(dir).map_err(err("creating the cache repository")),
    }
}

/// Open the existing bare repository in `dir` for reading.
pub fn open(dir: &Path, url: &str) -> Result<Repository, RepoError> {
    Repository::open_bare(dir).map_err(|source| RepoError::Git { url: url.to_string(), what: "opening the cache repository", source })
}

/// Fetch every branch and tag of `url` into `repo`; refs gone upstream are pruned.
pub fn fetch(repo: &Repository, url: &str) -> Result<(), RepoError> {
    let err = |what| move |source| RepoError::Git { url: url.to_string(), what, source };
    let mut remote = repo.remote_anonymous(url).map_err(err("setting up the remote"))?;
    let mut opts = FetchOptions::new();
    opts.prune(FetchPrune::On);
    remote.fetch(&REFSPECS, Some(&mut opts), None).map_err(err("fetching"))
}

/// The branches and tags fetched so far, sorted by name within each kind.
pub fn refs(repo: &Repository) -> Vec<(RefType, String)> {
    let mut out = Vec::new();
    let Ok(names) = repo.references() else { return out };
    for reference in names.flatten() {
        let Ok(name) = reference.name() else { continue };
        if let Some(b) = name.strip_prefix(BRANCHES).filter(|b| *b != "HEAD") {
            out.push((RefType::Branch, b.to_string()));
        } else if let Some(t) = name.strip_prefix(TAGS) {
            out.push((RefType::Tag, t.to_string()));
        }
    }
    out.sort();
    out
}

/// The root tree of `reference`: a branch, then a tag, then a commit id.
pub fn tree_of(repo: &Repository, reference: &str) -> Option<Oid> {
    let by_name = [format!("{BRANCHES}{reference}"), format!("{TAGS}{reference}")]
        .iter()
        .find_map(|full| repo.find_reference(full).ok().and_then(|r| r.peel_to_tree().ok()));
    let tree = match by_name {
        Some(t) => t,
        None => {
            let oid = Oid::from_str(reference).ok()?;
            repo.find_commit(oid).ok()?.tree().ok()?
        }
    };
    Some(tree.id())
}
