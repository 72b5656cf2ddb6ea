//! The account database backend of the `user` and `group` modules: users
//! and groups read from `/etc/passwd`, `/etc/group` and `/etc/shadow`, and
//! changed with shadow-utils (`useradd`, `usermod`, `userdel`, `groupadd`,
//! `groupmod`, `groupdel`, `gpasswd`).
//!
//! Everything may sit below a root (`-R ROOT`/`--root ROOT`), so tests work
//! in a chroot and never change the machine's accounts. It reports what
//! the files say and runs the tool it is given; the Salt semantics live in
//! the `user` and `group` modules.

use std::path::{Path, PathBuf};

use brine_common::{Map, Value};

use crate::cmd::{self, RunArgs, RunResult};
use crate::{Ctx, ModuleError};

/// A passwd entry with the user's groups (Salt's `user.info`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserInfo {
    pub name: String,
    pub passwd: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
    /// Every group the user is in, its primary group included, sorted.
    pub groups: Vec<String>,
}

/// The five GECOS fields Salt knows, in order.
pub const GECOS_FIELDS: [&str; 5] = ["fullname", "roomnumber", "workphone", "homephone", "other"];

impl UserInfo {
    /// The GECOS fields, empty strings for missing ones.
    pub fn gecos_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = self.gecos.splitn(5, ',').map(str::to_string).collect();
        fields.resize(5, String::new());
        fields
    }

    /// Salt's `user.info` dict.
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("gid".into(), Value::Int(i64::from(self.gid)));
        m.insert("groups".into(), Value::List(self.groups.iter().map(Value::str).collect()));
        m.insert("home".into(), Value::str(&self.home));
        m.insert("name".into(), Value::str(&self.name));
        m.insert("passwd".into(), Value::str(&self.passwd));
        m.insert("shell".into(), Value::str(&self.shell));
        m.insert("uid".into(), Value::Int(i64::from(self.uid)));
        for (key, value) in GECOS_FIELDS.iter().zip(self.gecos_fields()) {
            m.insert((*key).to_string(), Value::Str(value));
        }
        Value::Map(m)
    }
}

/// A group entry (Salt's `group.info`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupInfo {
    pub name: String,
    pub passwd: String,
    pub gid: u32,
    pub members: Vec<String>,
}

impl GroupInfo {
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("name".into(), Value::str(&self.name));
        m.insert("passwd".into(), Value::str(&self.passwd));
        m.insert("gid".into(), Value::Int(i64::from(self.gid)));
        m.insert("members".into(), Value::List(self.members.iter().map(Value::str).collect()));
        Value::Map(m)
    }
}

/// The shadow-utils tools the modules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Useradd,
    Usermod,
    Userdel,
    Groupadd,
    Groupmod,
    Groupdel,
    Gpasswd,
}

impl Tool {
    pub fn program(self) -> &'static str {
        match self {
            Tool::Useradd => "useradd",
            Tool::Usermod => "usermod",
            Tool::Userdel => "userdel",
            Tool::Groupadd => "groupadd",
            Tool::Groupmod => "groupmod",
            Tool::Groupdel => "groupdel",
            Tool::Gpasswd => "gpasswd",
        }
    }
}

/// An account database. Implementations must not panic on any name.
pub trait Accounts {
    fn user(&self, name: &str) -> Result<Option<UserInfo>, ModuleError>;
    fn users(&self) -> Result<Vec<UserInfo>, ModuleError>;
    fn group(&self, name: &str) -> Result<Option<GroupInfo>, ModuleError>;
    fn groups(&self) -> Result<Vec<GroupInfo>, ModuleError>;
    /// The user's password hash from the shadow file ("" when none).
    fn shadow_hash(&self, name: &str) -> Result<Option<String>, ModuleError>;
    /// Whether a directory exists (a home directory, below the root).
    fn dir_exists(&self, path: &str) -> bool;
    /// Runs `tool` with `args` against this database.
    fn run_tool(&self, ctx: &Ctx, tool: Tool, args: Vec<String>) -> Result<RunResult, ModuleError>;
}

/// The accounts of this system (or, in tests, of a chroot).
#[derive(Debug, Clone, Default)]
pub struct LocalAccounts {
    root: Option<PathBuf>,
}

impl LocalAccounts {
    pub const fn system() -> Self {
        LocalAccounts { root: None }
    }

    /// Accounts below `root`, changed with `-R root` (tests).
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        LocalAccounts { root: Some(root.into()) }
    }

    fn path(&self, abs: &str) -> PathBuf {
        self.root.as_deref().unwrap_or(Path::new("/")).join(abs.trim_start_matches('/'))
    }

    fn read(&self, abs: &str) -> Result<String, ModuleError> {
        let path = self.path(abs);
        std::fs::read_to_string(&path)
            .map_err(|e| ModuleError::Execution(format!("Unable to read {}: {e}", path.display())))
    }
}

