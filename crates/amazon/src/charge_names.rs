//! How an Amazon amount name becomes a [`ChargeKind`].
//!
//! Two steps, so that one word inside another can never decide a kind
//! (`damaged` contains `aged`, `replacement` contains `placement`):
//!
//! 1. The whole name, with case, spaces and punctuation ignored, is looked
//!    up in [`EXACT`]: the names Amazon writes in settlement
//!    `amount-description` / `*-fee-type` cells and in the reimbursement
//!    report's `reason` column.
//! 2. Otherwise the name is cut into words (at spaces, punctuation, digit
//!    runs and camel-case humps; a trailing `fee` / `fees` is cut off a
//!    run-together word) and [`by_words`] matches whole words only, in a
//!    fixed order: taxes, then anything that says inventory was lost,
//!    damaged, missing or paid back (income, never a fee), then the fees.

use crate::parse::header_key;
use crate::settlement::ChargeKind;

/// Names matched whole (after [`header_key`]), with their kind.
const EXACT: &[(&str, ChargeKind)] = &[
    // What the customer paid.
    ("principal", ChargeKind::Principal),
    ("itemprice", ChargeKind::Principal),
    ("shipping", ChargeKind::ShippingCharge),
    ("shippingcharge", ChargeKind::ShippingCharge),
    // FBA takes the shipping credit back: it nets against the charge.
    ("shippingchargeback", ChargeKind::ShippingCharge),
    ("giftwrap", ChargeKind::GiftWrapCharge),
    ("giftwrapcharge", ChargeKind::GiftWrapCharge),
    ("giftwrapchargeback", ChargeKind::GiftWrapCharge),
    // Fees named by Amazon's own product names.
    ("commission", ChargeKind::ReferralFee),
    ("referralfee", ChargeKind::ReferralFee),
    ("variableclosingfee", ChargeKind::ReferralFee),
    ("fixedclosingfee", ChargeKind::ReferralFee),
    ("refundcommission", ChargeKind::ReturnsFee),
    ("returnshipping", ChargeKind::ReturnsFee),
    ("restockingfee", ChargeKind::ReturnsFee),
    ("fbacustomerreturnperunitfee", ChargeKind::ReturnsFee),
    ("fbacustomerreturnfee", ChargeKind::ReturnsFee),
    ("subscription", ChargeKind::AccountFee),
    ("subscriptionfee", ChargeKind::AccountFee),
    ("fbainboundconveniencefee", ChargeKind::InboundFee),
    ("costofadvertising", ChargeKind::Advertising),
    // Amazon's unplanned prep charges name the defect they fixed; the
    // defect word ("missing") must not make them income.
    ("unplannedservicefeebarcodelabelmissing", ChargeKind::PrepFee),
    ("unplannedservicefeelabelmissing", ChargeKind::PrepFee),
    // A fee for collecting tax, not a tax: carried by name.
    ("salestaxcollectionfee", ChargeKind::Unknown),
    // Reimbursements and their reversals, as the settlement's
    // `amount-description` and the reimbursement report's `reason` name
    // them. The reversals are negative amounts of the same kind.
    ("warehouselost", ChargeKind::Reimbursement),
    ("warehouselostmanual", ChargeKind::Reimbursement),
    ("warehousedamage", ChargeKind::Reimbursement),
    ("warehousedamaged", ChargeKind::Reimbursement),
    ("warehousedamageexception", ChargeKind::Reimbursement),
    ("lostwarehouse", ChargeKind::Reimbursement),
    ("damagedwarehouse", ChargeKind::Reimbursement),
    ("lostinbound", ChargeKind::Reimbursement),
    ("damagedinbound", ChargeKind::Reimbursement),
    ("lostoutbound", ChargeKind::Reimbursement),
    ("damagedoutbound", ChargeKind::Reimbursement),
    ("missingfrominbound", ChargeKind::Reimbursement),
    ("missingfrominboundclawback", ChargeKind::Reimbursement),
    ("removalorderlost", ChargeKind::Reimbursement),
    ("removalorderdamaged", ChargeKind::Reimbursement),
    ("reversalreimbursement", ChargeKind::Reimbursement),
    ("reimbursementreversal", ChargeKind::Reimbursement),
    ("compensatedclawback", ChargeKind::Reimbursement),
    ("freereplacementrefunditems", ChargeKind::Reimbursement),
    ("incorrectfeesitems", ChargeKind::Reimbursement),
    ("incorrectfeesnonitemized", ChargeKind::Reimbursement),
    ("feecorrection", ChargeKind::Reimbursement),
    ("cserroritems", ChargeKind::Reimbursement),
    ("cserroritemslost", ChargeKind::Reimbursement),
    ("customerserviceissue", ChargeKind::Reimbursement),
    ("reevaluation", ChargeKind::Reimbursement),
    ("customerreturn", ChargeKind::Reimbursement),
    ("generaladjustment", ChargeKind::Reimbursement),
    ("fbainventoryreimbursement", ChargeKind::Reimbursement),
    // Adjustment types of the Finances API that reach settlement files.
    ("lostordamagedreimbursement", ChargeKind::Reimbursement),
    ("canceledbutpickedupreimbursement", ChargeKind::Reimbursement),
    ("reimbursementclawback", ChargeKind::Reimbursement),
];

