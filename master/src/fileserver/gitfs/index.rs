//! The files of one saltenv of one remote: the tree of its ref, below its
//! `root`, under its `mountpoint`, as salt path -> blob id. Symlinks are
//! followed inside the root only; links that are absolute, leave the root,
//! loop or point at directories are left out (and logged). `file_ignore_*`
//! rules hide files here.
//!
//! It must not read file contents (apart from link targets) or fetch.

use std::collections::BTreeMap;

use brine_states::roots::{safe_rel, Ignore};
use git2::{ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};

/// How many links a path may go through.
const MAX_LINKS: usize = 8;
const LINK_MODE: i32 = 0o120000;

/// Salt path -> blob id of one saltenv.
#[derive(Debug, Default, PartialEq)]
pub struct EnvIndex {
    pub files: BTreeMap<String, Oid>,
}

/// Index the tree `tree` of `repo` below `root`, with paths under `mountpoint`.
pub fn build(repo: &Repository, tree: Oid, root: &str, mountpoint: &str, ignore: &Ignore) -> EnvIndex {
    let Some(top) = subtree(repo, tree, root) else { return EnvIndex::default() };
    let (blobs, links) = entries(&top);
    let mut files = BTreeMap::new();
    for (path, id) in blobs.iter().map(|(p, id)| (p.clone(), *id)).chain(resolve_links(repo, &blobs, &links)) {
        let salt_path = if mountpoint.is_empty() { path } else { format!("{mountpoint}/{path}") };
        if safe_rel(&salt_path).is_some() && !ignore.ignored(&salt_path) {
            files.insert(salt_path, id);
        }
    }
    EnvIndex { files }
}

fn subtree<'r>(repo: &'r Repository, tree: Oid, root: &str) -> Option<Tree<'r>> {
    let top = repo.find_tree(tree).ok()?;
    if root.is_empty() {
        return Some(top);
    }
    let entry = top.get_path(std::path::Path::new(root)).ok()?;
    repo.find_tree(entry.id()).ok()
}

/// (regular files, symlinks) below `top`, by path relative to it.
fn entries(top: &Tree) -> (BTreeMap<String, Oid>, BTreeMap<String, Oid>) {
    let (mut blobs, mut links) = (BTreeMap::new(), BTreeMap::new());
    let _ = top.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            if let Ok(name) = entry.name() {
                let path = format!("{dir}{name}");
                let into = if entry.filemode() == LINK_MODE { &mut links } else { &mut blobs };
                into.insert(path, entry.id());
            }
        }
        TreeWalkResult::Ok
    });
    (blobs, links)
}

/// The symlinks that end at a regular file inside the root, as (link path, blob id).
fn resolve_links(repo: &Repository, blobs: &BTreeMap<String, Oid>, links: &BTreeMap<String, Oid>) -> Vec<(String, Oid)> {
    let mut out = Vec::new();
    for path in links.keys() {
        match follow(repo, blobs, links, path) {
            Some(blob) => out.push((path.clone(), blob)),
            None => log::warn!("gitfs: left out the symlink {path}: it points out of the root, at a directory or nowhere"),
        }
    }
    out
}

/// The blob a chain of at most `MAX_LINKS` links starting at `path` ends at.
fn follow(repo: &Repository, blobs: &BTreeMap<String, Oid>, links: &BTreeMap<String, Oid>, path: &str) -> Option<Oid> {
    let mut at = path.to_string();
    for _ in 0..MAX_LINKS {
        let blob = repo.find_blob(*links.get(&at)?).ok()?;
        let next = join_inside(&at, std::str::from_utf8(blob.content()).ok()?)?;
        if let Some(id) = blobs.get(&next) {
            return Some(*id);
        }
        at = next;
    }
    None
}

