//! The runtime's view of a minion: options, grains, pillar, files from its
//! file client (local roots or the master) and template rendering with the
//! minion's context.
//!
//! It must not run states itself; it only answers the runtime's questions.

use std::path::PathBuf;

use brine_common::{Map, Value};
use brine_states::api::Env;
use brine_states::highstate::StateFile;
use brine_states::render::Renderer;
use brine_states::runtime::Host;

/// A [`Host`] backed by the minion's file client.
pub struct MinionHost<'a> {
    pub env: &'a Env<'a>,
    pub renderer: &'a Renderer<'a>,
    pub cachedir: PathBuf,
}

/// `salt://path?saltenv=env` split into path and saltenv.
pub fn parse_salt_url(url: &str, default_env: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("salt://")?;
    match rest.split_once('?') {
        Some((path, query)) => {
            let env = query.split('&').find_map(|kv| kv.strip_prefix("saltenv=")).unwrap_or(default_env);
            Some((path.to_string(), env.to_string()))
        }
        None => Some((rest.to_string(), default_env.to_string())),
    }
}

impl Host for MinionHost<'_> {
    fn opts(&self) -> &Map {
        self.env.opts
    }

    fn grains(&self) -> &Map {
        self.env.grains
    }

    fn pillar(&self) -> &Map {
        self.env.pillar
    }

    fn cache_file(&self, url: &str, saltenv: &str) -> Result<PathBuf, String> {
        let Some((path, env)) = parse_salt_url(url, saltenv) else {
            return Ok(PathBuf::from(url.strip_prefix("file://").unwrap_or(url)));
        };
        self.env.files.find_file(&path, &env).ok_or_else(|| format!("Source file {url} not found in saltenv '{env}'"))
    }

    fn render_template(&self, kind: &str, text: &str, name: &str, context: &Map, saltenv: &str, sls: &str) -> Result<String, String> {
        if kind != "jinja" {
            return Err(format!("The template renderer \"{kind}\" is not available in brine (supported: jinja)"));
        }
        let rel = parse_salt_url(name, saltenv).map(|(p, _)| p).unwrap_or_else(|| name.to_string());
        let file = StateFile { path: PathBuf::from(name), rel };
        let mut extra = context.clone();
        extra.entry("sls".to_string()).or_insert_with(|| Value::str(sls));
        self.renderer.jinja(text, &file, saltenv, sls, &extra)
    }

    fn cachedir(&self) -> PathBuf {
        self.cachedir.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_urls_split_saltenv() {
        assert_eq!(parse_salt_url("salt://a/b.conf", "base"), Some(("a/b.conf".into(), "base".into())));
        assert_eq!(parse_salt_url("salt://a?saltenv=dev", "base"), Some(("a".into(), "dev".into())));
        assert_eq!(parse_salt_url("/etc/x", "base"), None);
    }
}