/// Parses `/etc/passwd` lines (groups left empty).
pub fn parse_passwd(text: &str) -> Vec<UserInfo> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            let [name, passwd, uid, gid, gecos, home, shell] = f.as_slice() else { return None };
            Some(UserInfo {
                name: name.to_string(),
                passwd: passwd.to_string(),
                uid: uid.parse().ok()?,
                gid: gid.parse().ok()?,
                gecos: gecos.to_string(),
                home: home.to_string(),
                shell: shell.to_string(),
                groups: Vec::new(),
            })
        })
        .collect()
}

/// Parses `/etc/group` lines.
pub fn parse_group(text: &str) -> Vec<GroupInfo> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            let [name, passwd, gid, members] = f.as_slice() else { return None };
            Some(GroupInfo {
                name: name.to_string(),
                passwd: passwd.to_string(),
                gid: gid.parse().ok()?,
                members: members.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect(),
            })
        })
        .collect()
}

/// Salt's `get_group_list`: the groups listing the user plus its primary group, sorted.
pub fn group_list(user: &UserInfo, groups: &[GroupInfo]) -> Vec<String> {
    let mut out: Vec<String> = groups
        .iter()
        .filter(|g| g.gid == user.gid || g.members.iter().any(|m| m == &user.name))
        .map(|g| g.name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Accounts for LocalAccounts {
    fn user(&self, name: &str) -> Result<Option<UserInfo>, ModuleError> {
        Ok(self.users()?.into_iter().find(|u| u.name == name))
    }

    fn users(&self) -> Result<Vec<UserInfo>, ModuleError> {
        let groups = self.groups()?;
        let mut users = parse_passwd(&self.read("/etc/passwd")?);
        for user in &mut users {
            user.groups = group_list(user, &groups);
        }
        Ok(users)
    }

    fn group(&self, name: &str) -> Result<Option<GroupInfo>, ModuleError> {
        Ok(self.groups()?.into_iter().find(|g| g.name == name))
    }

    fn groups(&self) -> Result<Vec<GroupInfo>, ModuleError> {
        Ok(parse_group(&self.read("/etc/group")?))
    }

    fn shadow_hash(&self, name: &str) -> Result<Option<String>, ModuleError> {
        let text = self.read("/etc/shadow")?;
        Ok(text.lines().find_map(|l| {
            let mut f = l.split(':');
            (f.next() == Some(name)).then(|| f.next().unwrap_or_default().to_string())
        }))
    }

    fn dir_exists(&self, path: &str) -> bool {
        self.path(path).is_dir()
    }

    fn run_tool(&self, ctx: &Ctx, tool: Tool, mut args: Vec<String>) -> Result<RunResult, ModuleError> {
        let program = cmd::which(tool.program())
            .ok_or_else(|| ModuleError::Execution(format!("Command '{}' cannot be found", tool.program())))?;
        if let Some(root) = &self.root {
            let flag = if tool == Tool::Gpasswd { "--root" } else { "-R" };
            args.extend([flag.to_string(), root.to_string_lossy().into_owned()]);
        }
        let mut argv = vec![program];
        argv.extend(args);
        cmd::run_all(&RunArgs::argv(argv, ctx), ctx)
    }
}

static SYSTEM: LocalAccounts = LocalAccounts::system();

/// The account database of this run: the caller's, else this system's.
pub fn backend<'c>(ctx: &'c Ctx) -> &'c dyn Accounts {
    ctx.backends.accounts.unwrap_or(&SYSTEM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_account_files() {
        let mut users =
            parse_passwd("root:x:0:0:root:/root:/bin/bash\nbob:x:1000:100:Bob B,1,2:/home/bob:/bin/sh\nbad\n");
        assert_eq!(users.len(), 2);
        let groups = parse_group("root:x:0:\nusers:x:100:\nweb:x:2000:bob,root\n");
        assert_eq!(groups[2].members, vec!["bob", "root"]);
        assert_eq!(group_list(&users[1], &groups), vec!["users", "web"]);
        assert_eq!(users[1].gecos_fields(), vec!["Bob B", "1", "2", "", ""]);
        users[1].groups = group_list(&users[1], &groups);
        let v = users[1].to_value();
        assert_eq!(v.get("fullname"), Some(&Value::str("Bob B")));
        assert_eq!(v.get("groups"), Some(&Value::from_json(&serde_json::json!(["users", "web"]))));
    }
}
