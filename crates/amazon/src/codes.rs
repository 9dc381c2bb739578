//! Amazon's vocabularies: ledger event types, dispositions and inventory
//! adjustment reason codes.

use std::fmt;

use merchantry_core::Disposition;

use crate::parse::header_key;

/// The kind of movement in the FBA Inventory Ledger detail view (the
/// `Event Type` column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum EventType {
    /// Units received into a fulfillment center from an inbound shipment
    /// (positive).
    Receipts,
    /// Units shipped to customers (negative).
    Shipments,
    /// Units customers sent back (positive, in the disposition they were
    /// graded to).
    CustomerReturns,
    /// Inventory adjustments; the `Reason` column says which.
    Adjustments,
    /// Transfers between fulfillment centers: a negative row where units
    /// leave and a positive row, usually days later, where they arrive.
    WhseTransfers,
    /// Removal orders: units returned to the seller or disposed of at the
    /// seller's request (negative).
    VendorReturns,
    /// An event type this crate does not know, kept by name.
    Other(String),
}

impl EventType {
    /// Reads an event type, ignoring case, spaces and punctuation
    /// (`Customer Returns`, `CustomerReturns` and `CUSTOMER_RETURNS` are
    /// one type). Unknown names become [`EventType::Other`].
    #[must_use]
    pub fn parse(text: &str) -> Self {
        // The spellings of the download first, without allocating.
        match text {
            "Receipts" => return Self::Receipts,
            "Shipments" => return Self::Shipments,
            "CustomerReturns" => return Self::CustomerReturns,
            "Adjustments" => return Self::Adjustments,
            "WhseTransfers" => return Self::WhseTransfers,
            "VendorReturns" => return Self::VendorReturns,
            _ => {}
        }
        match header_key(text.as_bytes()).as_str() {
            "receipts" | "receipt" => Self::Receipts,
            "shipments" | "shipment" | "customershipments" => Self::Shipments,
            "customerreturns" | "customerreturn" => Self::CustomerReturns,
            "adjustments" | "adjustment" => Self::Adjustments,
            "whsetransfers" | "whsetransfer" | "warehousetransfers" => Self::WhseTransfers,
            "vendorreturns" | "vendorreturn" => Self::VendorReturns,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// The name as Amazon writes it in the download.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Receipts => "Receipts",
            Self::Shipments => "Shipments",
            Self::CustomerReturns => "CustomerReturns",
            Self::Adjustments => "Adjustments",
            Self::WhseTransfers => "WhseTransfers",
            Self::VendorReturns => "VendorReturns",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The condition of units in Amazon's network (the `Disposition` column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AmazonDisposition {
    /// Fit to sell.
    Sellable,
    /// Defective: unfit, the seller's responsibility.
    Defective,
    /// Damaged by the customer before return.
    CustomerDamaged,
    /// Damaged by a carrier; Amazon takes ownership and reimburses.
    CarrierDamaged,
    /// Arrived damaged from the seller (the "distributor").
    DistributorDamaged,
    /// Damaged in the fulfillment center; Amazon takes ownership and
    /// reimburses.
    WarehouseDamaged,
    /// Past its expiry date.
    Expired,
    /// A disposition this crate does not know, kept by name.
    Other(String),
}

impl AmazonDisposition {
    /// Reads a disposition, ignoring case, spaces, hyphens and
    /// underscores (`SELLABLE`, `Sellable`, `Warehouse-damaged`,
    /// `WAREHOUSE_DAMAGED`; `fulfillment-center damaged` is the warehouse
    /// one).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        if text == "SELLABLE" {
            return Self::Sellable;
        }
        match header_key(text.as_bytes()).as_str() {
            "sellable" => Self::Sellable,
            "defective" => Self::Defective,
            "customerdamaged" => Self::CustomerDamaged,
            "carrierdamaged" => Self::CarrierDamaged,
            "distributordamaged" => Self::DistributorDamaged,
            "warehousedamaged" | "fulfillmentcenterdamaged" | "fulfilmentcentredamaged" => {
                Self::WarehouseDamaged
            }
            "expired" => Self::Expired,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// The name as Amazon writes it in the download.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sellable => "SELLABLE",
            Self::Defective => "DEFECTIVE",
            Self::CustomerDamaged => "CUSTOMER_DAMAGED",
            Self::CarrierDamaged => "CARRIER_DAMAGED",
            Self::DistributorDamaged => "DISTRIBUTOR_DAMAGED",
            Self::WarehouseDamaged => "WAREHOUSE_DAMAGED",
            Self::Expired => "EXPIRED",
            Self::Other(name) => name,
        }
    }