/// Words that say inventory was lost, damaged or missing, or that Amazon
/// paid (or took back) compensation for it. A name with one of them is a
/// [`ChargeKind::Reimbursement`] unless it is a tax.
pub(crate) const REIMBURSEMENT_WORDS: &[&str] = &[
    "reimbursement",
    "reimbursements",
    "reimbursed",
    "reimburse",
    "clawback",
    "lost",
    "damage",
    "damaged",
    "missing",
    "compensated",
    "compensation",
];

/// Classifies `name`; see the module docs for the two steps.
pub(crate) fn classify(name: &str) -> ChargeKind {
    let key = header_key(name.as_bytes());
    if let Some((_, kind)) = EXACT.iter().find(|(exact, _)| *exact == key) {
        return *kind;
    }
    by_words(&Words(words(name)))
}

/// The words of a name, lower-cased.
struct Words(Vec<String>);

impl Words {
    fn has(&self, word: &str) -> bool {
        self.0.iter().any(|w| w == word)
    }

    fn any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.has(w))
    }

    /// Whether `first` is directly followed by `second`.
    fn pair(&self, first: &str, second: &str) -> bool {
        self.0.windows(2).any(|w| matches!(w, [a, b] if a == first && b == second))
    }
}

/// The word rules, first match wins.
fn by_words(w: &Words) -> ChargeKind {
    let fee = w.any(&["fee", "fees", "surcharge", "charge"]);
    if w.any(&["tax", "taxes", "vat", "gst", "hst", "pst", "qst"]) {
        ChargeKind::Tax
    } else if w.any(REIMBURSEMENT_WORDS) {
        ChargeKind::Reimbursement
    } else if w.pair("long", "term") || w.any(&["aged", "aging", "ageing", "longterm"]) {
        ChargeKind::AgedInventoryFee
    } else if w.has("storage") {
        ChargeKind::StorageFee
    } else if w.any(&["inbound", "placement"]) {
        ChargeKind::InboundFee
    } else if w.any(&["prep", "label", "labeling", "labelling", "bagging", "polybagging", "taping"])
    {
        ChargeKind::PrepFee
    } else if w.any(&["removal", "disposal"]) {
        ChargeKind::RemovalFee
    } else if (fee && w.any(&["return", "returns"])) || w.pair("refund", "commission") {
        ChargeKind::ReturnsFee
    } else if w.any(&["fulfillment", "fulfilment"])
        || w.pair("weight", "based")
        || w.pair("pick", "pack")
    {
        ChargeKind::FulfillmentFee
    } else if w.any(&["commission", "referral"]) {
        ChargeKind::ReferralFee
    } else if w.any(&["advertising", "advertisement", "advertisements", "sponsored"]) {
        ChargeKind::Advertising
    } else if w.any(&["promotion", "promotions", "promo", "discount", "rebate"]) {
        ChargeKind::Promotion
    } else if w.has("subscription") {
        ChargeKind::AccountFee
    } else {
        ChargeKind::Unknown
    }
}

/// Cuts `name` into lower-case words: at every character that is not an
/// ASCII letter or digit, between letters and digits, before an upper-case
/// letter that follows a lower-case one (`PerUnit`), and before the last
/// capital of a capital run followed by a lower-case letter (`FBAPer`). A
/// run-together word ending in `fee` or `fees` (`storagefee`) gives the
/// ending as a word of its own.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            flush(&mut out, &mut current);
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let cut = prev.is_some_and(|p| {
            (p.is_ascii_digit() != c.is_ascii_digit() && p.is_ascii_alphanumeric())
                || (c.is_ascii_uppercase() && p.is_ascii_lowercase())
                || (c.is_ascii_uppercase()
                    && p.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()))
        });
        if cut {
            flush(&mut out, &mut current);
        }
        current.push(c.to_ascii_lowercase());
    }
    flush(&mut out, &mut current);
    out
}

fn flush(out: &mut Vec<String>, current: &mut String) {
    if current.is_empty() {
        return;
    }
    let word = std::mem::take(current);
    for ending in ["fees", "fee"] {
        if let Some(stem) = word.strip_suffix(ending).filter(|s| s.len() > 2) {
            out.push(stem.to_owned());
            out.push(ending.to_owned());
            return;
        }
    }
    out.push(word);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_cut_at_humps_punctuation_and_fee_endings() {
        let cases: [(&str, &[&str]); 6] = [
            ("FBAPerUnitFulfillmentFee", &["fba", "per", "unit", "fulfillment", "fee"]),
            ("WAREHOUSE_DAMAGED", &["warehouse", "damaged"]),
            ("Damaged:Warehouse", &["damaged", "warehouse"]),
            (
                "MarketplaceFacilitatorVAT-Principal",
                &["marketplace", "facilitator", "vat", "principal"],
            ),
            ("storagefee", &["storage", "fee"]),
            ("NewFee2027", &["new", "fee", "2027"]),
        ];
        for (name, want) in cases {
            assert_eq!(words(name), want, "{name}");
        }
    }

    #[test]
    fn every_exact_name_is_a_header_key() {
        // A key with an upper-case letter or punctuation could never match.
        for (key, _) in EXACT {
            assert_eq!(header_key(key.as_bytes()), *key);
        }
    }
}
