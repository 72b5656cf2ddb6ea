//! PyYAML's YAML 1.1 implicit resolvers, the regexes of `yaml/resolver.py`
//! written out by hand: which tag a plain scalar gets (`yes` is a bool, `0644`
//! an int, `1e3` a string, ...). Also used by the dumper to decide whether a
//! string must be quoted so that it reads back as a string.
//! It must not build values: constructing them is construct.rs's job.

/// The tags a scalar can resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Implicit {
    Bool,
    Float,
    Int,
    Merge,
    Null,
    Timestamp,
    Value,
    Str,
}

impl Implicit {
    pub fn tag(self) -> &'static str {
        match self {
            Implicit::Bool => "tag:yaml.org,2002:bool",
            Implicit::Float => "tag:yaml.org,2002:float",
            Implicit::Int => "tag:yaml.org,2002:int",
            Implicit::Merge => "tag:yaml.org,2002:merge",
            Implicit::Null => "tag:yaml.org,2002:null",
            Implicit::Timestamp => "tag:yaml.org,2002:timestamp",
            Implicit::Value => "tag:yaml.org,2002:value",
            Implicit::Str => "tag:yaml.org,2002:str",
        }
    }
}

/// A resolver: its regex (as a function) and the tag it gives.
type Check = (fn(&str) -> bool, Implicit);

/// `Resolver.resolve(ScalarNode, value, (True, _))`: the first implicit
/// resolver whose regex matches, in PyYAML's registration order.
pub(crate) fn resolve_plain(value: &str) -> Implicit {
    if value.is_empty() {
        return Implicit::Null;
    }
    // Python's `$` also matches just before a final newline; a lone "\n"
    // has no resolver for its first character.
    let v = value.strip_suffix('\n').unwrap_or(value);
    if v.is_empty() {
        return Implicit::Str;
    }
    let checks: [Check; 7] = [
        (is_bool, Implicit::Bool),
        (is_float, Implicit::Float),
        (is_int, Implicit::Int),
        (|s| s == "<<", Implicit::Merge),
        (is_null, Implicit::Null),
        (is_timestamp, Implicit::Timestamp),
        (|s| s == "=", Implicit::Value),
    ];
    checks
        .iter()
        .find(|(check, _)| check(v))
        .map_or(Implicit::Str, |&(_, tag)| tag)
}

fn is_bool(s: &str) -> bool {
    matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
}

