//! Finding templates for include/import/extends: relative names (`./x`,
//! `../x`) resolved against the `tpldir` global as Salt's `SaltCacheLoader`
//! does (the directory of the template it last looked up), the per-environment cache of parsed templates, the
//! `tplfile`/`tpldir`/`tpldot` globals Salt's loader updates on each load, and
//! Salt's per-file `#jinja2:` option header.
//!
//! The embedding code's loader function is the only source of template text;
//! this file must not read files itself.

use std::rc::Rc;

use super::ast::Template;
use super::error::{Error, ErrorKind};
use super::eval::State;
use super::lexer::LexOptions;
use super::parser::parse;
use super::salt::normpath;
use super::value::Value;

fn is_relative(name: &str) -> bool {
    matches!(name.split('/').next(), Some(".") | Some(".."))
}

fn dirname(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

impl State<'_> {
    /// The loader name of a template referred to from the running template.
    pub(crate) fn resolve_name(&self, name: &str) -> Result<String, Error> {
        if !is_relative(name) {
            return Ok(name.to_string());
        }
        // Salt's `SaltCacheLoader` joins the name to the `tpldir` global,
        // which names the directory of the last template it was asked for
        // (found or not), not necessarily the one running.
        let global = self.globals.get("tpldir").and_then(|v| v.as_str().map(str::to_string));
        let base = match global.as_deref().unwrap_or_else(|| dirname(&self.template)) {
            "" => ".".to_string(),
            d => d.to_string(),
        };
        let joined = normpath(&format!("{base}/{name}"));
        if joined == ".." || joined.starts_with("../") {
            return Err(Error::new(ErrorKind::TemplateNotFound, name));
        }
        Ok(joined)
    }

    /// Loads and parses a template; `None` if the loader has no such file.
    pub(crate) fn load_template(&mut self, name: &str) -> Result<Option<Rc<Template>>, Error> {
        let resolved = self.resolve_name(name)?;
        let key = (resolved.clone(), self.opts);
        let cached = self.env.cache.borrow().get(&key).cloned();
        let tpl = match cached {
            Some(t) => t,
            None => {
                let source = (self.env.loader)(&resolved).map_err(|e| Error::new(ErrorKind::Host, e))?;
                let Some(source) = source else {
                    // Salt's loader moves the globals before it looks for
                    // the file, and a missing file is never cached.
                    self.update_template_globals(name, &resolved);
                    return Ok(None);
                };
                let t = Rc::new(parse(&source, &resolved, self.opts).map_err(|e| e.located(&resolved, 0))?);
                self.env.cache.borrow_mut().insert(key, t.clone());
                t
            }
        };
        if self.fetched.insert(resolved.clone()) {
            self.update_template_globals(name, &resolved);
        }
        Ok(Some(tpl))
    }

    /// Salt's loader sets `tplfile`/`tpldir`/`tpldot` globals to the template
    /// it just loaded (seen by templates imported without context).
    fn update_template_globals(&mut self, name: &str, resolved: &str) {
        if !self.globals.contains_key("tpldir") {
            return;
        }
        let (tplfile, tpldir) = if is_relative(name) {
            let current = self.globals.get("tpldir").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            (name.to_string(), current)
        } else {
            (resolved.to_string(), dirname(resolved).to_string())
        };
        let tpldot = tpldir.replace('/', ".");
        let tpldir = if tpldir.is_empty() { ".".to_string() } else { tpldir };
        self.globals.insert("tplfile".into(), Value::from(tplfile));
        self.globals.insert("tpldir".into(), Value::from(tpldir));
        self.globals.insert("tpldot".into(), Value::from(tpldot));
    }
}

/// Salt's `#jinja2: {"trim_blocks": true, ...}` header on the first line (or
/// the line after a renderer shebang): the options it sets and the source
/// without that line.
pub(crate) fn header_options(source: &str) -> (LexOptions, Option<String>) {
    let mut lines: Vec<&str> = source.split_inclusive('\n').collect();
    let idx = usize::from(lines.first().is_some_and(|l| l.starts_with("#!") && !l.starts_with("#!/")));
    let Some(payload) = lines.get(idx).and_then(|l| l.strip_prefix("#jinja2:")) else {
        return (LexOptions::default(), None);
    };
    let Ok(serde_json::Value::Object(opts)) = serde_json::from_str::<serde_json::Value>(payload) else {
        return (LexOptions::default(), None);
    };
    let truthy = |k: &str| opts.get(k).is_some_and(|v| !matches!(v, serde_json::Value::Bool(false) | serde_json::Value::Null));
    let options = LexOptions { trim_blocks: truthy("trim_blocks"), lstrip_blocks: truthy("lstrip_blocks") };
    lines.remove(idx);
    (options, Some(lines.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_read_and_removed() {
        let (o, s) = header_options("#!jinja|yaml\n#jinja2: {\"trim_blocks\": true}\nbody\n");
        assert!(o.trim_blocks && !o.lstrip_blocks);
        assert_eq!(s.as_deref(), Some("#!jinja|yaml\nbody\n"));
        assert_eq!(header_options("#jinja2: not json\nx").1, None);
        assert_eq!(header_options("plain").1, None);
    }
}
