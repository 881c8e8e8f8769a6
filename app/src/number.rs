//! How numbers read on the page and in messages, shared by the form and validation.

use serde_json::Number;

/// A number as people write it: `4`, not `4.0`. Goes through serde_json's
/// formatter so the wasm carries no second float formatter.
pub fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        (x as i64).to_string()
    } else {
        Number::from_f64(x).map(|n| n.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number_text(4.0), "4");
        assert_eq!(number_text(3.5), "3.5");
        assert_eq!(number_text(0.1), "0.1");
        assert_eq!(number_text(-2.0), "-2");
    }
}
