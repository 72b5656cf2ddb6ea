//! Tests of the `mysql` checks with a recorded `mysql` client: command
//! lines (defaults file first, password only in the environment), batch
//! output parsing and Salt's return shapes for success and failure.

use brine_common::{Map, Value};
use serde_json::json;

use super::*;
use crate::testing::{output, Recorded};

fn kwargs(pairs: &[(&str, &str)]) -> Map {
    pairs.iter().map(|(k, v)| (k.to_string(), Value::str(*v))).collect()
}

#[test]
fn connection_arguments_come_from_kwargs_then_opts_then_pillar() {
    let runner = Recorded::new(|_| output(0, "", ""));
    let opts = kwargs(&[("mysql.default_file", "/etc/mysql/debian.cnf"), ("mysql.host", "")]);
    let pillar = kwargs(&[("mysql.user", "monitor"), ("mysql.pass", "s3cret")]);
    let grains = Map::default();
    let ctx = Ctx::new(&opts, &grains, &pillar, &runner);
    let conn = Conn::from_kwargs(&kwargs(&[("connection_port", "3307")]), &ctx);
    assert_eq!(
        conn.argv("SELECT 1", Some("mysql")).join(" "),
        "mysql --defaults-file=/etc/mysql/debian.cnf --user=monitor --port=3307 --batch -e SELECT 1 mysql"
    );
    assert_eq!(conn.password.as_deref(), Some("s3cret"));
    let own = Conn::from_kwargs(&kwargs(&[("connection_default_file", "/root/.my.cnf")]), &ctx);
    assert_eq!(own, Conn { default_file: Some("/root/.my.cnf".into()), ..Conn::default() });
}

#[test]
fn select_and_update_take_salts_shapes() {
    let runner = Recorded::new(|argv| {
        let q = argv.iter().find(|a| a.contains("SELECT") || a.contains("UPDATE")).cloned().unwrap_or_default();
        if q.starts_with("UPDATE") {
            output(0, "ROW_COUNT()\n3\n", "")
        } else {
            output(0, "id\tname\tnote\n1\tUser 1\tNULL\n2\ttab\\there\t\n", "")
        }
    });
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner);
    let conn = Conn::default();
    let mut got = query(&ctx, &conn, "mydb", "SELECT id,name,note from users").unwrap().to_json();
    assert!(got["query time"]["human"].as_str().is_some_and(|h| h.ends_with("ms")), "{got}");
    got.as_object_mut().map(|o| o.remove("query time"));
    assert_eq!(
        got,
        json!({"rows returned": 2, "columns": ["id", "name", "note"], "results": [["1", "User 1", null], ["2", "tab\there", ""]]})
    );
    let upd = query(&ctx, &conn, "mydb", "UPDATE users set x=1").unwrap().to_json();
    assert_eq!(upd["rows affected"], 3);
    assert_eq!(
        runner.commands(),
        [
            "mysql --batch -e SELECT id,name,note from users mydb",
            "mysql --batch -e UPDATE users set x=1;\nSELECT ROW_COUNT(); mydb"
        ]
    );
}

#[test]
fn failures_give_salts_empty_values() {
    let runner = Recorded::new(|argv| {
        if argv.iter().any(|a| a.contains("bogus")) {
            output(1, "", "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax")
        } else {
            output(
                1,
                "",
                "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)",
            )
        }
    });
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner);
    let conn = Conn { password: Some("pw".into()), ..Conn::default() };
    assert_eq!(query(&ctx, &conn, "db", "SELECT 1").unwrap(), Value::Map(Map::default()));
    assert_eq!(query(&ctx, &conn, "db", "bogus").unwrap(), Value::Bool(false));
    assert_eq!(version(&ctx, &conn).unwrap(), "");
    assert!(!db_exists(&ctx, &conn, "wordpress").unwrap());
    let log = runner.log.lock().unwrap();
    assert!(log.iter().all(|s| !s.argv.iter().any(|a| a.contains("pw"))));
    assert!(log[0].env.contains(&("MYSQL_PWD".to_string(), "pw".to_string())));
}

#[test]
fn version_and_db_exists_read_the_answer() {
    let runner = Recorded::new(|argv| match argv.last().map(String::as_str) {
        Some("SELECT VERSION()") => output(0, "VERSION()\n10.11.6-MariaDB-0+deb12u1\n", ""),
        Some(q) if q.contains("'wordpress'") => output(0, "Database (wordpress)\nwordpress\n", ""),
        _ => output(0, "", ""),
    });
    let m = Map::default();
    let ctx = Ctx::new(&m, &m, &m, &runner);
    let conn = Conn::default();
    assert_eq!(version(&ctx, &conn).unwrap(), "10.11.6-MariaDB-0+deb12u1");
    assert!(db_exists(&ctx, &conn, "wordpress").unwrap());
    assert!(!db_exists(&ctx, &conn, "it's").unwrap());
    assert_eq!(runner.commands().last().map(String::as_str), Some("mysql --batch -e SHOW DATABASES LIKE 'it\\'s';"));
}
