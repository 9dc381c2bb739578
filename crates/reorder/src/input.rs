//! Prepared per-SKU inputs: position, open supply, forecasts, constraints.

use chrono::NaiveDate;
use merchantry_core::{
    DailyForecast, DemandForecast, Disposition, LeadTimeEstimate, LeadTimeForecast, LocationId,
    Quantity, Sku, StockView,
};

use crate::error::{ReorderError, Result};
use crate::lot::{Costs, SupplierConstraints};

/// Where open supply comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SupplyKind {
    /// A purchase order placed with a supplier, not yet shipped.
    PurchaseOrder,
    /// A shipment on its way (ocean, truck, FBA inbound).
    Inbound,
    /// A transfer between the seller's own locations.
    Transfer,
}

/// Units ordered or moving toward the destination.
///
/// They count toward the inventory position whatever their due date, so
/// a late delivery never triggers a second order for the same need; they
/// never count toward stock on the shelf today.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OpenSupply {
    /// What kind.
    pub kind: SupplyKind,
    /// Units still to arrive.
    pub quantity: Quantity,
    /// The day the units are expected to be sellable, if known; unknown
    /// arrivals, and by default overdue ones, are projected to land with
    /// a new order placed today (the cautious guess; see
    /// [`PlannerOptions::overdue_supply_days`](crate::PlannerOptions::overdue_supply_days)).
    pub expected: Option<NaiveDate>,
}

/// Stock at another of the seller's locations that could be moved to the
/// destination.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TransferSource {
    /// The source location (own warehouse, 3PL, AWD).
    pub from: LocationId,
    /// Units free to move.
    pub available: Quantity,
    /// Days from requesting the transfer to units sellable at the
    /// destination.
    pub transit: LeadTimeEstimate,
}

/// What the caller said last time, for the stability check. A
/// `demand_mean` or `lead_time_mean` that is NaN or infinite gives the
/// check nothing to compare with: it reports [`Stability::NoHistory`](crate::Stability::NoHistory).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PreviousRecommendation {
    /// Mean demand over the protection interval then.
    pub demand_mean: f64,
    /// Mean lead time then, in days.
    pub lead_time_mean: f64,
    /// Inventory position then.
    pub position: Quantity,
    /// Units recommended then (transfers plus order).
    pub quantity: Quantity,
}

/// Everything the engine needs for one SKU at one destination, prepared
/// by the caller so a batch runs without trait lookups.
///
/// [`SkuInput::new`] fills the optional parts with defaults;
/// [`SkuInput::gather`] reads them from the core traits.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SkuInput {
    /// The SKU.
    pub sku: Sku,
    /// Where stock is replenished.
    pub destination: LocationId,
    /// The planning day: stock is as at its start; orders placed today.
    pub today: NaiveDate,
    /// Sellable units on the shelf at the destination.
    pub on_hand: Quantity,
    /// Demand already owed to customers (subtracted from the position);
    /// zero or more. On hand may be negative (oversold stock).
    pub backorders: Quantity,
    /// Every open purchase order, inbound shipment and transfer.
    pub open_supply: Vec<OpenSupply>,
    /// Daily demand forecast; must cover `today`.
    pub forecast: DailyForecast,
    /// Supplier lead time to the destination.
    pub lead_time: LeadTimeEstimate,
    /// Supplier and destination limits.
    pub constraints: SupplierConstraints,
    /// Costs, for EOQ, order value and budget ranking.
    pub costs: Option<Costs>,
    /// Other locations that could send stock.
    pub transfer_sources: Vec<TransferSource>,
    /// The previous recommendation, for the stability check.
    pub previous: Option<PreviousRecommendation>,
}

impl SkuInput {
    /// An input with nothing on hand or on order, default constraints, no
    /// costs, transfer sources or history.
    #[must_use]
    pub fn new(
        sku: Sku,
        destination: LocationId,
        today: NaiveDate,
        forecast: DailyForecast,
        lead_time: LeadTimeEstimate,
    ) -> Self {
        Self {
            sku,
            destination,
            today,
            on_hand: Quantity::ZERO,
            backorders: Quantity::ZERO,
            open_supply: Vec::new(),
            forecast,
            lead_time,
            constraints: SupplierConstraints::default(),
            costs: None,
            transfer_sources: Vec::new(),
            previous: None,
        }
    }

