//! The kinds of fee and charge a marketplace seller pays or receives.
//!
//! One vocabulary for every crate: a report reader maps its own fee names
//! into [`FeeKind`], and the margin model attributes them. Duties and
//! tariffs that belong to goods are landed cost (inside COGS); only duties
//! booked as period expense are [`FeeKind::DutyExpense`]. Paid
//! advertising ([`FeeKind::Advertising`]) and the fees of promotion
//! programmes such as deals, coupons and Vine
//! ([`FeeKind::PromotionProgramme`]) are kept apart, so advertising
//! ratios count only what bought clicks.

/// What a charge is for.
///
/// ```
/// use merchantry_core::FeeKind;
/// let kinds = [FeeKind::Referral, FeeKind::Other("Low-Inventory-Level Fee".into())];
/// assert!(kinds[0] < kinds[1]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FeeKind {
    /// Marketplace referral (commission) fee.
    Referral,
    /// FBA or multi-channel fulfillment fee.
    Fulfillment,
    /// Monthly storage fee.
    StorageMonthly,
    /// Aged-inventory storage surcharge.
    StorageAged,
    /// Inbound placement fee.
    InboundPlacement,
    /// Prep and labelling fee.
    Prep,
    /// Removal order fee.
    Removal,
    /// Disposal fee.
    Disposal,
    /// Pay-per-click advertising spend (sponsored products, brands and
    /// display): the spend behind advertising cost of sale and TACoS.
    Advertising,
    /// Fees for a marketplace's promotion programmes: deal fees
    /// (Lightning Deals and other deals), coupon redemption fees and
    /// Vine enrollment fees. A cost of selling, but not advertising spend
    /// (no click is bought), and not the price discount itself, which
    /// the customer keeps and which lowers revenue instead.
    PromotionProgramme,
    /// Returns processing fee.
    ReturnsProcessing,
    /// A reimbursement for lost or damaged units (income).
    Reimbursement,
    /// Duties and tariffs booked as period expense, not landed cost.
    DutyExpense,
    /// Any other fee, by the name its statement gives.
    Other(String),
}
