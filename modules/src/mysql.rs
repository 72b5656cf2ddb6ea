//! The `mysql` execution module, checks only: Salt's `mysql.query`,
//! `mysql.version` and `mysql.db_exists`, run through the `mysql` client
//! (MariaDB's on Debian 12) in batch mode instead of MySQLdb. Connection
//! arguments are Salt's: `connection_host`, `connection_user`,
//! `connection_pass` (passed as `MYSQL_PWD`, never on the command line),
//! `connection_port`, `connection_unix_socket`, `connection_charset`,
//! `connection_default_file`, else `mysql.<name>` from the minion options,
//! then pillar (no `mysql.*` lookup when `connection_default_file` is given).
//!
//! Limits of the client's batch output: NULL and the string "NULL" both come
//! back as None, and a SELECT with no rows has no column names. A failed
//! connection gives Salt's `{}`/`""`/`False`; any other server error gives
//! `False` (Salt raises for some). It must not change databases on its own:
//! it runs only the query it is given.

use std::time::Instant;

use brine_common::{Map, Value};

use crate::args::{req, Signature};
use crate::cmd::{self, RunArgs, RunResult};
use crate::{Bound, Ctx, Function, Module, ModuleError};

/// Connection arguments and the client options they become.
const CONNARGS: &[(&str, &str)] = &[
    ("host", "--host"),
    ("user", "--user"),
    ("port", "--port"),
    ("unix_socket", "--socket"),
    ("charset", "--default-character-set"),
];

/// How to reach the server, from Salt's connection arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conn {
    pub default_file: Option<String>,
    /// `(client option, value)` pairs.
    pub options: Vec<(String, String)>,
    pub password: Option<String>,
}

/// A truthy value as text (Salt drops falsy connection arguments).
fn truthy_text(v: Option<&Value>) -> Option<String> {
    v.filter(|v| v.truthy()).map(Value::py_str)
}

impl Conn {
    /// Salt's `_connect` lookup: `connection_<name>` keyword, else
    /// `mysql.<name>` from opts then pillar (unless a default file was given).
    pub fn from_kwargs(kwargs: &Map, ctx: &Ctx) -> Conn {
        let use_config = !kwargs.contains_key("connection_default_file");
        let lookup = |name: &str| {
            let given = kwargs.get(&format!("connection_{name}"));
            let configured = || {
                let key = format!("mysql.{name}");
                ctx.opts.get(&key).or_else(|| ctx.pillar.get(&key)).filter(|v| !v.is_null())
            };
            truthy_text(given.or_else(|| if use_config { configured() } else { None }))
        };
        Conn {
            default_file: lookup("default_file"),
            options: CONNARGS.iter().filter_map(|(n, opt)| lookup(n).map(|v| (opt.to_string(), v))).collect(),
            password: lookup("pass"),
        }
    }

    /// `mysql [--defaults-file=F] OPTIONS --batch -e QUERY [DB]`.
    pub fn argv(&self, query: &str, database: Option<&str>) -> Vec<String> {
        let mut argv = vec!["mysql".to_string()];
        argv.extend(self.default_file.as_ref().map(|f| format!("--defaults-file={f}")));
        argv.extend(self.options.iter().map(|(opt, v)| format!("{opt}={v}")));
        argv.extend(["--batch".to_string(), "-e".to_string(), query.to_string()]);
        argv.extend(database.filter(|d| !d.is_empty()).map(str::to_string));
        argv
    }
}

/// Why a query gave no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// The client could not connect or log in (Salt's `_connect` is None).
    #[error("MySQL Error {0}")]
    Connect(String),
    /// The server refused the query.
    #[error("MySQL Error {0}")]
    Query(String),
}

/// Error codes MySQLdb raises while connecting: client errors (2xxx),
/// access denied (1044, 1045), unknown database (1049).
fn is_connect_error(stderr: &str) -> bool {
    let code = stderr.split_whitespace().nth(1).and_then(|c| c.parse::<u32>().ok());
    matches!(code, Some(1044 | 1045 | 1049 | 2000..=2999) | None)
}

fn run(ctx: &Ctx, conn: &Conn, query: &str, database: Option<&str>) -> Result<Result<String, QueryError>, ModuleError> {
    let mut args = RunArgs::argv(conn.argv(query, database), ctx);
    args.rstrip = false;
    args.env.extend(conn.password.clone().map(|p| ("MYSQL_PWD".to_string(), p)));
    let out: RunResult = cmd::run_all(&args, ctx)?;
    if out.retcode == 0 {
        return Ok(Ok(out.stdout));
    }
    let msg = out.stderr.trim().trim_start_matches("ERROR ").to_string();
    Ok(Err(if is_connect_error(out.stderr.trim()) { QueryError::Connect(msg) } else { QueryError::Query(msg) }))
}

