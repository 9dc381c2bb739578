//! Validated identifier newtypes.
//!
//! Every identifier is an immutable string of 24 bytes: text of up to 23
//! bytes (SKUs, order ids, ASINs, most event ids) is kept inline, longer
//! text behind a reference count. Building, cloning and dropping a short
//! id never touches the allocator, and cloning a long one is a count
//! increment, so ids can be stored in many indexes and passed by value
//! freely. Construction checks the text once; after that an id is
//! known to be non-empty, at most [`MAX_ID_LEN`] bytes, trimmed, and free
//! of control characters and of characters that print as nothing or as
//! blank space: every Unicode format character (category Cf: zero-width
//! spaces and joiners, direction marks, bidirectional overrides, the
//! byte-order mark, interlinear annotation marks, tags), every default
//! ignorable code point (variation selectors, the combining grapheme
//! joiner, Hangul fillers, Mongolian free variation selectors), the line
//! and paragraph separators, every whitespace character other than the
//! ASCII space (no-break, en, em, thin, ideographic spaces, ...), and the
//! two assigned symbols that print as an empty cell (the Braille pattern
//! blank and the musical null notehead). So an id cannot hide an
//! invisible difference from another among assigned characters; code
//! points not yet assigned by Unicode (outside the default ignorable
//! ranges) are accepted, since recognising them needs the Unicode tables
//! this crate does not carry.
//!
//! # Comparison is by code point, without normalisation
//!
//! Two ids are equal when their texts are the same sequence of code
//! points. The text is **not** Unicode-normalised: `"a\u{301}"` (a
//! followed by a combining acute accent) and `"á"` (one precomposed code
//! point) print alike yet are two different ids, and so are look-alike
//! letters from different scripts (Latin `a`, Cyrillic `а`). Callers whose
//! sources mix normalisation forms should normalise (to NFC, say) before
//! building ids; this crate keeps no Unicode tables to do it for them.
//!
//! ```
//! use merchantry_core::Sku;
//! assert!(Sku::new("MUG\u{200B}").is_err()); // zero-width space
//! assert!(Sku::new("MUG\u{00A0}BLUE").is_err()); // no-break space
//! assert!(Sku::new("MUG BLUE").is_ok()); // the ASCII space is fine inside
//! // Not normalised: the decomposed and precomposed forms differ.
//! assert_ne!(Sku::new("cafe\u{301}")?, Sku::new("caf\u{e9}")?);
//! # Ok::<(), merchantry_core::CoreError>(())
//! ```

use std::borrow::Borrow;
use std::fmt;

use smol_str::SmolStr;

use crate::error::{CoreError, Result};

/// The longest identifier accepted, in bytes.
///
/// Amazon limits a seller SKU to 40 characters and order ids are 19; the
/// limit leaves room for synthetic event ids built from several columns
/// while still rejecting a whole line pasted into one field.
pub const MAX_ID_LEN: usize = 200;

/// Whether `c` prints as nothing or as blank space, so that an id holding
/// it could pass for another: the union of
///
/// - every format character (general category Cf) as of Unicode 16;
/// - every default ignorable code point (the derived property
///   `Default_Ignorable_Code_Point`), assigned or not;
/// - the line and paragraph separators (categories Zl and Zp);
/// - every whitespace character other than the ASCII space;
/// - the two assigned graphic characters that print as an empty cell:
///   the Braille pattern blank (U+2800) and the musical null notehead
///   (U+1D159).
///
/// Control characters (Cc) are reported apart, before this is asked.
/// Unassigned code points outside the default ignorable ranges are
/// accepted: telling them apart needs the Unicode character tables, which
/// this crate does not carry.
fn is_invisible(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            // Cf and default ignorable, Latin-1 to Arabic.
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                // Hangul choseong and jungseong fillers.
                | '\u{115F}'..='\u{1160}'
                // Khmer inherent vowels.
                | '\u{17B4}'..='\u{17B5}'
                // Mongolian free variation selectors and vowel separator.
                | '\u{180B}'..='\u{180F}'
                // Zero-width space, joiners, marks; separators; embeddings
                // and overrides; word joiner, invisible operators,
                // isolates and deprecated format controls.
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                // Braille pattern blank: a character that prints as an
                // empty cell.
                | '\u{2800}'
                // Hangul filler.
                | '\u{3164}'
                // Variation selectors.
                | '\u{FE00}'..='\u{FE0F}'
                // Byte-order mark (zero-width no-break space).
                | '\u{FEFF}'
                // Halfwidth Hangul filler.
                | '\u{FFA0}'
                // Unassigned default ignorables; interlinear annotation.
                | '\u{FFF0}'..='\u{FFFB}'
                // Kaithi number signs.
                | '\u{110BD}'
                | '\u{110CD}'
                // Egyptian hieroglyph format controls.
                | '\u{13430}'..='\u{1343F}'
                // Shorthand format controls.
                | '\u{1BCA0}'..='\u{1BCA3}'
                // Musical symbol null notehead (prints as nothing) and the
                // beam and slur controls.
                | '\u{1D159}'
                | '\u{1D173}'..='\u{1D17A}'
                // Tags, variation selectors supplement and the rest of
                // the default ignorable plane-14 block.
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Whether every byte is printable ASCII, space to tilde, checked eight
/// bytes at a time: a byte below 0x20 borrows from its top bit when 0x20
/// is subtracted, and one above 0x7E sets it when 1 is added (a byte of
/// 0x80 or more has it set already). The tail is padded with letters.
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bad =
        |w: u64| (w.wrapping_sub(0x20 * ONES) & !w & HIGH) | ((w.wrapping_add(ONES) | w) & HIGH);
    let mut chunks = bytes.chunks_exact(8);
    let mut any = 0;
    for chunk in &mut chunks {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        any |= bad(u64::from_le_bytes(word));
    }
    let mut word = [b'A'; 8];
    let rest = chunks.remainder();
    if let Some(head) = word.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    any |= bad(u64::from_le_bytes(word));
    any == 0
}

