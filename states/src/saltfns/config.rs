//! `config.get` and `config.option` as Salt's `config` execution module
//! answers them: the minion options, then grains, then pillar, then the
//! master options pillar may carry (`pillar['master']`), then the module's
//! built-in defaults, each source skippable with `omit_*`.
//!
//! It only reads the data it is given.

use brine_common::{Map, Value as C};
use std::sync::OnceLock;

use super::{arg, arg_str, truthy, Ctx};
use crate::jinja::{Error, Kwargs, Value};

/// Salt's `config.DEFAULTS` (the "sane defaults" of `config.option`),
/// with the Linux paths.
const DEFAULTS_JSON: &str = r#"{
 "mongo.db": "salt", "mongo.password": "", "mongo.port": 27017, "mongo.user": "",
 "redis.db": "0", "redis.host": "salt", "redis.port": 6379,
 "test.foo": "unconfigured", "ca.cert_base_path": "/etc/pki",
 "solr.cores": [], "solr.host": "localhost", "solr.port": "8983", "solr.baseurl": "/solr",
 "solr.type": "master", "solr.request_timeout": null, "solr.init_script": "/etc/rc.d/solr",
 "solr.dih.import_options": {"clean": false, "optimize": true, "commit": true, "verbose": false},
 "solr.backup_path": null, "solr.num_backups": 1,
 "poudriere.config": "/usr/local/etc/poudriere.conf", "poudriere.config_dir": "/usr/local/etc/poudriere.d",
 "ldap.uri": "", "ldap.server": "localhost", "ldap.port": "389", "ldap.tls": false,
 "ldap.no_verify": false, "ldap.anonymous": true, "ldap.scope": 2, "ldap.attrs": null,
 "ldap.binddn": "", "ldap.bindpw": "",
 "hosts.file": "/etc/hosts", "aliases.file": "/etc/aliases",
 "virt": {"tunnel": false, "images": "/srv/salt-images"},
 "docker.exec_driver": "docker-exec",
 "docker.compare_container_networks": {"static": ["Aliases", "Links", "IPAMConfig"],
   "automatic": ["IPAddress", "Gateway", "GlobalIPv6Address", "IPv6Gateway"]}
}"#;

fn defaults() -> &'static C {
    static DEFAULTS: OnceLock<C> = OnceLock::new();
    DEFAULTS.get_or_init(|| serde_json::from_str(DEFAULTS_JSON).map(|j| C::from_json(&j)).unwrap_or(C::Map(Map::default())))
}

/// The sources in Salt's order, each with whether the call omits it.
fn sources<'a>(ctx: &'a Ctx, kwargs: &Kwargs, omit_all: bool) -> [(bool, &'a C); 4] {
    let omit = |name: &str| omit_all || truthy(kwargs.get(name));
    let master = ctx.pillar.as_map().and_then(|p| p.get("master")).unwrap_or(&C::Null);
    [
        (omit("omit_opts"), &ctx.opts),
        (omit("omit_grains"), &ctx.grains),
        (omit("omit_pillar"), &ctx.pillar),
        (omit("omit_master"), master),
    ]
}

/// `config.get(key, default='', delimiter=':', merge=None, omit_*)`.
pub(super) fn config_get(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "key", "");
    let default = arg(args, kwargs, 1, "default").cloned().unwrap_or_else(|| Value::str(""));
    let delimiter = arg_str(args, kwargs, 2, "delimiter", ":");
    let merge = arg(args, kwargs, 3, "merge").filter(|m| !matches!(m, Value::None));
    if let Some(strategy) = merge {
        let strategy = strategy.as_str().filter(|s| *s == "recurse" || *s == "overwrite").unwrap_or("recurse");
        return Ok(merged_get(ctx, &key, &delimiter, strategy).unwrap_or(default));
    }
    for (omitted, data) in sources(ctx, kwargs, false) {
        if let Some(v) = data.traverse(&key, &delimiter).filter(|_| !omitted) {
            return Ok(Value::from_common(v));
        }
    }
    Ok(defaults().traverse(&key, &delimiter).map(Value::from_common).unwrap_or(default))
}