    /// Reads an input from the core traits: sellable units at the
    /// destination as at the end of the day before `today` become
    /// `on_hand`; its `Inbound` and `InTransit` units become open supply
    /// with unknown arrival; each `(location, transit)` in `sources`
    /// becomes a transfer source with that location's sellable units.
    /// Add purchase orders the stock view does not show to
    /// `open_supply` afterwards, taking care not to list a shipment
    /// twice.
    ///
    /// # Errors
    ///
    /// [`ReorderError::NoForecast`] when the demand forecaster has nothing
    /// for the SKU from `today`; [`ReorderError::NoLeadTime`] when the
    /// lead-time forecaster has nothing.
    #[expect(clippy::too_many_arguments, reason = "one argument per seam, documented above")]
    pub fn gather(
        stock: &impl StockView,
        demand: &impl DemandForecast,
        lead: &impl LeadTimeForecast,
        sku: &Sku,
        destination: &LocationId,
        today: NaiveDate,
        horizon: u32,
        sources: &[(LocationId, LeadTimeEstimate)],
    ) -> Result<Self> {
        let forecast = demand
            .forecast_demand(sku, today, horizon)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ReorderError::NoForecast { sku: sku.clone(), day: today })?;
        let lead_time = lead.forecast_lead_time(sku, destination, today).ok_or_else(|| {
            ReorderError::NoLeadTime { sku: sku.clone(), destination: destination.to_string() }
        })?;
        let as_of = today.pred_opt().unwrap_or(today);
        let mut input = Self::new(sku.clone(), destination.clone(), today, forecast, lead_time);
        for p in stock.positions(sku, as_of).into_iter().filter(|p| &p.location == destination) {
            match p.disposition {
                Disposition::Sellable => input.on_hand = p.quantity,
                Disposition::Inbound | Disposition::InTransit => {
                    let kind = if p.disposition == Disposition::Inbound {
                        SupplyKind::Inbound
                    } else {
                        SupplyKind::Transfer
                    };
                    input.open_supply.push(OpenSupply {
                        kind,
                        quantity: p.quantity,
                        expected: None,
                    });
                }
                _ => {}
            }
        }
        for (from, transit) in sources {
            let available = stock.quantity(sku, from, Disposition::Sellable, as_of);
            if available.is_positive() {
                input.transfer_sources.push(TransferSource {
                    from: from.clone(),
                    available,
                    transit: transit.clone(),
                });
            }
        }
        Ok(input)
    }

    /// Units on order: the sum of open supply, whatever its due date.
    ///
    /// # Errors
    ///
    /// [`ReorderError::NegativeSupply`] for a supply line below zero;
    /// [`ReorderError::Core`] on overflow.
    pub fn on_order(&self) -> Result<Quantity> {
        if let Some((index, s)) =
            self.open_supply.iter().enumerate().find(|(_, s)| s.quantity.is_negative())
        {
            return Err(ReorderError::NegativeSupply {
                sku: self.sku.clone(),
                index,
                quantity: s.quantity.get(),
            });
        }
        Quantity::checked_sum(self.open_supply.iter().map(|s| s.quantity))
            .map_err(ReorderError::core(&self.sku))
    }

    /// Inventory position: on hand plus on order minus backorders.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// # use merchantry_core::*;
    /// use merchantry_reorder::{OpenSupply, SkuInput, SupplyKind};
    /// # let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    /// # let f = DailyForecast::new(day, vec![1.0], vec![0.0])?;
    /// let mut input = SkuInput::new(Sku::new("A")?, LocationId::new("FBA")?, day, f,
    ///     LeadTimeEstimate::fixed(Days::whole(10)));
    /// input.on_hand = Quantity::new(5);
    /// input.open_supply.push(OpenSupply {
    ///     kind: SupplyKind::PurchaseOrder, quantity: Quantity::new(24), expected: None });
    /// assert_eq!(input.position().unwrap(), Quantity::new(29));
    /// assert_eq!(input.on_hand, Quantity::new(5)); // inbound is not on the shelf
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReorderError::NegativeBackorders`] for backorders below zero;
    /// [`ReorderError::NegativeSupply`] as [`SkuInput::on_order`];
    /// [`ReorderError::Core`] on overflow.
    pub fn position(&self) -> Result<Quantity> {
        if self.backorders.is_negative() {
            return Err(ReorderError::NegativeBackorders {
                sku: self.sku.clone(),
                quantity: self.backorders.get(),
            });
        }
        self.on_hand
            .checked_add(self.on_order()?)
            .and_then(|q| q.checked_sub(self.backorders))
            .map_err(ReorderError::core(&self.sku))
    }
}