/// A tiny cursor over ASCII bytes for the hand-written regexes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Cur<'a> {
        Cur {
            b: s.as_bytes(),
            i: 0,
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.peek() {
            Some(c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.b[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            return true;
        }
        false
    }
    /// Zero or more bytes matching `f`; how many were eaten.
    fn many(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat(&f) {}
        self.i - start
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    fn sign(&mut self) {
        self.eat(|c| c == b'+' || c == b'-');
    }
}

fn digit(c: u8) -> bool {
    c.is_ascii_digit()
}
fn digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

/// `(?::[0-5]?[0-9])+`
fn sexagesimal_tail(c: &mut Cur) -> bool {
    let mut n = 0;
    while c.eat(|x| x == b':') {
        let first = c.eat(digit);
        let second = c.eat(digit);
        // `[0-5]?[0-9]`: one digit, or two starting with 0-5.
        if !first || (second && c.b[c.i - 2] > b'5') {
            return false;
        }
        n += 1;
    }
    n > 0
}

/// `[eE][-+][0-9]+`, optional.
fn exponent(c: &mut Cur) -> bool {
    if !c.eat(|x| x == b'e' || x == b'E') {
        return true;
    }
    c.eat(|x| x == b'+' || x == b'-') && c.many(digit) > 0
}

fn is_float(s: &str) -> bool {
    let alternatives: [fn(&mut Cur) -> bool; 5] = [
        |c| {
            c.sign();
            c.eat(digit)
                && {
                    c.many(digit_);
                    c.eat(|x| x == b'.')
                }
                && {
                    c.many(digit_);
                    exponent(c)
                }
        },
        |c| {
            c.eat(|x| x == b'.') && c.eat(digit) && {
                c.many(digit_);
                exponent(c)
            }
        },
        |c| {
            c.sign();
            c.eat(digit)
                && {
                    c.many(digit_);
                    sexagesimal_tail(c)
                }
                && c.eat(|x| x == b'.')
                && {
                    c.many(digit_);
                    true
                }
        },
        |c| {
            c.sign();
            c.eat_str(".inf") || c.eat_str(".Inf") || c.eat_str(".INF")
        },
        |c| c.eat_str(".nan") || c.eat_str(".NaN") || c.eat_str(".NAN"),
    ];
    full_match(s, &alternatives)
}

fn is_int(s: &str) -> bool {
    let alternatives: [fn(&mut Cur) -> bool; 5] = [
        |c| {
            c.sign();
            c.eat_str("0b") && c.many(|x| x == b'0' || x == b'1' || x == b'_') > 0
        },
        |c| {
            c.sign();
            c.eat(|x| x == b'0') && c.many(|x| (b'0'..=b'7').contains(&x) || x == b'_') > 0
        },
        |c| {
            c.sign();
            c.eat(|x| x == b'0')
                || (c.eat(|x| (b'1'..=b'9').contains(&x)) && {
                    c.many(digit_);
                    true
                })
        },
        |c| {
            c.sign();
            c.eat_str("0x") && c.many(|x| x.is_ascii_hexdigit() || x == b'_') > 0
        },
        |c| {
            c.sign();
            c.eat(|x| (b'1'..=b'9').contains(&x)) && {
                c.many(digit_);
                sexagesimal_tail(c)
            }
        },
    ];
    full_match(s, &alternatives)
}

fn is_timestamp(s: &str) -> bool {
    let alternatives: [fn(&mut Cur) -> bool; 2] = [
        |c| {
            (0..4).all(|_| c.eat(digit))
                && c.eat(|x| x == b'-')
                && c.eat(digit)
                && c.eat(digit)
                && c.eat(|x| x == b'-')
                && c.eat(digit)
                && c.eat(digit)
        },
        timestamp_long,
    ];
    full_match(s, &alternatives)
}

/// `YYYY-M?M-D?D(T|[ \t]+)H?H:MM:SS(.frac)?([ \t]*(Z|[-+]H?H(:MM)?))?`
fn timestamp_long(c: &mut Cur) -> bool {
    let blank = |x: u8| x == b' ' || x == b'\t';
    let one_or_two = |c: &mut Cur| {
        c.eat(digit) && {
            c.eat(digit);
            true
        }
    };
    let date = (0..4).all(|_| c.eat(digit))
        && c.eat(|x| x == b'-')
        && one_or_two(c)
        && c.eat(|x| x == b'-')
        && one_or_two(c);
    let sep = date && (c.eat(|x| x == b'T' || x == b't') || c.many(blank) > 0);
    let time = sep
        && one_or_two(c)
        && c.eat(|x| x == b':')
        && c.eat(digit)
        && c.eat(digit)
        && c.eat(|x| x == b':')
        && c.eat(digit)
        && c.eat(digit);
    if !time {
        return false;
    }
    if c.eat(|x| x == b'.') {
        c.many(digit);
    }
    let before_zone = c.i;
    c.many(blank);
    let zone = c.eat(|x| x == b'Z')
        || (c.eat(|x| x == b'+' || x == b'-') && one_or_two(c) && {
            let save = c.i;
            if !(c.eat(|x| x == b':') && c.eat(digit) && c.eat(digit)) {
                c.i = save;
            }
            true
        });
    if !zone {
        c.i = before_zone;
    }
    true
}

/// Whether one alternative consumes the whole string. The alternatives are
/// written greedily; none of PyYAML's needs backtracking inside itself
/// except the optional zone of a timestamp, handled there.
fn full_match(s: &str, alternatives: &[fn(&mut Cur) -> bool]) -> bool {
    alternatives.iter().any(|alt| {
        let mut c = Cur::new(s);
        alt(&mut c) && c.done()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Implicit::*;

    fn check(cases: &[(&str, Implicit)]) {
        for (s, want) in cases {
            assert_eq!(resolve_plain(s), *want, "{s:?}");
        }
    }

    #[test]
    fn bools_are_yaml_1_1() {
        check(&[
            ("yes", Bool),
            ("Yes", Bool),
            ("YES", Bool),
            ("on", Bool),
            ("OFF", Bool),
            ("True", Bool),
        ]);
        check(&[("y", Str), ("n", Str), ("yEs", Str), ("tRue", Str)]);
    }

    #[test]
    fn nulls() {
        check(&[
            ("", Null),
            ("~", Null),
            ("null", Null),
            ("Null", Null),
            ("NULL", Null),
            ("None", Str),
            ("nULL", Str),
        ]);
    }

    #[test]
    fn ints() {
        check(&[
            ("0", Int),
            ("-0", Int),
            ("+7", Int),
            ("0644", Int),
            ("010", Int),
            ("0_", Int),
            ("1_000", Int),
        ]);
        check(&[
            ("0x1F", Int),
            ("-0x_1", Int),
            ("0b101", Int),
            ("0b_", Int),
            ("1:20", Int),
            ("1:5:59", Int),
        ]);
        check(&[
            ("08", Str),
            ("0o644", Str),
            ("0x", Str),
            ("0b", Str),
            ("1:60", Str),
            ("00:1", Str),
            ("_1", Str),
        ]);
        check(&[("1:2:", Str), ("--1", Str), ("1e3", Str), ("1E3", Str)]);
    }

    #[test]
    fn floats() {
        check(&[
            ("1.0", Float),
            ("1.", Float),
            ("1._", Float),
            (".5", Float),
            ("1.e+5", Float),
            ("1.0e+3", Float),
        ]);
        check(&[
            ("1.5E-3", Float),
            ("190:20:30.15", Float),
            ("0:30.", Float),
            (".inf", Float),
            ("-.Inf", Float),
        ]);
        check(&[
            ("+.INF", Float),
            (".nan", Float),
            (".NaN", Float),
            ("1.10", Float),
        ]);
        check(&[
            ("1.5e3", Str),
            ("1e+3", Str),
            ("+.5", Str),
            ("-.nan", Str),
            (".", Str),
            ("._", Str),
            ("1.10.2", Str),
        ]);
        check(&[(".Nan", Str), ("1.0e3", Str), ("1:2.5e+1", Str)]);
    }

    #[test]
    fn timestamps_and_specials() {
        check(&[
            ("2024-01-15", Timestamp),
            ("2024-01-15 10:20:30", Timestamp),
            ("2024-01-15T10:20:30Z", Timestamp),
        ]);
        check(&[
            ("2024-1-5t1:20:30.5 +01:00", Timestamp),
            ("2024-01-15 10:20:30 -5", Timestamp),
        ]);
        check(&[
            ("2024-1-5", Str),
            ("2024-01-15 10:20", Str),
            ("2024-01-15T10:20:30 Z ", Str),
        ]);
        check(&[("<<", Merge), ("=", Value), ("<", Str), ("==", Str)]);
    }

    #[test]
    fn a_final_newline_is_ignored_like_python_dollar() {
        check(&[("yes\n", Bool), ("12\n", Int), ("12\n\n", Str), ("\n", Str)]);
    }
}
