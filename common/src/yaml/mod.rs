//! Salt's YAML: the loader SLS files, pillar and `import_yaml` go through
//! (`salt.utils.yamlloader.SaltYamlSafeLoader`: PyYAML's SafeLoader on
//! libyaml with Salt's constructor), and the dumper behind the Jinja `yaml`
//! filter and `--out=yaml` (`salt.utils.yaml.safe_dump`, libyaml's emitter),
//! plus the `yaml_encode`, `yaml_dquote` and `yaml_squote` Jinja filters.
//!
//! Loading is the `yaml-rust2` event parser, then a composer and a
//! constructor of our own that reproduce Salt's typing rules (YAML 1.1 bools,
//! `0644` read as decimal 644, timestamps kept as strings, duplicate keys as
//! errors) and PyYAML's error texts. Dumping is a port of libyaml's emitter.
//!
//! This module must not know about SLS semantics (IDs, states, requisites),
//! render templates, or read files: it maps text to [`Value`] and back.

mod compose;
mod construct;
mod emit;
mod error;
mod fast;
mod quote;
mod reader;
mod relax;
mod resolve;

#[cfg(test)]
mod tests;

use crate::Value;

pub use emit::DumpOptions;
pub use error::{YamlError, YamlErrorKind};
pub use quote::{dquote, encode_scalar, squote, try_encode_scalar, EncodeError};

/// Load one document as Salt's `SaltYamlSafeLoader` does. An empty stream is
/// `Null`; a second document is an error, as in Salt's yaml renderer.
pub fn load(src: &str) -> Result<Value, YamlError> {
    let src = reader::prepare(src)?;
    match fast::load(&src) {
        Some(value) => Ok(value),
        None => general(&src),
    }
}

/// [`load`] without its fast path: what the fast path must agree with.
pub fn load_general(src: &str) -> Result<Value, YamlError> {
    general(&reader::prepare(src)?)
}

/// [`load`]'s fast path alone: `None` where it leaves the text to the
/// general loader.
pub fn load_fast(src: &str) -> Option<Value> {
    fast::load(&reader::prepare(src).ok()?)
}

fn general(src: &str) -> Result<Value, YamlError> {
    match compose::compose(src)? {
        None => Ok(Value::Null),
        Some(doc) => Ok(construct::construct(&doc.root, doc.aliased, src.len())?),
    }
}

/// `yaml.safe_dump(value, default_flow_style=flow)` as Salt calls it
/// (libyaml emitter, `allow_unicode=True`, keys sorted, width 80).
pub fn dump(v: &Value, flow: Option<bool>) -> String {
    emit::dump(
        v,
        &DumpOptions {
            flow,
            ..DumpOptions::default()
        },
    )
}

/// `safe_dump` with the other options Salt passes somewhere (`indent` for
/// `--out=yaml` with `output_indent`, `width`, `default_style='"'`).
pub fn dump_with(v: &Value, options: &DumpOptions) -> String {
    emit::dump(v, options)
}
