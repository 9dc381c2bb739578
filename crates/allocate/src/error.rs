//! The error type of `merchantry-allocate`.

use merchantry_core::{ChannelId, CoreError, LocationId, OrderId, Sku};

/// What an allocator refused, and where.
///
/// Every refusal leaves the allocator exactly as it was before the call.
/// Messages are lowercase and name the SKU, channel, location or order
/// line involved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AllocError {
    /// A core value (an identifier, a quantity sum) was invalid; lets
    /// callers use `?` on core constructors.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A location was declared twice in one network.
    #[error("location {location} is declared twice")]
    DuplicateLocation {
        /// The repeated location.
        location: LocationId,
    },
    /// A channel was declared twice in one network.
    #[error("channel {channel} is declared twice")]
    DuplicateChannel {
        /// The repeated channel.
        channel: ChannelId,
    },
    /// A location was put into a second pool; pools must not overlap.
    #[error("location {location} is already in pool {pool:?}")]
    LocationInTwoPools {
        /// The location.
        location: LocationId,
        /// The pool it already belongs to.
        pool: String,
    },
    /// A pool was declared with no location.
    #[error("pool {pool:?} has no location")]
    EmptyPool {
        /// The pool's name.
        pool: String,
    },
    /// A channel was linked to the same pool twice.
    #[error("channel {channel} is linked to pool {pool:?} twice")]
    DuplicateLink {
        /// The channel.
        channel: ChannelId,
        /// The pool.
        pool: String,
    },
    /// A network would have more channels, pools or locations than the
    /// allocator supports.
    #[error("too many {what}: at most {max} are supported")]
    TooMany {
        /// `channels`, `pools`, `locations` or `skus`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A pool split by fixed shares gives every linked channel a zero
    /// share, so no channel could ever advertise from it.
    #[error("pool {pool:?} splits by shares but every share is zero")]
    ZeroShares {
        /// The pool's name.
        pool: String,
    },
    /// A publish rule is out of range or contradicts another rule.
    #[error("channel {channel} has an invalid publish rule: {reason}")]
    InvalidRules {
        /// The channel.
        channel: ChannelId,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// A key came from another network or allocator.
    #[error("unknown {what} key {index}")]
    UnknownKey {
        /// `sku`, `channel`, `pool` or `location`.
        what: &'static str,
        /// The key's index.
        index: usize,
    },
    /// A SKU name is not known to the allocator.
    #[error("unknown sku {sku}")]
    UnknownSku {
        /// The SKU.
        sku: Sku,
    },
    /// A location name is not part of the network.
    #[error("unknown location {location}")]
    UnknownLocation {
        /// The location.
        location: LocationId,
    },
    /// A channel was asked to use a location it is not linked to.
    #[error("channel {channel} is not linked to location {location}")]
    LocationNotLinked {
        /// The channel.
        channel: ChannelId,
        /// The location.
        location: LocationId,
    },
    /// A ring fence named a pool the channel is not linked to.
    #[error("channel {channel} is not linked to pool {pool:?}")]
    PoolNotLinked {
        /// The channel.
        channel: ChannelId,
        /// The pool.
        pool: String,
    },
    /// A quantity that must be positive (or at least zero) was not.
    #[error("{what} must be {rule}, got {value} (sku {sku})")]
    BadQuantity {
        /// Which quantity (`order line quantity`, `stock level`, ...).
        what: &'static str,
        /// `positive` or `zero or more`.
        rule: &'static str,
        /// The rejected value.
        value: i64,
        /// The SKU it was for.
        sku: Sku,
    },
    /// A sum of units left the 64-bit range.
    #[error("quantity overflow for sku {sku}")]
    Overflow {
        /// The SKU.
        sku: Sku,
    },
    /// A location's sellable positions in a loaded [`StockView`] add up
    /// past `i64::MAX` units (a sum below the range is a negative
    /// balance and loads as zero).
    ///
    /// [`StockView`]: merchantry_core::StockView
    #[error("sellable units of sku {sku} at {location} sum past the 64-bit range")]
    StockOverflow {
        /// The SKU.
        sku: Sku,
        /// The location whose positions overflow.
        location: LocationId,
    },
    /// There are not enough units the channel may sell.
    #[error(
        "order {order} line {line}: channel {channel} asked for {requested} of sku {sku}, \
         only {available} can be reserved"
    )]
    Insufficient {
        /// The order.
        order: OrderId,
        /// The first line that could not be served.
        line: u32,
        /// The channel.
        channel: ChannelId,
        /// The SKU short of stock.
        sku: Sku,
        /// Units asked for (summed over the order's lines for this SKU
        /// when the whole order was checked at once).
        requested: i64,
        /// Units the channel could reserve.
        available: i64,
    },
    /// An order line was reserved before.
    #[error("order {order} line {line} is already reserved")]
    DuplicateLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
    },
    /// A reservation request names no order line at all.
    #[error("order {order}: a reservation needs at least one line")]
    NoLines {
        /// The order.
        order: OrderId,
    },
    /// The same line number appears twice in one request.
    #[error("order {order} names line {line} twice in one request")]
    RepeatedLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
    },
    /// No reservation exists for the order line.
    #[error("order {order} line {line} has no reservation")]
    UnknownLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
    },
    /// The line is in a state that forbids the operation (committing a
    /// cancelled line, cancelling a shipped one, moving a closed one).
    #[error("order {order} line {line} is {state}, cannot {action}")]
    WrongState {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
        /// The line's state.
        state: crate::LineState,
        /// What was attempted.
        action: &'static str,
    },
    /// A shipment was reported from a location that does not hold the
    /// line's reservation; move the reservation first.
    #[error("order {order} line {line} is not reserved at location {location}")]
    NotReservedThere {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
        /// The location the shipment came from.
        location: LocationId,
    },
    /// A return claimed more units than the line shipped less those
    /// already returned.
    #[error(
        "order {order} line {line}: returning {returned} but {shipped} shipped and {already} \
         already came back"
    )]
    ReturnExceedsShipped {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
        /// Units the refused return claimed.
        returned: i64,
        /// Units the line shipped.
        shipped: i64,
        /// Units earlier returns of the line brought back.
        already: i64,
    },
    /// Restocking a return would take a location's units past the 64-bit
    /// range. Names the SKU whose stock would overflow (a component, for
    /// a bundle line) and the SKU the line ordered.
    #[error(
        "order {order} line {line} (sku {ordered}): returning {units} units of sku {sku} to \
         {location} would take its stock past the 64-bit range"
    )]
    ReturnOverflow {
        /// The order.
        order: OrderId,
        /// The line.
        line: u32,
        /// The SKU the line ordered (the bundle, for a bundle line).
        ordered: Sku,
        /// The SKU whose stock would overflow (a component of the bundle,
        /// or the ordered SKU itself for a plain line).
        sku: Sku,
        /// Where the units would go back.
        location: LocationId,
        /// Units of `sku` the return would restock there.
        units: i64,
    },
    /// A return id was recorded before for a return with other content
    /// (another line, quantity or restock); the id cannot name two
    /// returns. Gives what the id was first recorded with.
    #[error(
        "return {return_id} was recorded for order {order} line {line} as {units} {restock} \
         units; a different return cannot reuse it"
    )]
    ReturnIdConflict {
        /// The reused id.
        return_id: crate::ReturnId,
        /// The order the id was recorded for.
        order: OrderId,
        /// The line the id was recorded for.
        line: u32,
        /// The units recorded under the id.
        units: i64,
        /// The restock recorded under the id.
        restock: crate::Restock,
    },
    /// A stock change would leave fewer sellable units at a location than
    /// are reserved there. Release or move reservations first.
    #[error(
        "sku {sku} at {location}: new sellable level {on_hand} is below the {reserved} \
         units reserved there"
    )]
    WouldStrandReservations {
        /// The SKU.
        sku: Sku,
        /// The location.
        location: LocationId,
        /// The sellable level the change would leave.
        on_hand: i64,
        /// Units reserved there.
        reserved: i64,
    },
    /// A bundle definition is invalid: a bundle of bundles, a component
    /// with stock rules of its own, or a bundle that holds stock.
    #[error("bundle {sku}: {reason}")]
    InvalidBundle {
        /// The bundle SKU.
        sku: Sku,
        /// What is wrong.
        reason: &'static str,
    },
    /// A serialised network or allocator does not describe state the
    /// builder and the operations could have produced.
    #[error("invalid snapshot: {reason}")]
    InvalidSnapshot {
        /// What is wrong, in words.
        reason: String,
    },
    /// A bundle SKU holds no stock of its own; change its components.
    #[error("sku {sku} is a bundle and holds no stock of its own")]
    BundleHasNoStock {
        /// The bundle SKU.
        sku: Sku,
    },
}

/// `Result` with [`AllocError`].
pub type Result<T, E = AllocError> = std::result::Result<T, E>;