    /// The core disposition: sellable units are
    /// [`Disposition::Sellable`], every other condition (known or not) is
    /// [`Disposition::Unsellable`].
    #[must_use]
    pub const fn to_core(&self) -> Disposition {
        match self {
            Self::Sellable => Disposition::Sellable,
            _ => Disposition::Unsellable,
        }
    }
}

impl fmt::Display for AmazonDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way a reason code moves the disposition it is booked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Sign {
    /// Adds units.
    Increase,
    /// Removes units.
    Decrease,
}

/// The ledger summary view column a detail row rolls up into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SummaryBucket {
    /// `Receipts`.
    Receipts,
    /// `Customer Shipments`.
    CustomerShipments,
    /// `Customer Returns`.
    CustomerReturns,
    /// `Vendor Returns`.
    VendorReturns,
    /// `Warehouse Transfer In/Out`.
    WarehouseTransfers,
    /// `Found`.
    Found,
    /// `Lost`.
    Lost,
    /// `Damaged`: units leaving one disposition for a damaged one, and
    /// the matching `P` increase.
    Damaged,
    /// `Disposed`.
    Disposed,
    /// `Other Events`: software and catalogue corrections.
    OtherEvents,
    /// `Unknown Events`: event types or reasons this crate does not know.
    UnknownEvents,
}

/// An inventory adjustment reason code (the `Reason` column of
/// `Adjustments` rows), with Amazon's documented sign.
///
/// The codes, signs and meanings follow the "Inventory adjustments" page
/// of Seller Central help. Damage codes (`6`, `7`, `E`, `H`, `K`, `U`)
/// take units out of one disposition and are always followed by a `P`
/// increase in the warehouse-damaged disposition: the pair moves units
/// between dispositions and does not change the total. The reader keeps
/// the quantity exactly as reported; [`ReasonCode::sign`] lets a
/// consumer flag a row whose sign disagrees with the code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReasonCode {
    /// `1` (+): software correction of an inventory discrepancy.
    SoftwareCorrectionUp,
    /// `2` (-): software correction of an inventory discrepancy.
    SoftwareCorrectionDown,
    /// `3` (+): catalogue redefinition, units moved in from the original
    /// item.
    RedefinedIn,
    /// `4` (-): catalogue redefinition, units moved out to the new item.
    RedefinedOut,
    /// `5` (-): unrecoverable inventory, written off as lost.
    Unrecoverable,
    /// `6` (-): damaged by the inbound carrier; followed by `P`.
    CarrierDamaged,
    /// `7` (-): expired unit moved to damaged; followed by `P`.
    ExpiredDamaged,
    /// `D` (-): destroyed or disposed of.
    Disposed,
    /// `E` (-): sellable unit damaged in the fulfillment center; followed
    /// by `P`.
    WarehouseDamaged,
    /// `F` (+): misplaced inventory found.
    Found,
    /// `H` (-): customer-damaged return moved to damaged; followed by `P`.
    CustomerDamaged,
    /// `J` (+): software correction of an inventory discrepancy.
    SoftwareCorrectionJ,
    /// `K` (-): defective unit moved to damaged; followed by `P`.
    Defective,
    /// `M` (-): inventory misplaced in the fulfillment center. The row's
    /// reconciled and unreconciled quantities track whether it was later
    /// found or reimbursed.
    Misplaced,
    /// `N` (+): units transferred into the seller's account (wrongly
    /// assigned units moved back, or units from a reimbursement reversal).
    TransferredIn,
    /// `O` (-): ownership or inventory correction out of the account.
    CorrectionOut,
    /// `P` (+): disposition change: the increase that pairs with a damage
    /// code.
    DispositionChange,
    /// `Q` (-): damaged, other or miscellaneous.
    DamagedOther,
    /// `U` (-): distributor-damaged unit moved to damaged; followed by `P`.
    DistributorDamaged,
    /// `X` (-): inventory correction, units removed.
    CorrectionX,
    /// A code this crate does not know, kept as written.
    Other(String),
}