/// Undoes the client's batch escaping of one field; `NULL` is None.
fn field(raw: &str) -> Value {
    if raw == "NULL" {
        return Value::Null;
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Value::Str(out)
}

/// Batch output: the header line, then one tab-separated line per row.
pub fn parse_batch(text: &str) -> (Vec<String>, Vec<Vec<Value>>) {
    let mut lines = text.lines();
    let columns = lines.next().map(|h| h.split('\t').map(str::to_string).collect()).unwrap_or_default();
    let rows = lines.map(|l| l.split('\t').map(field).collect()).collect();
    (columns, rows)
}

fn is_select(query: &str) -> bool {
    let q = query.trim().to_uppercase();
    ["SELECT", "SHOW", "DESC"].iter().any(|k| q.starts_with(k))
}

/// Python's `str(round(x, n))` of a float.
fn py_round(x: f64, digits: i32) -> String {
    let scale = 10f64.powi(digits);
    Value::Float((x * scale).round() / scale).py_str()
}

fn query_time(elapsed: f64) -> Value {
    let human = if elapsed < 0.200 {
        format!("{}ms", py_round(elapsed * 1000.0, 1))
    } else {
        format!("{}s", py_round(elapsed, 2))
    };
    let mut m = Map::default();
    m.insert("human".into(), Value::Str(human));
    m.insert("raw".into(), Value::Str(py_round(elapsed, 5)));
    Value::Map(m)
}

/// Salt's `mysql.query`: columns and results of a SELECT/SHOW/DESC, rows
/// affected of anything else; `{}` when it cannot connect, False on error.
pub fn query(ctx: &Ctx, conn: &Conn, database: &str, query: &str) -> Result<Value, ModuleError> {
    let select = is_select(query);
    let text = if select { query.to_string() } else { format!("{query};\nSELECT ROW_COUNT();") };
    let start = Instant::now();
    let out = match run(ctx, conn, &text, Some(database))? {
        Ok(out) => out,
        Err(QueryError::Connect(_)) => return Ok(Value::Map(Map::default())),
        Err(QueryError::Query(_)) => return Ok(Value::Bool(false)),
    };
    let mut ret = Map::default();
    ret.insert("query time".into(), query_time(start.elapsed().as_secs_f64()));
    let (columns, rows) = parse_batch(&out);
    if !select {
        let affected = rows.last().and_then(|r| r.first()).map(Value::py_str).and_then(|n| n.parse().ok());
        ret.insert("rows affected".into(), Value::Int(affected.unwrap_or(0)));
        return Ok(Value::Map(ret));
    }
    ret.insert("rows returned".into(), Value::Int(rows.len() as i64));
    ret.insert("columns".into(), Value::List(columns.into_iter().map(Value::Str).collect()));
    ret.insert("results".into(), Value::List(rows.into_iter().map(Value::List).collect()));
    Ok(Value::Map(ret))
}

/// Salt's `mysql.version`: `SELECT VERSION()`, "" when that fails.
pub fn version(ctx: &Ctx, conn: &Conn) -> Result<String, ModuleError> {
    let out = match run(ctx, conn, "SELECT VERSION()", None)? {
        Ok(out) => out,
        Err(_) => return Ok(String::new()),
    };
    Ok(parse_batch(&out).1.first().and_then(|r| r.first()).map(Value::py_str).unwrap_or_default())
}

/// A string literal as MySQLdb escapes it.
fn literal(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('\'', "\\'").replace('\n', "\\n").replace('\0', "\\0");
    format!("'{escaped}'")
}

/// Salt's `mysql.db_exists`: exactly one match of `SHOW DATABASES LIKE`.
pub fn db_exists(ctx: &Ctx, conn: &Conn, name: &str) -> Result<bool, ModuleError> {
    let qry = format!("SHOW DATABASES LIKE {};", literal(name));
    Ok(match run(ctx, conn, &qry, None)? {
        Ok(out) => parse_batch(&out).1.len() == 1,
        Err(_) => false,
    })
}

pub const MODULE: Module = Module {
    name: "mysql",
    functions: &[
        Function {
            name: "query",
            sig: Signature { params: &[req("database"), req("query")], varargs: None, kwargs: true },
            run: query_fn,
        },
        Function { name: "version", sig: Signature { params: &[], varargs: None, kwargs: true }, run: version_fn },
        Function {
            name: "db_exists",
            sig: Signature { params: &[req("name")], varargs: None, kwargs: true },
            run: db_exists_fn,
        },
    ],
};

/// The module is there only when a `mysql` client is.
fn available(function: &str) -> Result<(), ModuleError> {
    match cmd::which("mysql") {
        Some(_) => Ok(()),
        None => Err(ModuleError::NotAvailable(format!("mysql.{function}"))),
    }
}

fn query_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("query")?;
    let conn = Conn::from_kwargs(&b.kwargs, ctx);
    query(ctx, &conn, &b.get("database").py_str(), &b.get("query").py_str())
}

fn version_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("version")?;
    Ok(Value::Str(version(ctx, &Conn::from_kwargs(&b.kwargs, ctx))?))
}

fn db_exists_fn(b: &Bound, ctx: &Ctx) -> Result<Value, ModuleError> {
    available("db_exists")?;
    Ok(Value::Bool(db_exists(ctx, &Conn::from_kwargs(&b.kwargs, ctx), &b.get("name").py_str())?))
}

#[cfg(test)]
mod tests;
