//! Turns tokens into the syntax tree, following Jinja2's parser (same
//! precedence, same statement forms, same error messages and lines), plus the
//! tags of the `do` and `loopcontrols` extensions and Salt's `load_*` /
//! `import_*` / `profile` tags.
//!
//! After parsing, a check pass reports what Jinja2's compiler rejects: unknown
//! filters and tests outside conditional branches, `break`/`continue` outside
//! loops. It must not evaluate anything.

use std::rc::Rc;

use brine_common::value::py_str_repr;

use super::ast::*;
use super::error::Error;
use super::lexer::{tokenize, LexOptions, Tok, Token};
use super::value::Value;
use super::{filters, testers};

/// Deepest expression/statement nesting accepted (Python would hit its
/// recursion limit; we must not overflow the stack).
const MAX_NESTING: usize = 120;

/// Parses a template.
pub(crate) fn parse(source: &str, name: &str, opts: LexOptions) -> Result<Template, Error> {
    let mut p = Parser {
        tokens: tokenize(source, opts),
        pos: 0,
        tag_stack: Vec::new(),
        end_stack: Vec::new(),
        depth: 0,
    };
    let body = p.subparse(None)?;
    let extends = body.iter().any(|s| matches!(s, Stmt::Extends(..)));
    check::check_body(&body)?;
    Ok(Template { name: Rc::from(name), body, extends })
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    tag_stack: Vec<Rc<str>>,
    /// End tags each open block waits for (`["elif", "else", "endif"]`).
    end_stack: Vec<&'static [&'static str]>,
    depth: usize,
}

/// How Jinja2 describes a token in messages.
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Name(n) => n.to_string(),
        Tok::Op(o) => o.to_string(),
        Tok::Data(_) => "template data / text".into(),
        Tok::VarBegin => "begin of print statement".into(),
        Tok::VarEnd => "end of print statement".into(),
        Tok::BlockBegin => "begin of statement block".into(),
        Tok::BlockEnd => "end of statement block".into(),
        Tok::Str(_) => "string".into(),
        Tok::Int(_) => "integer".into(),
        Tok::Float(_) => "float".into(),
        Tok::Eof => "end of template".into(),
        Tok::Error(m) => m.clone(),
    }
}

fn expr(kind: ExprKind, line: usize) -> Expr {
    Expr { kind, line }
}

impl Parser {
    // -- token stream ------------------------------------------------------

