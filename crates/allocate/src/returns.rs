//! Return ids and what an idempotent return did.

use std::fmt;
use std::str::FromStr;

use merchantry_core::{CoreError, EventId};

use crate::changes::Changes;
use crate::error::{AllocError, Result};

/// The identity of one customer return, as the marketplace's return
/// report gives it (a return id, an RMA number, a refund id): the key
/// that makes [`Allocator::return_units_once`](crate::Allocator::return_units_once)
/// idempotent.
///
/// The text follows the rules of every id in `merchantry-core`: not
/// empty, at most [`MAX_ID_LEN`](merchantry_core::id::MAX_ID_LEN) bytes,
/// no control or invisible characters, no space at either end.
///
/// ```
/// use merchantry_allocate::ReturnId;
///
/// let id = ReturnId::new("RMA-2026-0042")?;
/// assert_eq!(id.as_str(), "RMA-2026-0042");
/// assert!(ReturnId::new(" ").is_err());
/// # Ok::<(), merchantry_allocate::AllocError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ReturnId(EventId);

/// Read as its text and checked by [`ReturnId::new`], so a bad id in a
/// snapshot is named as a return id (not as the event id it wraps).
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ReturnId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::new(text).map_err(serde::de::Error::custom)
    }
}

impl ReturnId {
    /// Builds the id after checking the text.
    ///
    /// # Errors
    ///
    /// [`AllocError::Core`] when the text breaks an id rule; the error
    /// names the id kind `return`.
    pub fn new(text: impl AsRef<str>) -> Result<Self> {
        EventId::new(text).map(Self).map_err(|e| AllocError::Core(relabel(e)))
    }

    /// The id's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A core id error about an event id, told as one about a return id.
fn relabel(e: CoreError) -> CoreError {
    const KIND: &str = "return";
    match e {
        CoreError::EmptyId { .. } => CoreError::EmptyId { kind: KIND },
        CoreError::IdTooLong { len, max, .. } => CoreError::IdTooLong { kind: KIND, len, max },
        CoreError::IdControlChar { value, code, at, .. } => {
            CoreError::IdControlChar { kind: KIND, value, code, at }
        }
        CoreError::IdInvisibleChar { value, code, at, .. } => {
            CoreError::IdInvisibleChar { kind: KIND, value, code, at }
        }
        CoreError::IdUntrimmed { value, .. } => CoreError::IdUntrimmed { kind: KIND, value },
        other => other,
    }
}

impl fmt::Display for ReturnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ReturnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReturnId({:?})", self.as_str())
    }
}

impl FromStr for ReturnId {
    type Err = AllocError;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

/// What [`Allocator::return_units_once`](crate::Allocator::return_units_once)
/// did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReturnOutcome {
    /// Channels whose advertised quantity changed (empty for a
    /// duplicate).
    pub changes: Changes,
    /// The return id was recorded before with the same content: the call
    /// was a repeat and changed nothing.
    pub duplicate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "serde")]
    #[test]
    fn a_bad_return_id_read_by_serde_is_named_as_a_return_id() {
        let id: ReturnId = serde_json::from_str("\"RMA-1\"").unwrap();
        assert_eq!(id.as_str(), "RMA-1");
        let err = serde_json::from_str::<ReturnId>("\"bad id \"").unwrap_err().to_string();
        assert!(err.contains("return id") && !err.contains("event"), "{err}");
    }

    #[test]
    fn a_bad_return_id_is_named_as_a_return_id() {
        let err = ReturnId::new("").unwrap_err();
        assert_eq!(err, AllocError::Core(CoreError::EmptyId { kind: "return" }));
        let err = ReturnId::new(" R-1").unwrap_err();
        assert!(err.to_string().contains("return"), "{err}");
        assert!(matches!(err, AllocError::Core(CoreError::IdUntrimmed { kind: "return", .. })));
        let id: ReturnId = "R-1".parse().unwrap();
        assert_eq!((id.to_string(), format!("{id:?}")), ("R-1".into(), "ReturnId(\"R-1\")".into()));
    }
}
