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
//!    fixed order: taxes, then names that say they are a reimbursement
//!    (and do not say they are a fee), then payout reserves (`reserve`
//!    without a fee word), then balance moves (`payable`,
//!    `disbursement`, `balance`, `debt recovery`, or a card charge such
//!    as `Failed charge`, without a fee, fees or surcharge word and
//!    without words that name a fee), then the fees.
//!
//! Income is claimed narrowly. A name is a [`ChargeKind::Reimbursement`]
//! only when it is one of Amazon's own reimbursement names (`EXACT`), when
//! it says so in words (`reimbursement`, `clawback`, `compensated`, ...),
//! or when the column or amount type it sits under says so
//! ([`classify_under`]). Words that only say inventory was lost, damaged
//! or missing decide nothing: fees are named after such defects too. And
//! a name that has the word fee, fees, charge or surcharge in it is never
//! income by its words nor by its column; the one way in is Amazon's own
//! reimbursement names, none of which ends in such a word
//! (`INCORRECT_FEES_ITEMS` pays wrongly charged fees back).

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
    // The digital services fee Amazon adds to its own fees where a
    // digital services tax applies: a share of the fees on the order line
    // (`DigitalServicesFee`, next to `Commission`) or of the FBA fee
    // (`DigitalServicesFeeFBA`). It goes with the fee it is levied on.
    ("digitalservicesfee", ChargeKind::ReferralFee),
    ("digitalservicesfeefba", ChargeKind::FulfillmentFee),
    // FBA's low-inventory-level fee, charged per unit shipped beside the
    // fulfillment fee when a SKU's stock runs low against its sales.
    ("lowinventorylevelfee", ChargeKind::FulfillmentFee),
    // Amazon's marketing programmes other than ads.
    ("vinefee", ChargeKind::MarketingFee),
    ("vineenrollmentfee", ChargeKind::MarketingFee),
    ("lightningdealfee", ChargeKind::MarketingFee),
    ("runlightningdealfee", ChargeKind::MarketingFee),
    ("couponredemptionfee", ChargeKind::MarketingFee),
    // Parts of a fee whose name is the row's amount type (`Amazon Fees` /
    // `Vine Enrollment Fee` / `Discount on fee`): they say nothing alone,
    // so the amount type names the fee. Tax on a fee is a tax (below).
    ("basefee", ChargeKind::Unknown),
    ("discountonfee", ChargeKind::Unknown),
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
    ("inboundcarrierdamage", ChargeKind::Reimbursement),
    ("multichannelorderlost", ChargeKind::Reimbursement),
    // The Finances API's charge type for a SAFE-T claim paid.
    ("safetreimbursement", ChargeKind::Reimbursement),
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
    // The payout reserve: held back from this settlement, released from
    // the previous one. Neither revenue nor a fee.
    ("currentreserveamount", ChargeKind::ReserveTransfer),
    ("previousreserveamountbalance", ChargeKind::ReserveTransfer),
    // Balance moves: a negative balance carried as owed to Amazon, and
    // the seller's card charged to pay it (the two often cancel out in
    // one settlement). `charge` here is a card charge, not a fee.
    ("payabletoamazon", ChargeKind::BalanceTransfer),
    ("successfulcharge", ChargeKind::BalanceTransfer),
    // Other spellings (`Successful charges`, `Card charge`, `Failed
    // charge`, `Debt recovery`) are balance moves by their words.
];

/// Words that say Amazon paid compensation, or took it back. A name with
/// one of them is a [`ChargeKind::Reimbursement`] unless it is a tax or
/// says it is a fee. `lost`, `damaged` and `missing` are not among them:
/// they name the defect, and Amazon names fees after defects too.
pub(crate) const REIMBURSEMENT_WORDS: &[&str] = &[
    "reimbursement",
    "reimbursements",
    "reimbursed",
    "reimburse",
    "clawback",
    "compensated",
    "compensation",
];

/// Words by which a name says it is a fee or a charge.
const FEE_WORDS: &[&str] = &["fee", "fees", "surcharge", "charge", "charges"];

/// Words of a tax name. The Indian GST parts and the taxes collected or
/// deducted at source (`TCS-CGST`, `TDS - Section 194-O`) are taxes the
/// marketplace withholds, booked as every other tax line.
const TAX_WORDS: &[&str] = &[
    "tax", "taxes", "vat", "gst", "hst", "pst", "qst", "cgst", "sgst", "igst", "utgst", "tcs",
    "tds",
];

/// Words of a customer promotion (without a fee word) or, with a fee
/// word, of a marketing programme's fee.
const PROMOTION_WORDS: &[&str] = &["promotion", "promotions", "promo", "discount", "rebate"];
const PROGRAMME_WORDS: &[&str] = &["deal", "deals", "lightning", "coupon", "coupons", "vine"];