fn validate(kind: &'static str, text: &str) -> Result<()> {
    // The common case, printable ASCII with no space at either end, in
    // one pass over the bytes; anything else takes the full checks below,
    // which also name what is wrong.
    let bytes = text.as_bytes();
    if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last())
        && bytes.len() <= MAX_ID_LEN
        && first != b' '
        && last != b' '
        && printable_ascii(bytes)
    {
        return Ok(());
    }
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

/// Whether two texts are the same, as ids compare them: texts of 4 to
/// 16 bytes (most ids) compare as their first and last four or eight
/// bytes, overlapping, in two loads each instead of a call to `memcmp`.
/// For code that keeps id text outside the id types (an arena of names,
/// say) and wants the same cost.
///
/// ```
/// use merchantry_core::id::same_text;
/// assert!(same_text("SKU-00042", "SKU-00042"));
/// assert!(!same_text("SKU-00042", "SKU-00043"));
/// assert!(!same_text("SKU-1", "SKU-10"));
/// ```
#[inline]
#[must_use]
pub fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] on bytes, for an arena that keeps id text as bytes.
///
/// ```
/// use merchantry_core::id::same_bytes;
/// assert!(same_bytes(b"111-0000042", b"111-0000042"));
/// assert!(!same_bytes(b"111-0000042", b"111-0000043"));
/// ```
#[inline]
#[must_use]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if let (Some(a0), Some(a1), Some(b0), Some(b1)) =
        (a.first_chunk::<8>(), a.last_chunk::<8>(), b.first_chunk::<8>(), b.last_chunk::<8>())
    {
        if a.len() <= 16 {
            return a0 == b0 && a1 == b1;
        }
    } else if let (Some(a0), Some(a1), Some(b0), Some(b1)) =
        (a.first_chunk::<4>(), a.last_chunk::<4>(), b.first_chunk::<4>(), b.last_chunk::<4>())
    {
        return a0 == b0 && a1 == b1;
    }
    a == b
}

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, Eq, PartialOrd, Ord)]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(try_from = "String", into = "String")
        )]
        pub struct $name(SmolStr);

        /// Equal texts are equal ids.
        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                same_text(&self.0, &other.0)
            }
        }

        /// Hashes as the text does (so a map keyed by ids can be
        /// queried with a `&str`).
        impl std::hash::Hash for $name {
            #[inline]
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.as_str().hash(state);
            }
        }

        impl $name {
            /// Builds the id after checking the text.
            ///
            /// # Errors
            ///
            /// [`CoreError::EmptyId`] when the text is empty or whitespace
            /// only, [`CoreError::IdTooLong`] past [`MAX_ID_LEN`] bytes,
            /// [`CoreError::IdControlChar`] for a control character,
            /// [`CoreError::IdInvisibleChar`] for a character that prints
            /// as nothing or as blank space (a format character, a
            /// default ignorable code point, a line or paragraph
            /// separator, whitespace other than the ASCII space; see the
            /// [module docs](crate::id)) and [`CoreError::IdUntrimmed`]
            /// for a leading or trailing ASCII space.
            pub fn new(text: impl AsRef<str>) -> Result<Self> {
                let text = text.as_ref();
                validate($kind, text)?;
                Ok(Self(SmolStr::new(text)))
            }

            /// The id as text.
            #[must_use]
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
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
    fn printable_ascii_agrees_with_a_byte_by_byte_check() {
        let naive = |b: &[u8]| b.iter().all(|c| (b' '..=b'~').contains(c));
        // Every byte value at every position of lengths around a word.
        for len in 1..=17 {
            for at in 0..len {
                for byte in 0..=u8::MAX {
                    let mut text = vec![b'x'; len];
                    text[at] = byte;
                    assert_eq!(printable_ascii(&text), naive(&text), "{byte:#x} at {at} of {len}");
                }
            }
        }
        assert!(printable_ascii(b""));
        assert!(printable_ascii(b" ~ 0123456789 abcdefghijklmnopqrstuvwxyz"));
    }

    proptest::proptest! {
        #[test]
        fn printable_ascii_law(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let naive = bytes.iter().all(|c| (b' '..=b'~').contains(c));
            proptest::prop_assert_eq!(printable_ascii(&bytes), naive);
        }

        /// The two-load comparison agrees with comparing every byte,
        /// also for texts that differ in one byte anywhere.
        #[test]
        fn same_text_law(
            a in proptest::collection::vec(b'a'..=b'c', 0..40),
            flip in proptest::num::usize::ANY,
            other in proptest::collection::vec(b'a'..=b'c', 0..40),
        ) {
            let mut b = a.clone();
            if let Some(len) = std::num::NonZeroUsize::new(b.len()) {
                let i = flip % len.get();
                b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            }
            proptest::prop_assert!(same_bytes(&a, &a));
            proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
            proptest::prop_assert_eq!(same_bytes(&a, &other), a == other);
        }
    }

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

    /// Every class the hostile tester found passing, one or more code
    /// points each, alone, inside and at the end of an id.
    #[test]
    fn rejects_fillers_selectors_tags_separators_and_unicode_spaces() {
        let found = [
            0x3164,  // Hangul filler
            0x2800,  // Braille pattern blank
            0x1D159, // musical symbol null notehead
            0x034F,  // combining grapheme joiner
            0x115F, 0x1160, // Hangul choseong and jungseong fillers
            0xFFA0, // halfwidth Hangul filler
            0xFE00, 0xFE0F, // variation selectors
            0xE0000, 0xE0001, 0xE0020, 0xE007F, // tags
            0xE0100, 0xE01EF, // variation selectors supplement
            0x1D173, 0x1D17A, // musical beam and slur controls
            0x180B, 0x180F, // Mongolian free variation selectors
            0x17B4, 0x17B5, // Khmer inherent vowels
            0x2028, 0x2029, // line and paragraph separators
            0x00A0, 0x1680, 0x2000, 0x2005, 0x200A, 0x202F, 0x205F, 0x3000, // spaces
            0x0600, 0x06DD, 0x070F, 0x0890, 0x08E2, 0xFFF9, 0xFFFB, // other Cf
            0x110BD, 0x13430, 0x1343F, 0x1BCA0, 0x1BCA3, // supplementary Cf
        ];
        for code in found {
            let c = char::from_u32(code).unwrap();
            for (text, at) in [(format!("{c}"), 0), (format!("A{c}1"), 1), (format!("A1{c}"), 2)] {
                let err = Sku::new(&text).unwrap_err();
                // A lone space-like character is blank; otherwise the
                // character is named with its offset.
                if text.trim().is_empty() {
                    assert_eq!(err, CoreError::EmptyId { kind: "sku" }, "U+{code:04X}");
                } else {
                    assert_eq!(
                        err,
                        CoreError::IdInvisibleChar { kind: "sku", value: text.clone(), code, at },
                        "U+{code:04X}"
                    );
                }
            }
        }
        // Controls keep their own error, whitespace or not.
        assert!(matches!(Sku::new("A\u{85}B"), Err(CoreError::IdControlChar { code: 0x85, .. })));
        assert!(matches!(Sku::new("A\tB"), Err(CoreError::IdControlChar { code: 9, .. })));
        // Neighbours of the refused ranges are ordinary visible text.
        for ok in ["A\u{2027}B", "A\u{3165}B", "A\u{FE10}B", "A\u{1D172}B", "A\u{17B6}B"] {
            assert!(Sku::new(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn ids_compare_by_code_point_without_normalising() {
        // "é" decomposed (e + combining acute) and precomposed print alike
        // but are different ids, as the module docs say.
        let decomposed = Sku::new("CAFE\u{301}").unwrap();
        let precomposed = Sku::new("CAF\u{C9}").unwrap();
        assert_ne!(decomposed, precomposed);
    }

    #[test]
    fn rejects_too_long_and_untrimmed() {
        let long = "x".repeat(MAX_ID_LEN + 1);
        assert!(matches!(Sku::new(&long), Err(CoreError::IdTooLong { len: 201, .. })));
        assert!(Sku::new("x".repeat(MAX_ID_LEN)).is_ok());
        assert!(matches!(Sku::new(" A"), Err(CoreError::IdUntrimmed { .. })));
    }

    #[test]
    fn short_ids_are_inline_and_long_ones_share_their_text() {
        let short = Sku::new("x".repeat(23)).unwrap();
        assert!(!short.0.is_heap_allocated());
        let long = Sku::new("x".repeat(24)).unwrap();
        assert!(long.0.is_heap_allocated());
        let copy = long.clone();
        assert_eq!(copy.as_str().as_ptr(), long.as_str().as_ptr());
        assert_eq!((short.clone(), copy), (short, long));
    }

    #[test]
    fn ids_are_equal_by_text_and_hash_as_their_text() {
        use std::collections::HashSet;
        let (a, b) = (Sku::new("MUG-1").unwrap(), Sku::new("MUG-1").unwrap());
        assert_eq!(a, b);
        assert_eq!(a, a.clone());
        assert_ne!(a, Sku::new("MUG-2").unwrap());
        let set: HashSet<Sku> = [a].into_iter().collect();
        assert!(set.contains("MUG-1"));
        assert!(set.contains(&b));
    }
}
