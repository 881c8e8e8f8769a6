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

#[cfg(test)]
mod tests {
    use super::posix_quote;

    #[test]
    fn quotes_everything_literally() {
        assert_eq!(posix_quote("it's"), r"'it'\''s'");
        assert_eq!(posix_quote("$(rm -rf /) `x` \\ !"), r"'$(rm -rf /) `x` \ !'");
        assert_eq!(posix_quote(""), "''");
    }
}
