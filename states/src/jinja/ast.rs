//! The syntax tree the parser builds and the evaluator walks. Every statement
//! and printed expression carries the template line Jinja2 would report for
//! an error raised while running it.
//!
//! Plain data only: no parsing and no evaluation here.

use std::rc::Rc;

use super::filters::FilterFn;
use super::testers::TestFn;
use super::value::Value;

/// An expression and the line of its first token (as Jinja2's node lineno).
#[derive(Debug)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) line: usize,
}

#[derive(Debug)]
pub(crate) enum ExprKind {
    Const(Value),
    Name(Rc<str>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `obj.name`
    Attr(Box<Expr>, Rc<str>),
    /// `obj[key]`; the key may be a `Slice`.
    Item(Box<Expr>, Box<Expr>),
    /// `start:stop:step` inside a subscript.
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Call(Box<Expr>, Box<CallArgs>),
    Filter(Box<Expr>, Box<FilterCall>),
    Test(Box<Expr>, Box<TestCall>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Pos(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `a ~ b ~ c`
    Concat(Vec<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `then if test else otherwise`
    Cond { test: Box<Expr>, then: Box<Expr>, otherwise: Option<Box<Expr>> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

impl BinOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

/// Arguments of a call, filter or test.
#[derive(Debug, Default)]
pub(crate) struct CallArgs {
    pub(crate) args: Vec<Expr>,
    pub(crate) kwargs: Vec<(Rc<str>, Expr)>,
    /// `*args`
    pub(crate) star: Option<Expr>,
    /// `**kwargs`
    pub(crate) dstar: Option<Expr>,
}

/// A filter application; `func` is `None` for a filter unknown at parse time
/// inside a conditional branch (Jinja2 then fails only if it runs).
#[derive(Debug)]
pub(crate) struct FilterCall {
    pub(crate) name: Rc<str>,
    pub(crate) func: Option<FilterFn>,
    pub(crate) args: CallArgs,
    pub(crate) line: usize,
}

#[derive(Debug)]
pub(crate) struct TestCall {
    pub(crate) name: Rc<str>,
    pub(crate) func: Option<TestFn>,
    pub(crate) args: CallArgs,
}

/// Left-hand side of `set`, `for` and `with`.
#[derive(Debug)]
pub(crate) enum Target {
    Name(Rc<str>),
    Tuple(Vec<Target>),
    /// `ns.attr` (namespace assignment)
    NsAttr(Rc<str>, Rc<str>),
}

/// Salt's serialised data formats for `load_*` / `import_*` tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataFormat {
    Yaml,
    Json,
    Text,
}

#[derive(Debug)]
pub(crate) enum Stmt {
    /// Template text.
    Data(Rc<str>),
    /// `{{ expr }}` (the line is the expression's).
    Print(Expr),
    If { branches: Vec<(Expr, Vec<Stmt>, usize)>, otherwise: Vec<Stmt> },
    For(Rc<ForLoop>),
    Set { target: Target, value: Expr, line: usize },
    SetBlock { target: Target, filters: Vec<FilterCall>, body: Vec<Stmt>, line: usize },
    Do(Expr, usize),
    With { assigns: Vec<(Target, Expr)>, body: Vec<Stmt>, line: usize },
    Macro(Rc<MacroDef>),
    CallBlock { call: Expr, caller: Rc<MacroDef>, line: usize },
    FilterBlock { filters: Vec<FilterCall>, body: Vec<Stmt>, line: usize },
    Include { template: Expr, ignore_missing: bool, with_context: bool, line: usize },
    Import { template: Expr, target: Rc<str>, with_context: bool, line: usize },
    FromImport { template: Expr, names: Vec<(Rc<str>, Rc<str>)>, with_context: bool, line: usize },
    Extends(Expr, usize),
    Block(Rc<BlockDef>),
    Break(usize),
    Continue(usize),
    /// `{% load_yaml as x %}...{% endload %}` and friends.
    LoadData { format: DataFormat, target: Target, body: Vec<Stmt>, line: usize },
    /// `{% import_yaml 'f' as x %}` and friends.
    ImportData { format: DataFormat, template: Expr, target: Rc<str>, with_context: bool, line: usize },
}

#[derive(Debug)]
pub(crate) struct ForLoop {
    pub(crate) target: Target,
    pub(crate) iter: Expr,
    pub(crate) filter: Option<Expr>,
    pub(crate) recursive: bool,
    pub(crate) body: Vec<Stmt>,
    pub(crate) otherwise: Vec<Stmt>,
    pub(crate) line: usize,
}

#[derive(Debug)]
pub(crate) struct MacroDef {
    pub(crate) name: Rc<str>,
    pub(crate) params: Vec<Rc<str>>,
    /// Defaults of the last `defaults.len()` parameters.
    pub(crate) defaults: Vec<Expr>,
    pub(crate) body: Vec<Stmt>,
    /// Whether the body refers to `varargs`, `kwargs`, `caller`.
    pub(crate) catch_varargs: bool,
    pub(crate) catch_kwargs: bool,
    pub(crate) uses_caller: bool,
    pub(crate) line: usize,
}

/// A `{% block %}`; its body is kept as an argument-less macro so an
/// overriding block can call it as `super()`.
#[derive(Debug)]
pub(crate) struct BlockDef {
    pub(crate) name: Rc<str>,
    pub(crate) body: Rc<MacroDef>,
    pub(crate) line: usize,
}

/// A parsed template.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) name: Rc<str>,
    pub(crate) body: Vec<Stmt>,
    /// Whether the template has a top-level `{% extends %}`.
    pub(crate) extends: bool,
}