/// Classifies `name`; see the module docs for the two steps.
pub(crate) fn classify(name: &str) -> ChargeKind {
    let key = header_key(name.as_bytes());
    if let Some((_, kind)) = EXACT.iter().find(|(exact, _)| *exact == key) {
        return *kind;
    }
    by_words(&Words(words(name)))
}

/// Classifies `name` found under a column or amount type of kind
/// `column`: a promotion, reimbursement or tax column decides the kind of
/// every amount in it (a V2 `Promotion` row's description only says what
/// was discounted: `Principal`, `Shipping`), unless the name says it is a
/// fee. Under any other column the name decides.
pub(crate) fn classify_under(column: ChargeKind, name: &str) -> ChargeKind {
    if column_decides(column) && !says_fee(name) { column } else { classify(name) }
}

/// Whether a column or amount type of this kind decides the kind of the
/// amounts under it: promotion, reimbursement and tax do. A fee name under
/// one of them that the crate does not know stays unknown, never takes
/// the column's kind.
pub(crate) const fn column_decides(column: ChargeKind) -> bool {
    matches!(column, ChargeKind::Promotion | ChargeKind::Reimbursement | ChargeKind::Tax)
}

/// Whether `name` calls itself a fee or a charge (a whole word: not
/// `Chargeback`).
pub(crate) fn says_fee(name: &str) -> bool {
    Words(words(name)).any(FEE_WORDS)
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

/// Words that, with `charge` or `charges` and nothing else, name a
/// charge to the seller's card that settles the Amazon balance
/// (`Successful Charge - Card`, `Failed charge`), not a fee. A card
/// charge needs one of [`CARD_CHARGE_SIGNS`]; `credit` and `debit` may
/// stand beside it (`Credit card charge`) but alone say nothing of a
/// card (`Credit charge` may be a charge for credit).
const CARD_CHARGE_WORDS: &[&str] =
    &["successful", "unsuccessful", "failed", "declined", "card", "credit", "debit"];

/// The [`CARD_CHARGE_WORDS`] that say a card was charged.
const CARD_CHARGE_SIGNS: &[&str] = &["successful", "unsuccessful", "failed", "declined", "card"];

/// Whether the words name a balance move: a payable, a disbursement or a
/// balance; a debt recovered from the seller; or a card charge (a
/// `charge` whose other words are all [`CARD_CHARGE_WORDS`] or numbers,
/// one of them at least a [`CARD_CHARGE_SIGNS`] word: `Card charge`,
/// `Unsuccessful charge`, `Successful Charge 2024`; a failed or
/// unsuccessful charge is a move that did not happen or was undone,
/// never a fee). A bare `Charge` or `Charges`, or one beside numbers
/// only, says nothing of a card and is left to the fee rules.
fn says_balance_move(w: &Words) -> bool {
    let charge = |word: &String| matches!(word.as_str(), "charge" | "charges");
    let number = |word: &String| word.bytes().all(|b| b.is_ascii_digit());
    w.any(&["payable", "disbursement", "disbursements", "balance"])
        || w.pair("debt", "recovery")
        || (w.0.iter().any(charge)
            && w.any(CARD_CHARGE_SIGNS)
            && w.0.iter().all(|word| {
                charge(word) || number(word) || CARD_CHARGE_WORDS.contains(&word.as_str())
            }))
}

/// The word rules, first match wins.
fn by_words(w: &Words) -> ChargeKind {
    let fee = w.any(FEE_WORDS);
    if w.any(TAX_WORDS) {
        ChargeKind::Tax
    } else if !fee && w.any(REIMBURSEMENT_WORDS) {
        ChargeKind::Reimbursement
    } else if !fee && w.has("reserve") {
        // A reserve held or released (`Reserve Amount`, `Reserve
        // Transfer`), not a fee charged for one.
        ChargeKind::ReserveTransfer
    } else {
        // Cash moved between the Amazon balance and the seller's bank
        // or card (`Failed Disbursement`, `Unavailable balance`, `Payable
        // to Amazon charge`, `Debt recovery`): `charge` here is the card
        // charged, and a name that says fee or names one (`Storage`,
        // `Commission`) stays a fee.
        match fee_by_words(w, fee) {
            ChargeKind::Unknown
                if !w.any(&["fee", "fees", "surcharge"]) && says_balance_move(w) =>
            {
                ChargeKind::BalanceTransfer
            }
            kind => kind,
        }
    }
}

/// The fee word rules, first match wins; `fee` is whether the name has a
/// fee word.
fn fee_by_words(w: &Words, fee: bool) -> ChargeKind {
    if w.pair("long", "term") || w.any(&["aged", "aging", "ageing", "longterm"]) {
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
        // The digital services fee on the FBA fee.
        || (w.pair("digital", "services") && w.has("fba"))
    {
        ChargeKind::FulfillmentFee
    } else if w.any(&["commission", "referral"]) || w.pair("digital", "services") {
        // The digital services fee on the selling fees goes with them.
        ChargeKind::ReferralFee
    } else if w.any(&["advertising", "advertisement", "advertisements", "sponsored"]) {
        ChargeKind::Advertising
    } else if fee && (w.any(PROGRAMME_WORDS) || w.any(PROMOTION_WORDS)) {
        ChargeKind::MarketingFee
    } else if !fee && w.any(PROMOTION_WORDS) {
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
    fn no_exact_reimbursement_name_calls_itself_a_fee() {
        // `INCORRECT_FEES_ITEMS` and `FeeCorrection` pay fees back; none of
        // Amazon's reimbursement names ends in a fee word.
        for (key, kind) in EXACT {
            if *kind == ChargeKind::Reimbursement {
                let ends = ["fee", "fees", "charge", "charges", "surcharge"];
                assert!(!ends.iter().any(|e| key.ends_with(e)), "{key}");
            }
        }
    }

    #[test]
    fn india_tax_names_are_cut_into_tax_words() {
        assert_eq!(words("TCS-CGST"), ["tcs", "cgst"]);
        assert_eq!(words("TDS - Section 194-O"), ["tds", "section", "194", "o"]);
        assert_eq!(classify("TCS-SGST"), ChargeKind::Tax);
    }

    #[test]
    fn a_promotion_reimbursement_or_tax_column_decides_unless_the_name_is_a_fee() {
        let cases = [
            (ChargeKind::Promotion, "Principal", ChargeKind::Promotion),
            (ChargeKind::Promotion, "Shipping", ChargeKind::Promotion),
            (ChargeKind::Reimbursement, "A_NEW_REASON", ChargeKind::Reimbursement),
            (ChargeKind::Reimbursement, "Lost Label Fee", ChargeKind::PrepFee),
            (ChargeKind::Reimbursement, "INCORRECT_FEES_ITEMS", ChargeKind::Reimbursement),
            (ChargeKind::Tax, "TCS-IGST", ChargeKind::Tax),
            // Other columns leave the name to decide.
            (ChargeKind::Principal, "Shipping", ChargeKind::ShippingCharge),
            (ChargeKind::Unknown, "Commission", ChargeKind::ReferralFee),
        ];
        for (column, name, want) in cases {
            assert_eq!(classify_under(column, name), want, "{column:?} {name}");
        }
        assert!(says_fee("Vine Enrollment Fee") && says_fee("ExportCharge"));
        assert!(!says_fee("ShippingChargeback") && !says_fee("WAREHOUSE_DAMAGE"));
    }

    /// Spellings of balance moves fell through to Unknown and were
    /// charged as fees (`charge` is a fee word). They are balance moves;
    /// a name that says fee, or names one, stays a fee.
    #[test]
    fn card_charges_and_debt_recovery_are_balance_moves() {
        for name in [
            "Successful charges",
            "Successful Charge - Card",
            "Failed charge",
            "Unsuccessful charge",
            "Card charge",
            "Debt recovery",
            "Payable to Amazon charge",
            "DebtRecovery",
        ] {
            assert_eq!(classify(name), ChargeKind::BalanceTransfer, "{name}");
        }
        for (name, kind) in [
            ("Failed charge fee", ChargeKind::Unknown),
            ("Card charge surcharge", ChargeKind::Unknown),
            ("Card processing charge", ChargeKind::Unknown),
            ("Storage charge", ChargeKind::StorageFee),
            ("Payable storage charge", ChargeKind::StorageFee),
            ("Debt recovery fee", ChargeKind::Unknown),
            ("Commission charge", ChargeKind::ReferralFee),
            ("Balance Fee", ChargeKind::Unknown),
        ] {
            assert_eq!(classify(name), kind, "{name}");
        }
    }

    /// `Charge`, `Charges` and `Credit charge` were balance moves, left
    /// out of the margin: the card-charge rule (every word but `charge`
    /// a card word) held with no other word, and `credit` counted as
    /// one. A card charge needs a word that says a card was charged;
    /// without one the name is a charge of unknown kind, carried as a
    /// fee. A number beside the words changes nothing: `Successful
    /// Charge 2024` is a card charge as `Successful Charge` is, and
    /// `Charge 2024` is not.
    #[test]
    fn a_charge_without_a_card_word_is_not_a_balance_move() {
        for name in ["Charge", "Charges", "Credit charge", "Debit charges", "Charge 2024", "2024"] {
            assert_eq!(classify(name), ChargeKind::Unknown, "{name}");
        }
        for name in [
            "Successful Charge 2024",
            "Successful Charge",
            "Credit card charge",
            "Declined charge",
            "Failed charge 2",
        ] {
            assert_eq!(classify(name), ChargeKind::BalanceTransfer, "{name}");
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
