//! The kinds of fee and charge a marketplace seller pays or receives.
//!
//! One vocabulary for every crate: a report reader maps its own fee names
//! into [`FeeKind`], and the margin model attributes them. Duties and
//! tariffs that belong to goods are landed cost (inside COGS); only duties
//! booked as period expense are [`FeeKind::DutyExpense`].

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
    /// Advertising spend.
    Advertising,
    /// Returns processing fee.
    ReturnsProcessing,
    /// A reimbursement for lost or damaged units (income).
    Reimbursement,
    /// Duties and tariffs booked as period expense, not landed cost.
    DutyExpense,
    /// Any other fee, by the name its statement gives.
    Other(String),
}
