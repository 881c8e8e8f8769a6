//! Shell quoting. Written here rather than taken from a crate: `shell-escape`
//! and `shlex` leave "safe" strings bare and use bash-only forms for some input,
//! and a snippet must be the same text for every input, valid in POSIX sh.

/// Wraps `s` in POSIX single quotes; a `'` becomes `'\''` (XCU §2.2.2).
pub fn posix_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// A PowerShell verbatim string: `'…'` with every single quote doubled,
/// including the typographic ones PowerShell also treats as quotes (U+2018–U+201B).
pub fn powershell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        out.push(c);
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::{posix_quote, powershell_quote};

    #[test]
    fn powershell_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell_quote("it's"), "'it''s'");
        assert_eq!(
            powershell_quote("it\u{2019}s \u{2018}x\u{201B}"),
            "'it\u{2019}\u{2019}s \u{2018}\u{2018}x\u{201B}\u{201B}'"
        );
        assert_eq!(powershell_quote("$env:X `n"), "'$env:X `n'");
    }

    #[test]
    fn quotes_everything_literally() {
        assert_eq!(posix_quote("it's"), r"'it'\''s'");
        assert_eq!(posix_quote("$(rm -rf /) `x` \\ !"), r"'$(rm -rf /) `x` \ !'");
        assert_eq!(posix_quote(""), "''");
    }
}
