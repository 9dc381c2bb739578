//! Validated identifier newtypes.
//!
//! Every identifier is an immutable, reference-counted string: cloning one
//! is a pointer copy, so ids can be stored in many indexes without
//! reallocating. Construction checks the text once; after that an id is
//! known to be non-empty, at most [`MAX_ID_LEN`] bytes, trimmed and free of
//! control characters and of invisible formatting characters (zero-width
//! spaces, bidirectional overrides), so two ids that print alike are equal.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use crate::error::{CoreError, Result};

/// The longest identifier accepted, in bytes.
///
/// Amazon limits a seller SKU to 40 characters and order ids are 19; the
/// limit leaves room for synthetic event ids built from several columns
/// while still rejecting a whole line pasted into one field.
pub const MAX_ID_LEN: usize = 200;

/// Format characters (Unicode category Cf) that render as nothing: the
/// soft hyphen, the Arabic letter mark, the Mongolian vowel separator,
/// zero-width space, joiners and direction marks, bidirectional embeddings,
/// overrides and isolates, invisible operators and the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

fn validate(kind: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(CoreError::EmptyId { kind });
    }
    if text.len() > MAX_ID_LEN {
        return Err(CoreError::IdTooLong { kind, len: text.len(), max: MAX_ID_LEN });
    }
    if let Some((at, c)) = text.char_indices().find(|(_, c)| c.is_control()) {
        return Err(CoreError::IdControlChar {
            kind,
            value: text.to_owned(),
            code: u32::from(c),
            at,
        });
    }
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_invisible(c)) {
        return Err(CoreError::IdInvisibleChar {
            kind,
            value: text.to_owned(),
            code: u32::from(c),
            at,
        });
    }
    if text.trim() != text {
        return Err(CoreError::IdUntrimmed { kind, value: text.to_owned() });
    }
    Ok(())
}

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(try_from = "String", into = "String")
        )]
        pub struct $name(Arc<str>);

        impl $name {
            /// Builds the id after checking the text.
            ///
            /// # Errors
            ///
            /// [`CoreError::EmptyId`] when the text is empty or whitespace
            /// only, [`CoreError::IdTooLong`] past [`MAX_ID_LEN`] bytes,
            /// [`CoreError::IdControlChar`] for a control character,
            /// [`CoreError::IdInvisibleChar`] for an invisible formatting
            /// character and [`CoreError::IdUntrimmed`] for surrounding
            /// whitespace.
            pub fn new(text: impl AsRef<str>) -> Result<Self> {
                let text = text.as_ref();
                validate($kind, text)?;
                Ok(Self(Arc::from(text)))
            }

            /// The id as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = CoreError;

            fn from_str(s: &str) -> Result<Self> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CoreError;

            fn try_from(s: String) -> Result<Self> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = CoreError;

            fn try_from(s: &str) -> Result<Self> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.to_string()
            }
        }
    };
}

define_id!(
    /// A seller's stock-keeping unit, the key of almost everything.
    ///
    /// ```
    /// use merchantry_core::Sku;
    /// let sku = Sku::new("WIDGET-BLUE")?;
    /// assert_eq!(sku.as_str(), "WIDGET-BLUE");
    /// assert!(Sku::new("  ").is_err());
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    Sku,
    "sku"
);
define_id!(
    /// An Amazon Standard Identification Number (a catalogue listing).
    Asin,
    "asin"
);
define_id!(
    /// A fulfillment network SKU: Amazon's label id for one seller's units.
    Fnsku,
    "fnsku"
);
define_id!(
    /// A sales channel: Amazon FBA, Amazon FBM, a web store, Walmart, ...
    ChannelId,
    "channel"
);
define_id!(
    /// A node that holds stock: own warehouse, 3PL, FBA network, supplier,
    /// or a virtual in-transit location.
    LocationId,
    "location"
);
define_id!(
    /// A supplier or vendor.
    SupplierId,
    "supplier"
);
define_id!(
    /// A customer order.
    OrderId,
    "order"
);
define_id!(
    /// A purchase order or inbound shipment: one replenishment.
    PurchaseOrderId,
    "purchase order"
);
define_id!(
    /// The identity of one ledger event, used to make ingest idempotent.
    EventId,
    "event"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for text in ["A", "WIDGET-BLUE", "sku with inner space", "ß-ü-€"] {
            assert_eq!(Sku::new(text).map(|s| s.to_string()), Ok(text.to_owned()));
        }
    }

    #[test]
    fn rejects_empty_and_blank() {
        assert_eq!(Sku::new(""), Err(CoreError::EmptyId { kind: "sku" }));
        assert_eq!(LocationId::new(" \t "), Err(CoreError::EmptyId { kind: "location" }));
    }

    #[test]
    fn rejects_control_characters_with_position() {
        let err = Sku::new("AB\u{7}C").unwrap_err();
        assert_eq!(
            err,
            CoreError::IdControlChar { kind: "sku", value: "AB\u{7}C".into(), code: 7, at: 2 }
        );
        assert!(err.to_string().contains("U+0007 at byte 2"));
    }

    #[test]
    fn rejects_invisible_characters_that_would_make_look_alike_ids() {
        // "A1" with a zero-width space, a right-to-left override and a
        // byte-order mark would print as "A1" yet be a different SKU.
        for (text, code, at) in
            [("A\u{200B}1", 0x200B, 1), ("A1\u{202E}", 0x202E, 2), ("\u{FEFF}A1", 0xFEFF, 0)]
        {
            let err = Sku::new(text).unwrap_err();
            assert_eq!(
                err,
                CoreError::IdInvisibleChar { kind: "sku", value: text.into(), code, at }
            );
        }
        // Visible non-ASCII letters stay welcome.
        assert!(Sku::new("Küche-Mixer-ß").is_ok());
    }

    #[test]
    fn rejects_too_long_and_untrimmed() {
        let long = "x".repeat(MAX_ID_LEN + 1);
        assert!(matches!(Sku::new(&long), Err(CoreError::IdTooLong { len: 201, .. })));
        assert!(Sku::new("x".repeat(MAX_ID_LEN)).is_ok());
        assert!(matches!(Sku::new(" A"), Err(CoreError::IdUntrimmed { .. })));
    }

    #[test]
    fn clone_shares_storage() {
        let a = Sku::new("A").unwrap();
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.0, &b.0));
    }
}