impl ReasonCode {
    /// Every known code, for tables and tests.
    pub const KNOWN: [&'static str; 20] = [
        "1", "2", "3", "4", "5", "6", "7", "D", "E", "F", "H", "J", "K", "M", "N", "O", "P", "Q",
        "U", "X",
    ];

    /// Reads a code: one character, case ignored; anything else is
    /// [`ReasonCode::Other`].
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let upper = match text.trim().as_bytes() {
            [b] => [b.to_ascii_uppercase()],
            _ => [0],
        };
        match std::str::from_utf8(&upper).unwrap_or_default() {
            "1" => Self::SoftwareCorrectionUp,
            "2" => Self::SoftwareCorrectionDown,
            "3" => Self::RedefinedIn,
            "4" => Self::RedefinedOut,
            "5" => Self::Unrecoverable,
            "6" => Self::CarrierDamaged,
            "7" => Self::ExpiredDamaged,
            "D" => Self::Disposed,
            "E" => Self::WarehouseDamaged,
            "F" => Self::Found,
            "H" => Self::CustomerDamaged,
            "J" => Self::SoftwareCorrectionJ,
            "K" => Self::Defective,
            "M" => Self::Misplaced,
            "N" => Self::TransferredIn,
            "O" => Self::CorrectionOut,
            "P" => Self::DispositionChange,
            "Q" => Self::DamagedOther,
            "U" => Self::DistributorDamaged,
            "X" => Self::CorrectionX,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// Whether the code writes off damage that was not Amazon's own: `6`
    /// (the inbound carrier; Amazon pays only where its partnered carrier
    /// did it), `7` (expired), `H` (the customer), `K` (defective) and
    /// `U` (the distributor). Amazon's reimbursement policy may not pay
    /// for such units, so [`match_reimbursements`](crate::match_reimbursements)
    /// matches payments to them last.
    ///
    /// ```
    /// use merchantry_amazon::ReasonCode;
    /// assert!(ReasonCode::parse("7").damage_not_amazons());
    /// assert!(!ReasonCode::parse("E").damage_not_amazons());
    /// assert!(!ReasonCode::parse("M").damage_not_amazons());
    /// ```
    #[must_use]
    pub const fn damage_not_amazons(&self) -> bool {
        matches!(
            self,
            Self::CarrierDamaged
                | Self::ExpiredDamaged
                | Self::CustomerDamaged
                | Self::Defective
                | Self::DistributorDamaged
        )
    }

    /// The code as written in the download.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::SoftwareCorrectionUp => "1",
            Self::SoftwareCorrectionDown => "2",
            Self::RedefinedIn => "3",
            Self::RedefinedOut => "4",
            Self::Unrecoverable => "5",
            Self::CarrierDamaged => "6",
            Self::ExpiredDamaged => "7",
            Self::Disposed => "D",
            Self::WarehouseDamaged => "E",
            Self::Found => "F",
            Self::CustomerDamaged => "H",
            Self::SoftwareCorrectionJ => "J",
            Self::Defective => "K",
            Self::Misplaced => "M",
            Self::TransferredIn => "N",
            Self::CorrectionOut => "O",
            Self::DispositionChange => "P",
            Self::DamagedOther => "Q",
            Self::DistributorDamaged => "U",
            Self::CorrectionX => "X",
            Self::Other(code) => code,
        }
    }

    /// The documented sign, `None` for an unknown code.
    #[must_use]
    pub const fn sign(&self) -> Option<Sign> {
        match self {
            Self::SoftwareCorrectionUp
            | Self::RedefinedIn
            | Self::Found
            | Self::SoftwareCorrectionJ
            | Self::TransferredIn
            | Self::DispositionChange => Some(Sign::Increase),
            Self::Other(_) => None,
            _ => Some(Sign::Decrease),
        }
    }

    /// Whether the code only moves units between dispositions (a damage
    /// code or its `P` counterpart) rather than in or out of the account.
    #[must_use]
    pub const fn is_disposition_move(&self) -> bool {
        matches!(
            self,
            Self::CarrierDamaged
                | Self::ExpiredDamaged
                | Self::WarehouseDamaged
                | Self::CustomerDamaged
                | Self::Defective
                | Self::DistributorDamaged
                | Self::DispositionChange
        )
    }

    /// The summary view column the code rolls up into: `M`, `5` lost;
    /// `F`, `N` found; damage codes, `Q` and `P` damaged; `D` disposed;
    /// software, catalogue and other corrections other events; unknown
    /// codes unknown events.
    #[must_use]
    pub const fn bucket(&self) -> SummaryBucket {
        match self {
            Self::Misplaced | Self::Unrecoverable => SummaryBucket::Lost,
            Self::Found | Self::TransferredIn => SummaryBucket::Found,
            Self::Disposed => SummaryBucket::Disposed,
            Self::CarrierDamaged
            | Self::ExpiredDamaged
            | Self::WarehouseDamaged
            | Self::CustomerDamaged
            | Self::Defective
            | Self::DistributorDamaged
            | Self::DamagedOther
            | Self::DispositionChange => SummaryBucket::Damaged,
            Self::SoftwareCorrectionUp
            | Self::SoftwareCorrectionDown
            | Self::SoftwareCorrectionJ
            | Self::RedefinedIn
            | Self::RedefinedOut
            | Self::CorrectionOut
            | Self::CorrectionX => SummaryBucket::OtherEvents,
            Self::Other(_) => SummaryBucket::UnknownEvents,
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_has_a_sign() {
        for code in ReasonCode::KNOWN {
            let parsed = ReasonCode::parse(code);
            assert_eq!(parsed.code(), code);
            assert!(parsed.sign().is_some(), "{code}");
            assert_ne!(parsed.bucket(), SummaryBucket::UnknownEvents, "{code}");
            assert_eq!(ReasonCode::parse(&code.to_ascii_lowercase()), parsed);
        }
        assert_eq!(ReasonCode::parse("Z"), ReasonCode::Other("Z".into()));
        assert_eq!(ReasonCode::parse("Z").sign(), None);
    }

    #[test]
    fn damage_codes_pair_with_p() {
        for code in ["6", "7", "E", "H", "K", "U"] {
            let c = ReasonCode::parse(code);
            assert!(c.is_disposition_move());
            assert_eq!(c.sign(), Some(Sign::Decrease));
        }
        assert_eq!(ReasonCode::DispositionChange.sign(), Some(Sign::Increase));
        assert!(!ReasonCode::Misplaced.is_disposition_move());
    }

    #[test]
    fn names_are_read_loosely() {
        assert_eq!(EventType::parse("Customer Returns"), EventType::CustomerReturns);
        assert_eq!(EventType::parse("WHSE_TRANSFERS"), EventType::WhseTransfers);
        assert_eq!(EventType::parse("Mystery"), EventType::Other("Mystery".into()));
        assert_eq!(
            AmazonDisposition::parse("Warehouse-damaged"),
            AmazonDisposition::WarehouseDamaged
        );
        assert_eq!(AmazonDisposition::parse("SELLABLE").to_core(), Disposition::Sellable);
        assert_eq!(AmazonDisposition::parse("EXPIRED").to_core(), Disposition::Unsellable);
    }
}