/// The target of a link at `link` (both relative to the root), when it stays inside.
pub fn join_inside(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_must_stay_inside_the_root() {
        assert_eq!(join_inside("a/b/link", "../c.txt").as_deref(), Some("a/c.txt"));
        assert_eq!(join_inside("link", "./x/y").as_deref(), Some("x/y"));
        assert_eq!(join_inside("a/link", "../../etc/passwd"), None);
        assert_eq!(join_inside("link", "/etc/passwd"), None);
        assert_eq!(join_inside("a/link", ".."), None);
    }

    /// A repository with a commit made through libgit2 (files and links by path).
    fn repo_with(dir: &std::path::Path, files: &[(&str, &str, i32)]) -> (Repository, Oid) {
        let _ = std::fs::remove_dir_all(dir);
        let repo = Repository::init_bare(dir).unwrap();
        let mut root = BTreeMap::<String, Vec<(String, Oid, i32)>>::new();
        for (path, text, mode) in files {
            let blob = repo.blob(text.as_bytes()).unwrap();
            let (d, name) = path.rsplit_once('/').unwrap_or(("", path));
            root.entry(d.to_string()).or_default().push((name.to_string(), blob, *mode));
        }
        let tree = write_tree(&repo, &root, "");
        (repo, tree)
    }

    /// Write the tree of folder `at` ("" for the top) from files grouped by folder.
    fn write_tree(repo: &Repository, dirs: &BTreeMap<String, Vec<(String, Oid, i32)>>, at: &str) -> Oid {
        let mut b = repo.treebuilder(None).unwrap();
        for (name, id, mode) in dirs.get(at).into_iter().flatten() {
            b.insert(name.as_str(), *id, *mode).unwrap();
        }
        let children: std::collections::BTreeSet<&str> = dirs
            .keys()
            .filter_map(|d| {
                let rest = if at.is_empty() { Some(d.as_str()) } else { d.strip_prefix(at).and_then(|r| r.strip_prefix('/')) };
                rest.filter(|r| !r.is_empty()).map(|r| r.split('/').next().unwrap())
            })
            .collect();
        for child in children {
            let path = if at.is_empty() { child.to_string() } else { format!("{at}/{child}") };
            b.insert(child, write_tree(repo, dirs, &path), 0o040000).unwrap();
        }
        b.write().unwrap()
    }

    #[test]
    fn root_mountpoint_links_and_ignore_rules() {
        let dir = std::env::temp_dir().join(format!("brine-gitfs-index-{}", std::process::id()));
        let (repo, tree) = repo_with(
            &dir,
            &[
                ("README", "x", 0o100644),
                ("salt/top.sls", "top", 0o100644),
                ("salt/web/init.sls", "web", 0o100644),
                ("salt/web/alias.sls", "init.sls", LINK_MODE),
                ("salt/web/chain", "alias.sls", LINK_MODE),
                ("salt/escape", "../README", LINK_MODE),
                ("salt/abs", "/etc/passwd", LINK_MODE),
                ("salt/dirlink", "web", LINK_MODE),
                ("salt/web/init.sls.orig", "o", 0o100644),
                ("salt/notes.bak", "b", 0o100644),
            ],
        );
        let opts = match brine_common::Value::from_json(&serde_json::json!({
            "file_ignore_regex": ["\\.orig$"], "file_ignore_glob": ["*.bak"]
        })) {
            brine_common::Value::Map(m) => m,
            _ => unreachable!(),
        };
        let index = build(&repo, tree, "salt", "m", &Ignore::from_opts(&opts));
        let names: Vec<&str> = index.files.keys().map(String::as_str).collect();
        assert_eq!(names, vec!["m/top.sls", "m/web/alias.sls", "m/web/chain", "m/web/init.sls"]);
        assert_eq!(index.files["m/web/chain"], index.files["m/web/init.sls"]);
        let whole = build(&repo, tree, "", "", &Ignore::default());
        assert!(whole.files.contains_key("salt/escape") && whole.files.contains_key("README"));
        assert!(!whole.files.contains_key("salt/abs"));
        assert_eq!(build(&repo, tree, "missing", "", &Ignore::default()), EnvIndex::default());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
