//! Why an answer could not be read: shared by the wire types and the browser's decoder.

/// An answer that does not decode as the wire type expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON at all (an empty body, a proxy's HTML or plain-text page).
    NotJson,
    /// JSON, but not in the shape of the wire type: what serde found wrong.
    Shape(String),
}