    fn cur(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn look(&self) -> &Token {
        &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)]
    }

    fn line(&self) -> usize {
        self.cur().line
    }

    fn next(&mut self) -> Token {
        let t = self.cur().clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn is_name(&self, v: &str) -> bool {
        matches!(&self.cur().tok, Tok::Name(n) if &**n == v)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.cur().tok, Tok::Op(o) if o == op)
    }

    fn skip_name(&mut self, v: &str) -> bool {
        let hit = self.is_name(v);
        if hit {
            self.next();
        }
        hit
    }

    fn skip_op(&mut self, op: &str) -> bool {
        let hit = self.is_op(op);
        if hit {
            self.next();
        }
        hit
    }

    /// A syntax error at `line`, unless the lexer failed here first.
    fn fail<T>(&self, msg: impl Into<String>, line: usize) -> Result<T, Error> {
        if let Tok::Error(m) = &self.cur().tok {
            return Err(Error::syntax(m.clone(), self.cur().line));
        }
        Err(Error::syntax(msg, line))
    }

    fn expect_failure<T>(&self, what: &str) -> Result<T, Error> {
        if self.cur().tok == Tok::Eof {
            return self.fail(format!("unexpected end of template, expected {}.", py_str_repr(what)), self.line());
        }
        self.fail(
            format!("expected token {}, got {}", py_str_repr(what), py_str_repr(&describe(&self.cur().tok))),
            self.line(),
        )
    }

    fn expect_op(&mut self, op: &str) -> Result<Token, Error> {
        if self.is_op(op) {
            return Ok(self.next());
        }
        self.expect_failure(op)
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<Token, Error> {
        if self.is_name(kw) {
            return Ok(self.next());
        }
        self.expect_failure(kw)
    }

    fn expect_name(&mut self) -> Result<(Rc<str>, usize), Error> {
        if let Tok::Name(n) = &self.cur().tok {
            let n = n.clone();
            let line = self.next().line;
            return Ok((n, line));
        }
        self.expect_failure("name")
    }

    fn expect_tok(&mut self, tok: Tok) -> Result<Token, Error> {
        if self.cur().tok == tok {
            return Ok(self.next());
        }
        self.expect_failure(&describe(&tok))
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        // Each level is a dozen frames of precedence climbing: a debug build
        // on a 2 MiB thread runs out of stack before MAX_NESTING.
        if self.depth > MAX_NESTING || !brine_common::stack::enough() {
            return self.fail("template nested too deeply", self.line());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// One more link of a chain (`a.b.c`, `x|f|g`, `1 + 2 + 3`, `a or b`):
    /// the tree it builds is as deep as the chain is long, and every later
    /// walk of it recurses that deep, so each link counts as nesting (as
    /// Jinja2's generated Python nests a parenthesis per link). The caller
    /// gives them back with [`Self::leave_chain`]; an error ends the parse.
    fn link(&mut self, links: &mut usize) -> Result<(), Error> {
        self.enter()?;
        *links += 1;
        Ok(())
    }

    fn leave_chain(&mut self, links: usize) {
        self.depth -= links;
    }

    // -- statements --------------------------------------------------------

    fn subparse(&mut self, end_tokens: Option<&'static [&'static str]>) -> Result<Vec<Stmt>, Error> {
        if let Some(e) = end_tokens {
            self.end_stack.push(e);
        }
        let r = self.subparse_inner(end_tokens);
        if end_tokens.is_some() {
            self.end_stack.pop();
        }
        r
    }

    fn subparse_inner(&mut self, end_tokens: Option<&'static [&'static str]>) -> Result<Vec<Stmt>, Error> {
        let mut body = Vec::new();
        loop {
            let token = self.cur().clone();
            match token.tok {
                Tok::Eof => return Ok(body),
                Tok::Data(d) => {
                    body.push(Stmt::Data(d));
                    self.next();
                }
                Tok::VarBegin => {
                    self.next();
                    let e = self.parse_tuple(TupleMode::default())?;
                    self.expect_tok(Tok::VarEnd)?;
                    body.push(Stmt::Print(e));
                }
                Tok::BlockBegin => {
                    self.next();
                    if let Some(ends) = end_tokens {
                        if ends.iter().any(|e| self.is_name(e)) {
                            return Ok(body);
                        }
                    }
                    self.enter()?;
                    let stmt = self.parse_statement();
                    self.leave();
                    body.extend(stmt?);
                    self.expect_tok(Tok::BlockEnd)?;
                }
                _ => return self.fail("internal parsing error", token.line),
            }
        }
    }

    fn parse_statements(&mut self, end_tokens: &'static [&'static str], drop_needle: bool) -> Result<Vec<Stmt>, Error> {
        self.skip_op(":");
        self.expect_tok(Tok::BlockEnd)?;
        let body = self.subparse(Some(end_tokens))?;
        if self.cur().tok == Tok::Eof {
            return self.fail_eof(Some(end_tokens), self.line());
        }
        if drop_needle {
            self.next();
        }
        Ok(body)
    }

    fn fail_eof<T>(&self, end_tokens: Option<&'static [&'static str]>, line: usize) -> Result<T, Error> {
        let mut stack = self.end_stack.clone();
        if let Some(e) = end_tokens {
            stack.push(e);
        }
        self.fail_ut_eof(None, &stack, line)
    }

    fn fail_ut_eof<T>(&self, name: Option<&str>, stack: &[&'static [&'static str]], line: usize) -> Result<T, Error> {
        let expected: Vec<&str> = stack.iter().flat_map(|e| e.iter().copied()).collect();
        let looking = stack.last().map(|e| e.iter().map(|t| py_str_repr(t)).collect::<Vec<_>>().join(" or "));
        let mut message = vec![match name {
            None => "Unexpected end of template.".to_string(),
            Some(n) => format!("Encountered unknown tag {}.", py_str_repr(n)),
        }];
        if let Some(looking) = looking.filter(|l| !l.is_empty()) {
            if name.is_some_and(|n| expected.contains(&n)) {
                message.push(format!(
                    "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for {looking}."
                ));
            } else {
                message.push(format!("Jinja was looking for the following tags: {looking}."));
            }
        }
        if let Some(tag) = self.tag_stack.last() {
            message.push(format!("The innermost block that needs to be closed is {}.", py_str_repr(tag)));
        }
        self.fail(message.join(" "), line)
    }

    fn parse_statement(&mut self) -> Result<Vec<Stmt>, Error> {
        let token = self.cur().clone();
        let Tok::Name(tag) = &token.tok else {
            return self.fail("tag name expected", token.line);
        };
        let tag = tag.clone();
        self.tag_stack.push(tag.clone());
        let r = self.dispatch(&tag, token.line);
        self.tag_stack.pop();
        match r {
            Some(r) => r,
            None => {
                let stack = self.end_stack.clone();
                self.fail_ut_eof(Some(&tag), &stack, token.line)
            }
        }
    }

    fn dispatch(&mut self, tag: &str, line: usize) -> Option<Result<Vec<Stmt>, Error>> {
        let one = |r: Result<Stmt, Error>| Some(r.map(|s| vec![s]));
        match tag {
            "for" => one(self.parse_for()),
            "if" => one(self.parse_if()),
            "block" => one(self.parse_block()),
            "extends" => one(self.parse_extends()),
            "print" => Some(self.parse_print()),
            "macro" => one(self.parse_macro()),
            "include" => one(self.parse_include()),
            "from" => one(self.parse_from()),
            "import" => one(self.parse_import()),
            "set" => one(self.parse_set()),
            "with" => one(self.parse_with()),
            "autoescape" => one(self.parse_autoescape()),
            "call" => one(self.parse_call_block()),
            "filter" => one(self.parse_filter_block()),
            "do" => one(self.parse_do()),
            "break" | "continue" => {
                self.next();
                one(Ok(if tag == "break" { Stmt::Break(line) } else { Stmt::Continue(line) }))
            }
            "load_yaml" | "load_json" | "load_text" => one(self.parse_load(tag)),
            "import_yaml" | "import_json" | "import_text" => one(self.parse_import_data(tag)),
            "profile" => Some(self.parse_profile()),
            _ => None,
        }
    }

    fn parse_for(&mut self) -> Result<Stmt, Error> {
        let line = self.expect_keyword("for")?.line;
        let target = self.parse_assign_target(true, false, &["in"], false)?;
        self.expect_keyword("in")?;
        let iter = self.parse_tuple(TupleMode { condexpr: false, extra_end: &["recursive"], ..Default::default() })?;
        let filter = if self.skip_name("if") { Some(self.parse_expression(true)?) } else { None };
        let recursive = self.skip_name("recursive");
        let body = self.parse_statements(&["endfor", "else"], false)?;
        let otherwise = if self.next().tok == Tok::Name(Rc::from("endfor")) {
            Vec::new()
        } else {
            self.parse_statements(&["endfor"], true)?
        };
        Ok(Stmt::For(Rc::new(ForLoop { target, iter, filter, recursive, body, otherwise, line })))
    }

    fn parse_if(&mut self) -> Result<Stmt, Error> {
        let mut line = self.expect_keyword("if")?.line;
        let mut branches = Vec::new();
        let mut otherwise = Vec::new();
        loop {
            let test = self.parse_tuple(TupleMode { condexpr: false, ..Default::default() })?;
            let body = self.parse_statements(&["elif", "else", "endif"], false)?;
            branches.push((test, body, line));
            let token = self.next();
            match &token.tok {
                Tok::Name(n) if &**n == "elif" => line = self.line(),
                Tok::Name(n) if &**n == "else" => {
                    otherwise = self.parse_statements(&["endif"], true)?;
                    break;
                }
                _ => break,
            }
        }
        Ok(Stmt::If { branches, otherwise })
    }

    fn parse_with(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let mut assigns = Vec::new();
        while self.cur().tok != Tok::BlockEnd {
            if !assigns.is_empty() {
                self.expect_op(",")?;
            }
            let target = self.parse_assign_target(true, false, &[], false)?;
            self.expect_op("=")?;
            assigns.push((target, self.parse_expression(true)?));
        }
        let body = self.parse_statements(&["endwith"], true)?;
        Ok(Stmt::With { assigns, body, line })
    }

    fn parse_autoescape(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        self.parse_expression(true)?;
        let body = self.parse_statements(&["endautoescape"], true)?;
        Ok(Stmt::With { assigns: Vec::new(), body, line })
    }

    fn parse_block(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let (name, _) = self.expect_name()?;
        self.skip_name("scoped");
        self.skip_name("required");
        if self.is_op("-") {
            return self.fail(
                "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.",
                self.line(),
            );
        }
        let body = self.parse_statements(&["endblock"], true)?;
        self.skip_name(&name);
        let body = Rc::new(macro_def(name.clone(), Vec::new(), Vec::new(), body, line));
        Ok(Stmt::Block(Rc::new(BlockDef { name, body, line })))
    }

    fn parse_extends(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        Ok(Stmt::Extends(self.parse_expression(true)?, line))
    }

    /// `with context` / `without context`, or the default.
    fn parse_context(&mut self, default: bool) -> bool {
        if (self.is_name("with") || self.is_name("without")) && matches!(&self.look().tok, Tok::Name(n) if &**n == "context") {
            let with = self.is_name("with");
            self.next();
            self.next();
            return with;
        }
        default
    }

    fn parse_include(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let template = self.parse_expression(true)?;
        let ignore_missing =
            self.is_name("ignore") && matches!(&self.look().tok, Tok::Name(n) if &**n == "missing");
        if ignore_missing {
            self.next();
            self.next();
        }
        let with_context = self.parse_context(true);
        Ok(Stmt::Include { template, ignore_missing, with_context, line })
    }

    fn parse_import(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let template = self.parse_expression(true)?;
        self.expect_keyword("as")?;
        let (target, _) = self.expect_name()?;
        let with_context = self.parse_context(false);
        Ok(Stmt::Import { template, target, with_context, line })
    }

    fn parse_from(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let template = self.parse_expression(true)?;
        self.expect_keyword("import")?;
        let mut names = Vec::new();
        let mut with_context = None;
        loop {
            if !names.is_empty() {
                self.expect_op(",")?;
            }
            if !matches!(self.cur().tok, Tok::Name(_)) {
                self.expect_name()?;
            }
            if let Some(ctx) = self.context_keyword() {
                with_context = Some(ctx);
                break;
            }
            let (name, name_line) = self.expect_name()?;
            if name.starts_with('_') {
                return self.fail("names starting with an underline can not be imported", name_line);
            }
            let alias = if self.skip_name("as") { self.expect_name()?.0 } else { name.clone() };
            names.push((name, alias));
            if let Some(ctx) = self.context_keyword() {
                with_context = Some(ctx);
                break;
            }
            if !self.is_op(",") {
                break;
            }
        }
        Ok(Stmt::FromImport { template, names, with_context: with_context.unwrap_or(false), line })
    }

    fn context_keyword(&mut self) -> Option<bool> {
        let is_ctx = (self.is_name("with") || self.is_name("without"))
            && matches!(&self.look().tok, Tok::Name(n) if &**n == "context");
        is_ctx.then(|| self.parse_context(false))
    }

    fn parse_signature(&mut self) -> Result<(Vec<Rc<str>>, Vec<Expr>), Error> {
        let mut params = Vec::new();
        let mut defaults = Vec::new();
        self.expect_op("(")?;
        while !self.is_op(")") {
            if !params.is_empty() {
                self.expect_op(",")?;
            }
            let (name, _) = self.expect_name()?;
            if self.skip_op("=") {
                defaults.push(self.parse_expression(true)?);
            } else if !defaults.is_empty() {
                return self.fail("non-default argument follows default argument", self.line());
            }
            params.push(name);
        }
        self.expect_op(")")?;
        Ok((params, defaults))
    }

    fn parse_macro(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let (name, _) = self.expect_name()?;
        let (params, defaults) = self.parse_signature()?;
        let body = self.parse_statements(&["endmacro"], true)?;
        Ok(Stmt::Macro(Rc::new(macro_def(name, params, defaults, body, line))))
    }

    fn parse_call_block(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let (params, defaults) = if self.is_op("(") { self.parse_signature()? } else { (Vec::new(), Vec::new()) };
        let call = self.parse_expression(true)?;
        if !matches!(call.kind, ExprKind::Call(..)) {
            return self.fail("expected call", line);
        }
        let body = self.parse_statements(&["endcall"], true)?;
        let caller = Rc::new(macro_def(Rc::from("caller"), params, defaults, body, line));
        Ok(Stmt::CallBlock { call, caller, line })
    }

    fn parse_filter_block(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let filters = self.parse_filter_chain(true)?;
        let body = self.parse_statements(&["endfilter"], true)?;
        Ok(Stmt::FilterBlock { filters, body, line })
    }

    fn parse_print(&mut self) -> Result<Vec<Stmt>, Error> {
        self.next();
        let mut out = Vec::new();
        while self.cur().tok != Tok::BlockEnd {
            if !out.is_empty() {
                self.expect_op(",")?;
            }
            out.push(Stmt::Print(self.parse_expression(true)?));
        }
        Ok(out)
    }

    fn parse_set(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        let target = self.parse_assign_target(true, false, &[], true)?;
        if self.skip_op("=") {
            let value = self.parse_tuple(TupleMode::default())?;
            return Ok(Stmt::Set { target, value, line });
        }
        let filters = if self.is_op("|") { self.parse_filter_chain(false)? } else { Vec::new() };
        let body = self.parse_statements(&["endset"], true)?;
        Ok(Stmt::SetBlock { target, filters, body, line })
    }

    fn parse_do(&mut self) -> Result<Stmt, Error> {
        let line = self.next().line;
        Ok(Stmt::Do(self.parse_tuple(TupleMode::default())?, line))
    }

    fn parse_load(&mut self, tag: &str) -> Result<Stmt, Error> {
        let line = self.next().line;
        self.expect_keyword("as")?;
        let target = self.parse_assign_target(true, false, &[], false)?;
        let body = self.parse_statements(&["endload"], true)?;
        Ok(Stmt::LoadData { format: data_format(tag), target, body, line })
    }

    fn parse_import_data(&mut self, tag: &str) -> Result<Stmt, Error> {
        let line = self.next().line;
        let template = self.parse_expression(true)?;
        self.expect_keyword("as")?;
        let (target, _) = self.expect_name()?;
        let with_context = self.parse_context(false);
        Ok(Stmt::ImportData { format: data_format(tag), template, target, with_context, line })
    }

    fn parse_profile(&mut self) -> Result<Vec<Stmt>, Error> {
        self.next();
        self.expect_keyword("as")?;
        self.parse_expression(true)?;
        self.parse_statements(&["endprofile"], true)
    }

    // -- assignment targets ------------------------------------------------

    fn parse_assign_target(
        &mut self,
        with_tuple: bool,
        name_only: bool,
        extra_end: &[&str],
        with_namespace: bool,
    ) -> Result<Target, Error> {
        if name_only {
            return Ok(Target::Name(self.expect_name()?.0));
        }
        if !with_tuple {
            return self.target_primary(with_namespace);
        }
        let line = self.line();
        let mut items = Vec::new();
        let mut is_tuple = false;
        loop {
            if !items.is_empty() {
                self.expect_op(",")?;
            }
            if self.is_tuple_end(extra_end) {
                break;
            }
            items.push(self.target_primary(with_namespace)?);
            if self.is_op(",") {
                is_tuple = true;
            } else {
                break;
            }
        }
        if !is_tuple {
            if let Some(t) = items.pop() {
                return Ok(t);
            }
            return self.fail(format!("Expected an expression, got {}", py_str_repr(&describe(&self.cur().tok))), line);
        }
        Ok(Target::Tuple(items))
    }

    fn target_primary(&mut self, with_namespace: bool) -> Result<Target, Error> {
        let token = self.cur().clone();
        match &token.tok {
            Tok::Name(n) if !matches!(&**n, "true" | "false" | "True" | "False" | "none" | "None") => {
                self.next();
                if with_namespace && self.skip_op(".") {
                    let (attr, _) = self.expect_name()?;
                    return Ok(Target::NsAttr(n.clone(), attr));
                }
                Ok(Target::Name(n.clone()))
            }
            Tok::Op("(") => {
                self.next();
                let mut items = Vec::new();
                while !self.is_op(")") {
                    if !items.is_empty() {
                        self.expect_op(",")?;
                        if self.is_op(")") {
                            break;
                        }
                    }
                    self.enter()?;
                    let item = self.target_primary(with_namespace);
                    self.leave();
                    items.push(item?);
                }
                self.expect_op(")")?;
                Ok(if items.len() == 1 { items.remove(0) } else { Target::Tuple(items) })
            }
            _ => {
                let e = self.parse_primary()?;
                let kind = match e.kind {
                    ExprKind::List(_) => "list",
                    ExprKind::Dict(_) => "dict",
                    _ => "const",
                };
                self.fail(format!("can't assign to {}", py_str_repr(kind)), e.line)
            }
        }
    }

    // -- expressions -------------------------------------------------------

    fn is_tuple_end(&self, extra_end: &[&str]) -> bool {
        matches!(self.cur().tok, Tok::VarEnd | Tok::BlockEnd | Tok::Op(")")) || extra_end.iter().any(|e| self.is_name(e))
    }

    fn parse_tuple(&mut self, mode: TupleMode) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut items = Vec::new();
        let mut is_tuple = false;
        loop {
            if !items.is_empty() {
                self.expect_op(",")?;
            }
            if self.is_tuple_end(mode.extra_end) {
                break;
            }
            items.push(self.parse_expression(mode.condexpr)?);
            if self.is_op(",") {
                is_tuple = true;
            } else {
                break;
            }
            line = self.line();
        }
        if !is_tuple {
            if let Some(e) = items.pop() {
                return Ok(e);
            }
            if !mode.explicit_parens {
                return self.fail(
                    format!("Expected an expression, got {}", py_str_repr(&describe(&self.cur().tok))),
                    self.line(),
                );
            }
        }
        Ok(expr(ExprKind::Tuple(items), line))
    }

    fn parse_expression(&mut self, with_condexpr: bool) -> Result<Expr, Error> {
        self.enter()?;
        let r = if with_condexpr { self.parse_condexpr() } else { self.parse_or() };
        self.leave();
        r
    }

    fn parse_condexpr(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut e1 = self.parse_or()?;
        let mut links = 0;
        while self.skip_name("if") {
            self.link(&mut links)?;
            let test = self.parse_or()?;
            let otherwise = if self.skip_name("else") { Some(Box::new(self.parse_expression(true)?)) } else { None };
            e1 = expr(ExprKind::Cond { test: Box::new(test), then: Box::new(e1), otherwise }, line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(e1)
    }

    fn parse_or(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut left = self.parse_and()?;
        let mut links = 0;
        while self.skip_name("or") {
            self.link(&mut links)?;
            let right = self.parse_and()?;
            left = expr(ExprKind::Or(Box::new(left), Box::new(right)), line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut left = self.parse_not()?;
        let mut links = 0;
        while self.skip_name("and") {
            self.link(&mut links)?;
            let right = self.parse_not()?;
            left = expr(ExprKind::And(Box::new(left), Box::new(right)), line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(left)
    }

    fn parse_not(&mut self) -> Result<Expr, Error> {
        if self.is_name("not") {
            let line = self.next().line;
            self.enter()?;
            let inner = self.parse_not();
            self.leave();
            return Ok(expr(ExprKind::Not(Box::new(inner?)), line));
        }
        self.parse_compare()
    }

    fn parse_compare(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let first = self.parse_math1()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.cur().tok {
                Tok::Op("==") => Some(CmpOp::Eq),
                Tok::Op("!=") => Some(CmpOp::Ne),
                Tok::Op("<") => Some(CmpOp::Lt),
                Tok::Op("<=") => Some(CmpOp::Le),
                Tok::Op(">") => Some(CmpOp::Gt),
                Tok::Op(">=") => Some(CmpOp::Ge),
                _ => None,
            };
            if let Some(op) = op {
                self.next();
                ops.push((op, self.parse_math1()?));
            } else if self.skip_name("in") {
                ops.push((CmpOp::In, self.parse_math1()?));
            } else if self.is_name("not") && matches!(&self.look().tok, Tok::Name(n) if &**n == "in") {
                self.next();
                self.next();
                ops.push((CmpOp::NotIn, self.parse_math1()?));
            } else {
                break;
            }
            line = self.line();
        }
        if ops.is_empty() {
            return Ok(first);
        }
        Ok(expr(ExprKind::Compare(Box::new(first), ops), line))
    }

    fn parse_math1(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut left = self.parse_concat()?;
        let mut links = 0;
        loop {
            let op = match self.cur().tok {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                _ => break,
            };
            self.next();
            self.link(&mut links)?;
            let right = self.parse_concat()?;
            left = expr(ExprKind::Bin(op, Box::new(left), Box::new(right)), line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(left)
    }

    fn parse_concat(&mut self) -> Result<Expr, Error> {
        let line = self.line();
        let mut args = vec![self.parse_math2()?];
        while self.skip_op("~") {
            args.push(self.parse_math2()?);
        }
        if args.len() == 1 {
            return Ok(args.remove(0));
        }
        Ok(expr(ExprKind::Concat(args), line))
    }

    fn parse_math2(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut left = self.parse_pow()?;
        let mut links = 0;
        loop {
            let op = match self.cur().tok {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                Tok::Op("//") => BinOp::FloorDiv,
                Tok::Op("%") => BinOp::Mod,
                _ => break,
            };
            self.next();
            self.link(&mut links)?;
            let right = self.parse_pow()?;
            left = expr(ExprKind::Bin(op, Box::new(left), Box::new(right)), line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(left)
    }

    fn parse_pow(&mut self) -> Result<Expr, Error> {
        let mut line = self.line();
        let mut left = self.parse_unary(true)?;
        let mut links = 0;
        while self.skip_op("**") {
            self.link(&mut links)?;
            let right = self.parse_unary(true)?;
            left = expr(ExprKind::Bin(BinOp::Pow, Box::new(left), Box::new(right)), line);
            line = self.line();
        }
        self.leave_chain(links);
        Ok(left)
    }

    fn parse_unary(&mut self, with_filter: bool) -> Result<Expr, Error> {
        let line = self.line();
        self.enter()?;
        let node = if self.skip_op("-") {
            self.parse_unary(false).map(|e| expr(ExprKind::Neg(Box::new(e)), line))
        } else if self.skip_op("+") {
            self.parse_unary(false).map(|e| expr(ExprKind::Pos(Box::new(e)), line))
        } else {
            self.parse_primary()
        };
        self.leave();
        let node = self.parse_postfix(node?)?;
        if with_filter {
            return self.parse_filter_expr(node);
        }
        Ok(node)
    }

    fn parse_primary(&mut self) -> Result<Expr, Error> {
        let token = self.cur().clone();
        let line = token.line;
        let kind = match &token.tok {
            Tok::Name(n) => {
                self.next();
                match &**n {
                    "true" | "True" => ExprKind::Const(Value::Bool(true)),
                    "false" | "False" => ExprKind::Const(Value::Bool(false)),
                    "none" | "None" => ExprKind::Const(Value::None),
                    _ => ExprKind::Name(n.clone()),
                }
            }
            Tok::Str(s) => {
                self.next();
                let mut buf = s.to_string();
                while let Tok::Str(more) = &self.cur().tok {
                    buf.push_str(more);
                    self.next();
                }
                ExprKind::Const(Value::from(buf))
            }
            Tok::Int(i) => {
                self.next();
                ExprKind::Const(Value::Int(*i))
            }
            Tok::Float(f) => {
                self.next();
                ExprKind::Const(Value::Float(*f))
            }
            Tok::Op("(") => {
                self.next();
                let e = self.parse_tuple(TupleMode { explicit_parens: true, ..Default::default() })?;
                self.expect_op(")")?;
                return Ok(e);
            }
            Tok::Op("[") => return self.parse_list(),
            Tok::Op("{") => return self.parse_dict(),
            other => return self.fail(format!("unexpected {}", py_str_repr(&describe(other))), line),
        };
        Ok(expr(kind, line))
    }

    fn parse_list(&mut self) -> Result<Expr, Error> {
        let line = self.expect_op("[")?.line;
        let mut items = Vec::new();
        while !self.is_op("]") {
            if !items.is_empty() {
                self.expect_op(",")?;
            }
            if self.is_op("]") {
                break;
            }
            items.push(self.parse_expression(true)?);
        }
        self.expect_op("]")?;
        Ok(expr(ExprKind::List(items), line))
    }

    fn parse_dict(&mut self) -> Result<Expr, Error> {
        let line = self.expect_op("{")?.line;
        let mut items = Vec::new();
        while !self.is_op("}") {
            if !items.is_empty() {
                self.expect_op(",")?;
            }
            if self.is_op("}") {
                break;
            }
            let key = self.parse_expression(true)?;
            self.expect_op(":")?;
            let value = self.parse_expression(true)?;
            items.push((key, value));
        }
        self.expect_op("}")?;
        Ok(expr(ExprKind::Dict(items), line))
    }

    fn parse_postfix(&mut self, mut node: Expr) -> Result<Expr, Error> {
        let mut links = 0;
        loop {
            node = match self.cur().tok {
                Tok::Op(".") | Tok::Op("[") => {
                    self.link(&mut links)?;
                    self.parse_subscript(node)?
                }
                Tok::Op("(") => {
                    self.link(&mut links)?;
                    self.parse_call(node)?
                }
                _ => {
                    self.leave_chain(links);
                    return Ok(node);
                }
            };
        }
    }

    fn parse_filter_expr(&mut self, mut node: Expr) -> Result<Expr, Error> {
        let mut links = 0;
        loop {
            node = match self.cur().tok {
                Tok::Op("|") => {
                    for f in self.parse_filter_chain(false)? {
                        self.link(&mut links)?;
                        let line = f.line;
                        node = expr(ExprKind::Filter(Box::new(node), Box::new(f)), line);
                    }
                    node
                }
                Tok::Name(ref n) if &**n == "is" => {
                    self.link(&mut links)?;
                    self.parse_test(node)?
                }
                Tok::Op("(") => {
                    self.link(&mut links)?;
                    self.parse_call(node)?
                }
                _ => {
                    self.leave_chain(links);
                    return Ok(node);
                }
            };
        }
    }

    fn parse_subscript(&mut self, node: Expr) -> Result<Expr, Error> {
        let token = self.next();
        let line = token.line;
        if token.tok == Tok::Op(".") {
            let attr = self.next();
            return match attr.tok {
                Tok::Name(n) => Ok(expr(ExprKind::Attr(Box::new(node), n), line)),
                Tok::Int(i) => {
                    let key = expr(ExprKind::Const(Value::Int(i)), attr.line);
                    Ok(expr(ExprKind::Item(Box::new(node), Box::new(key)), line))
                }
                _ => self.fail("expected name or number", attr.line),
            };
        }
        let mut args = Vec::new();
        while !self.is_op("]") {
            if !args.is_empty() {
                self.expect_op(",")?;
            }
            args.push(self.parse_subscribed()?);
        }
        self.expect_op("]")?;
        let key = if args.len() == 1 { args.remove(0) } else { expr(ExprKind::Tuple(args), line) };
        Ok(expr(ExprKind::Item(Box::new(node), Box::new(key)), line))
    }

    fn parse_subscribed(&mut self) -> Result<Expr, Error> {
        let line = self.line();
        let start = if self.skip_op(":") {
            None
        } else {
            let e = self.parse_expression(true)?;
            if !self.skip_op(":") {
                return Ok(e);
            }
            Some(Box::new(e))
        };
        let stop = if self.is_op(":") || self.is_op("]") || self.is_op(",") {
            None
        } else {
            Some(Box::new(self.parse_expression(true)?))
        };
        let step = if self.skip_op(":") && !(self.is_op("]") || self.is_op(",")) {
            Some(Box::new(self.parse_expression(true)?))
        } else {
            None
        };
        Ok(expr(ExprKind::Slice(start, stop, step), line))
    }

    fn parse_call_args(&mut self) -> Result<CallArgs, Error> {
        let open = self.expect_op("(")?;
        let mut a = CallArgs::default();
        let mut require_comma = false;
        while !self.is_op(")") {
            if require_comma {
                self.expect_op(",")?;
                if self.is_op(")") {
                    break;
                }
            }
            let ensure = |ok: bool, p: &Parser| if ok { Ok(()) } else { p.fail("invalid syntax for function call expression", open.line) };
            if self.skip_op("*") {
                ensure(a.star.is_none() && a.dstar.is_none(), self)?;
                a.star = Some(self.parse_expression(true)?);
            } else if self.skip_op("**") {
                ensure(a.dstar.is_none(), self)?;
                a.dstar = Some(self.parse_expression(true)?);
            } else if matches!(self.cur().tok, Tok::Name(_)) && self.look().tok == Tok::Op("=") {
                ensure(a.dstar.is_none(), self)?;
                let (key, _) = self.expect_name()?;
                self.next();
                a.kwargs.push((key, self.parse_expression(true)?));
            } else {
                ensure(a.star.is_none() && a.dstar.is_none() && a.kwargs.is_empty(), self)?;
                a.args.push(self.parse_expression(true)?);
            }
            require_comma = true;
        }
        self.expect_op(")")?;
        Ok(a)
    }

    fn parse_call(&mut self, node: Expr) -> Result<Expr, Error> {
        let line = self.line();
        let args = self.parse_call_args()?;
        Ok(expr(ExprKind::Call(Box::new(node), Box::new(args)), line))
    }

    /// `|f(args)|g` (or, with `start_inline`, `f(args)|g` as in filter blocks).
    fn parse_filter_chain(&mut self, mut start_inline: bool) -> Result<Vec<FilterCall>, Error> {
        let mut chain = Vec::new();
        while self.is_op("|") || start_inline {
            if !start_inline {
                self.next();
            }
            let (mut name, line) = self.expect_name()?;
            while self.skip_op(".") {
                name = Rc::from(format!("{name}.{}", self.expect_name()?.0));
            }
            let args = if self.is_op("(") { self.parse_call_args()? } else { CallArgs::default() };
            let func = filters::lookup(&name);
            chain.push(FilterCall { name, func, args, line });
            start_inline = false;
        }
        Ok(chain)
    }

    fn parse_test(&mut self, node: Expr) -> Result<Expr, Error> {
        let line = self.next().line;
        let negated = self.skip_name("not");
        let (mut name, _) = self.expect_name()?;
        while self.skip_op(".") {
            name = Rc::from(format!("{name}.{}", self.expect_name()?.0));
        }
        let args = if self.is_op("(") {
            self.parse_call_args()?
        } else if self.starts_test_arg() {
            if self.is_name("is") {
                return self.fail("You cannot chain multiple tests with is", self.line());
            }
            let arg = self.parse_primary()?;
            let arg = self.parse_postfix(arg)?;
            CallArgs { args: vec![arg], ..Default::default() }
        } else {
            CallArgs::default()
        };
        let func = testers::lookup(&name);
        let test = expr(ExprKind::Test(Box::new(node), Box::new(TestCall { name, func, args })), line);
        Ok(if negated { expr(ExprKind::Not(Box::new(test)), line) } else { test })
    }

    fn starts_test_arg(&self) -> bool {
        let starts = matches!(
            self.cur().tok,
            Tok::Name(_) | Tok::Str(_) | Tok::Int(_) | Tok::Float(_) | Tok::Op("(") | Tok::Op("[") | Tok::Op("{")
        );
        starts && !(self.is_name("else") || self.is_name("or") || self.is_name("and"))
    }
}

#[derive(Clone, Copy)]
struct TupleMode {
    condexpr: bool,
    extra_end: &'static [&'static str],
    explicit_parens: bool,
}

impl Default for TupleMode {
    fn default() -> Self {
        TupleMode { condexpr: true, extra_end: &[], explicit_parens: false }
    }
}

fn data_format(tag: &str) -> DataFormat {
    if tag.ends_with("yaml") {
        DataFormat::Yaml
    } else if tag.ends_with("json") {
        DataFormat::Json
    } else {
        DataFormat::Text
    }
}

fn macro_def(name: Rc<str>, params: Vec<Rc<str>>, defaults: Vec<Expr>, body: Vec<Stmt>, line: usize) -> MacroDef {
    let uses = |n: &str| check::body_reads(&body, n);
    MacroDef {
        catch_varargs: uses("varargs"),
        catch_kwargs: uses("kwargs"),
        uses_caller: uses("caller"),
        name,
        params,
        defaults,
        body,
        line,
    }
}

mod check {
    //! Walks a parsed body as Jinja2's compiler would: unknown filters/tests
    //! outside `if` branches and `break` outside loops are compile errors.

    use super::*;

    #[derive(Clone, Copy)]
    struct Ctx {
        soft: bool,
        in_loop: bool,
    }

    pub(super) fn check_body(body: &[Stmt]) -> Result<(), Error> {
        stmts(body, Ctx { soft: false, in_loop: false })
    }

    /// Whether any expression in `body` reads the name `name`.
    pub(super) fn body_reads(body: &[Stmt], name: &str) -> bool {
        let mut found = false;
        let mut visit = |e: &Expr, _soft: bool| -> Result<(), Error> {
            if matches!(&e.kind, ExprKind::Name(n) if &**n == name) {
                found = true;
            }
            Ok(())
        };
        let _ = walk_stmts(body, Ctx { soft: true, in_loop: true }, &mut visit);
        found
    }

    fn stmts(body: &[Stmt], ctx: Ctx) -> Result<(), Error> {
        walk_stmts(body, ctx, &mut check_expr)
    }

    fn check_expr(e: &Expr, soft: bool) -> Result<(), Error> {
        if soft {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Filter(_, f) if f.func.is_none() => {
                Err(Error::syntax(format!("No filter named {}.", py_str_repr(&f.name)), f.line))
            }
            ExprKind::Test(_, t) if t.func.is_none() => {
                Err(Error::syntax(format!("No test named {}.", py_str_repr(&t.name)), e.line))
            }
            _ => Ok(()),
        }
    }

    type Visit<'a> = dyn FnMut(&Expr, bool) -> Result<(), Error> + 'a;

    fn walk_stmts(body: &[Stmt], ctx: Ctx, f: &mut Visit<'_>) -> Result<(), Error> {
        body.iter().try_for_each(|s| walk_stmt(s, ctx, f))
    }

    fn hard(in_loop: bool) -> Ctx {
        Ctx { soft: false, in_loop }
    }

    fn walk_stmt(s: &Stmt, ctx: Ctx, f: &mut Visit<'_>) -> Result<(), Error> {
        match s {
            Stmt::Data(_) => Ok(()),
            Stmt::Print(e) | Stmt::Do(e, _) | Stmt::Extends(e, _) => walk_expr(e, ctx.soft, f),
            Stmt::If { branches, otherwise } => {
                let soft = Ctx { soft: true, ..ctx };
                for (test, body, _) in branches {
                    walk_expr(test, true, f)?;
                    walk_stmts(body, soft, f)?;
                }
                walk_stmts(otherwise, soft, f)
            }
            Stmt::For(l) => {
                walk_expr(&l.iter, ctx.soft, f)?;
                if let Some(filter) = &l.filter {
                    walk_expr(filter, false, f)?;
                }
                walk_stmts(&l.body, hard(true), f)?;
                walk_stmts(&l.otherwise, hard(ctx.in_loop), f)
            }
            Stmt::Set { value, .. } => walk_expr(value, ctx.soft, f),
            Stmt::SetBlock { filters, body, .. } | Stmt::FilterBlock { filters, body, .. } => {
                walk_filters(filters, ctx.soft, f)?;
                walk_stmts(body, hard(false), f)
            }
            Stmt::With { assigns, body, .. } => {
                assigns.iter().try_for_each(|(_, e)| walk_expr(e, ctx.soft, f))?;
                walk_stmts(body, hard(ctx.in_loop), f)
            }
            Stmt::Macro(m) => walk_macro(m, f),
            Stmt::CallBlock { call, caller, .. } => {
                walk_expr(call, ctx.soft, f)?;
                walk_macro(caller, f)
            }
            Stmt::Include { template, .. }
            | Stmt::Import { template, .. }
            | Stmt::FromImport { template, .. }
            | Stmt::ImportData { template, .. } => walk_expr(template, ctx.soft, f),
            Stmt::Block(b) => walk_stmts(&b.body.body, hard(false), f),
            Stmt::LoadData { body, .. } => walk_stmts(body, hard(false), f),
            Stmt::Break(line) | Stmt::Continue(line) if !ctx.in_loop => {
                let word = if matches!(s, Stmt::Break(_)) { "break" } else { "continue" };
                Err(Error::syntax(format!("'{word}' outside loop"), *line))
            }
            Stmt::Break(_) | Stmt::Continue(_) => Ok(()),
        }
    }

    fn walk_macro(m: &MacroDef, f: &mut Visit<'_>) -> Result<(), Error> {
        m.defaults.iter().try_for_each(|d| walk_expr(d, false, f))?;
        walk_stmts(&m.body, Ctx { soft: false, in_loop: false }, f)
    }

    fn walk_filters(filters: &[FilterCall], soft: bool, f: &mut Visit<'_>) -> Result<(), Error> {
        for fc in filters {
            if fc.func.is_none() && !soft {
                return Err(Error::syntax(format!("No filter named {}.", py_str_repr(&fc.name)), fc.line));
            }
            walk_args(&fc.args, soft, f)?;
        }
        Ok(())
    }

    fn walk_args(a: &CallArgs, soft: bool, f: &mut Visit<'_>) -> Result<(), Error> {
        a.args.iter().try_for_each(|e| walk_expr(e, soft, f))?;
        a.kwargs.iter().try_for_each(|(_, e)| walk_expr(e, soft, f))?;
        a.star.iter().chain(a.dstar.iter()).try_for_each(|e| walk_expr(e, soft, f))
    }

    fn walk_expr(e: &Expr, soft: bool, f: &mut Visit<'_>) -> Result<(), Error> {
        f(e, soft)?;
        let mut sub = |x: &Expr| walk_expr(x, soft, f);
        match &e.kind {
            ExprKind::Const(_) | ExprKind::Name(_) => Ok(()),
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Concat(items) => items.iter().try_for_each(sub),
            ExprKind::Dict(pairs) => pairs.iter().try_for_each(|(k, v)| sub(k).and_then(|_| sub(v))),
            ExprKind::Attr(x, _) | ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Pos(x) => sub(x),
            ExprKind::Item(x, k) => sub(x).and_then(|_| sub(k)),
            ExprKind::Slice(a, b, c) => a.iter().chain(b.iter()).chain(c.iter()).try_for_each(|x| sub(x)),
            ExprKind::Bin(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => sub(a).and_then(|_| sub(b)),
            ExprKind::Compare(first, ops) => {
                sub(first)?;
                ops.iter().try_for_each(|(_, x)| sub(x))
            }
            ExprKind::Call(callee, args) => {
                walk_expr(callee, soft, f)?;
                walk_args(args, soft, f)
            }
            ExprKind::Filter(x, fc) => {
                walk_expr(x, soft, f)?;
                walk_args(&fc.args, soft, f)
            }
            ExprKind::Test(x, tc) => {
                walk_expr(x, soft, f)?;
                walk_args(&tc.args, soft, f)
            }
            ExprKind::Cond { test, then, otherwise } => {
                walk_expr(test, true, f)?;
                walk_expr(then, true, f)?;
                otherwise.iter().try_for_each(|x| walk_expr(x, true, f))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (String, Option<usize>) {
        let e = parse(src, "t", LexOptions::default()).unwrap_err();
        (e.message().to_string(), e.line())
    }

    #[test]
    fn parses_statements() {
        let t = parse("{% for a, b in x if a recursive %}{{ a }}{% else %}{% endfor %}", "t", LexOptions::default()).unwrap();
        let Stmt::For(l) = &t.body[0] else { panic!("{:?}", t.body) };
        assert!(l.recursive && l.filter.is_some() && matches!(l.target, Target::Tuple(_)));
        let t = parse("{% macro m(a, b=1) %}{{ caller() }}{{ varargs }}{% endmacro %}", "t", LexOptions::default()).unwrap();
        let Stmt::Macro(m) = &t.body[0] else { panic!() };
        assert!(m.uses_caller && m.catch_varargs && !m.catch_kwargs);
        assert_eq!(m.defaults.len(), 1);
        assert!(parse("{% set ns.a = 1 %}{% set a, b = 1, 2 %}{% set x | upper %}y{% endset %}", "t", LexOptions::default()).is_ok());
        assert!(parse("{% from 'm' import a as b, c with context %}{% import 'x' as y %}{% include ['a', 'b'] ignore missing without context %}", "t", LexOptions::default()).is_ok());
        assert!(parse("{% load_yaml as v %}a: 1{% endload %}{% import_yaml 'f.yaml' as w %}{% do v.update(w) %}", "t", LexOptions::default()).is_ok());
        assert!(parse("{{ x[::-1] }}{{ f(*a, **k) }}{{ 'a' if b }}{{ x is not divisibleby 3 }}{{ -x ** 2 }}", "t", LexOptions::default()).is_ok());
    }

    #[test]
    fn jinja_error_messages() {
        assert_eq!(
            err("ok\n{% if x %}\nbad"),
            ("Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.".into(), Some(2))
        );
        assert_eq!(err("{% foo %}"), ("Encountered unknown tag 'foo'.".into(), Some(1)));
        assert_eq!(
            err("{% if x %}{% endfor %}"),
            ("Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.".into(), Some(1))
        );
        assert_eq!(err("{{ x }"), ("unexpected '}'".into(), Some(1)));
        assert_eq!(err("{{ }}"), ("Expected an expression, got 'end of print statement'".into(), Some(1)));
        assert_eq!(err("\n{{ x|nope }}"), ("No filter named 'nope'.".into(), Some(2)));
        assert_eq!(err("{{ x is nope }}"), ("No test named 'nope'.".into(), Some(1)));
        assert!(parse("{% if x %}{{ x|nope }}{% endif %}", "t", LexOptions::default()).is_ok());
        assert_eq!(err("{% break %}").0, "'break' outside loop");
        assert_eq!(err("{{ x"), ("unexpected end of template, expected 'end of print statement'.".into(), Some(1)));
        assert_eq!(err("{% set 1 = 2 %}").0, "can't assign to 'const'");
        assert_eq!(err("{% macro m(a=1, b) %}{% endmacro %}").0, "non-default argument follows default argument");
        assert_eq!(err("{{ f(a=1, 2) }}").0, "invalid syntax for function call expression");
        assert_eq!(err("{{ (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1 }}").0, "template nested too deeply");
    }
}