/// `config.get` with `merge`: defaults, master, pillar, grains and options
/// merged in that order, then traversed.
fn merged_get(ctx: &Ctx, key: &str, delimiter: &str, strategy: &str) -> Option<Value> {
    let master = ctx.pillar.as_map().and_then(|p| p.get("master")).cloned().unwrap_or(C::Map(Map::default()));
    let mut data = defaults().clone();
    for layer in [&master, &ctx.pillar, &ctx.grains, &ctx.opts] {
        data = merge_common(data, layer, strategy == "overwrite");
    }
    data.traverse(key, delimiter).map(Value::from_common)
}

/// `dictupdate.merge` of two plain values (`recurse` or `overwrite`,
/// lists replaced).
fn merge_common(a: C, b: &C, overwrite: bool) -> C {
    let (C::Map(mut a), C::Map(b)) = (a, b) else { return b.clone() };
    for (k, v) in b {
        let merged = match a.get(k) {
            Some(old @ C::Map(_)) if !overwrite && matches!(v, C::Map(_)) => merge_common(old.clone(), v, false),
            _ => v.clone(),
        };
        a.insert(k.clone(), merged);
    }
    C::Map(a)
}

/// `config.option(value, default='', omit_*, omit_all, wildcard)` (no
/// wildcard): a top-level key only.
pub(super) fn config_option(ctx: &Ctx, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let key = arg_str(args, kwargs, 0, "value", "");
    let default = arg(args, kwargs, 1, "default").filter(|d| !matches!(d, Value::None)).cloned();
    let omit_all = truthy(kwargs.get("omit_all"));
    for (omitted, data) in sources(ctx, kwargs, omit_all) {
        if let Some(v) = data.as_map().and_then(|m| m.get(&key)).filter(|_| !omitted) {
            return Ok(Value::from_common(v));
        }
    }
    let found = defaults().as_map().and_then(|m| m.get(&key)).map(Value::from_common);
    Ok(found.or(default).unwrap_or_else(|| Value::str("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        let map = |j: &str| C::from_json(&serde_json::from_str(j).expect("json"));
        Ctx {
            opts: map(r#"{"o": 1, "same": "opts"}"#),
            grains: map(r#"{"g": {"x": 2}, "same": "grains"}"#),
            pillar: map(r#"{"postgres.port": "5432", "same": "pillar", "master": {"m": 3}, "d": {"a": 1}}"#),
        }
    }

    fn call(f: fn(&Ctx, &[Value], &Kwargs) -> Result<Value, Error>, key: &str, kw: &[(&str, Value)]) -> C {
        let kwargs: Kwargs = kw.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        f(&ctx(), &[Value::str(key)], &kwargs).and_then(|v| v.to_common()).expect("call")
    }

    #[test]
    fn option_reads_opts_grains_pillar_master_then_defaults() {
        assert_eq!(call(config_option, "same", &[]), C::str("opts"));
        assert_eq!(call(config_option, "same", &[("omit_opts", Value::Bool(true))]), C::str("grains"));
        assert_eq!(call(config_option, "postgres.port", &[]), C::str("5432"));
        assert_eq!(call(config_option, "m", &[]), C::Int(3));
        assert_eq!(call(config_option, "redis.port", &[]), C::Int(6379));
        assert_eq!(call(config_option, "postgres.port", &[("omit_all", Value::Bool(true))]), C::str(""));
        assert_eq!(call(config_option, "nope", &[]), C::str(""));
    }

    #[test]
    fn get_traverses_every_source_and_merges_on_request() {
        assert_eq!(call(config_get, "g:x", &[]), C::Int(2));
        assert_eq!(call(config_get, "m", &[]), C::Int(3));
        assert_eq!(call(config_get, "virt:tunnel", &[]), C::Bool(false));
        assert_eq!(call(config_get, "same", &[("omit_opts", Value::Bool(true)), ("omit_grains", Value::Bool(true))]), C::str("pillar"));
        assert_eq!(call(config_get, "virt:images", &[("merge", Value::str("recurse"))]), C::str("/srv/salt-images"));
        assert_eq!(call(config_get, "same", &[("merge", Value::str("recurse"))]), C::str("opts"));
    }
}
