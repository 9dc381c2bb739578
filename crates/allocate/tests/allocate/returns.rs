//! Returns: what a purge keeps, overflow messages, and returns made
//! idempotent by a return id.

use merchantry_allocate::{
    AllocError, LineRequest, LineState, ReserveOptions, Restock, ReturnId, StockChange,
};
use merchantry_core::{LocationId, Sku};

use crate::support::{order, q, world};

fn rid(id: &str) -> ReturnId {
    ReturnId::new(id).unwrap()
}

/// `purge_closed` once forgot shipped lines whose units could still
/// come back, so their later returns failed with `UnknownLine` and the
/// units never reached stock. It now forgets only lines no operation can
/// change (cancelled, expired, fully returned).
#[test]
fn purge_keeps_shipped_lines_that_can_still_come_back() {
    let mut w = world();
    w.stock(w.a, 10);
    w.reserve("C", w.web, 1).unwrap();
    w.alloc.release(&order("C"), 1).unwrap();
    for (id, n) in [("F", 2), ("P", 5), ("S", 3)] {
        w.reserve(id, w.web, n).unwrap();
        w.alloc.commit(&order(id), 1).unwrap();
    }
    w.alloc.return_units(&order("F"), 1, q(2), Restock::Sellable).unwrap();
    w.alloc.return_units(&order("P"), 1, q(2), Restock::Sellable).unwrap();
    // 10 - 2 + 2 (F) - 5 + 2 (P) - 3 (S) = 4.
    assert_eq!(w.on_hand(w.a), 4);
    // C (cancelled) and F (all back) go; P (2 of 5 back) and S stay.
    assert_eq!(w.alloc.purge_closed(), 2);
    let kept: Vec<(String, i64)> =
        w.alloc.lines().map(|l| (l.order.to_string(), l.returnable().get())).collect();
    assert_eq!(kept, vec![("P".into(), 3), ("S".into(), 3)]);
    // Their returns still restock: 4 + 3 + 3 = 10.
    w.alloc.return_units(&order("P"), 1, q(3), Restock::Sellable).unwrap();
    w.alloc.return_units(&order("S"), 1, q(3), Restock::Sellable).unwrap();
    assert_eq!(w.on_hand(w.a), 10);
    assert_eq!(w.alloc.purge_closed(), 2);
    assert_eq!(w.alloc.lines().count(), 0);
}

/// Shipped lines go only when the caller gives up their returns, by a
/// rule of its own; the rule sees only lines that could still come back,
/// and a forgotten line's return ids go with it.
#[test]
fn purge_shipped_if_gives_up_only_the_returns_the_caller_names() {
    let mut w = world();
    w.stock(w.a, 10);
    w.reserve("OPEN", w.web, 1).unwrap();
    w.reserve("GONE", w.web, 1).unwrap();
    w.alloc.release(&order("GONE"), 1).unwrap();
    for id in ["OLD", "NEW"] {
        w.reserve(id, w.web, 4).unwrap();
        w.alloc.commit(&order(id), 1).unwrap();
    }
    let rma = rid("RMA-OLD");
    w.alloc.return_units_once(&rma, &order("OLD"), 1, q(1), Restock::Sellable).unwrap();
    let mut seen = Vec::new();
    let n = w.alloc.purge_shipped_if(|l| {
        seen.push((l.order.to_string(), l.returnable().get()));
        l.order.as_str() == "OLD"
    });
    assert_eq!(n, 1);
    assert_eq!(seen, vec![("OLD".into(), 3), ("NEW".into(), 4)]);
    let left: Vec<String> = w.alloc.lines().map(|l| l.order.to_string()).collect();
    assert_eq!(left, vec!["OPEN", "GONE", "NEW"]);
    // Returns of the forgotten line, with or without its id, are refused
    // loudly and change nothing.
    let before = w.alloc.clone();
    let err = w.alloc.return_units(&order("OLD"), 1, q(1), Restock::Sellable).unwrap_err();
    assert!(matches!(err, AllocError::UnknownLine { line: 1, .. }), "{err:?}");
    let err =
        w.alloc.return_units_once(&rma, &order("OLD"), 1, q(1), Restock::Sellable).unwrap_err();
    assert!(matches!(err, AllocError::UnknownLine { line: 1, .. }), "{err:?}");
    assert_eq!(w.alloc, before);
}

/// A bundle return whose restock overflowed a component's stock was
/// reported as an overflow of the bundle; it now names the component,
/// the location and the bundle.
#[test]
fn a_return_that_overflows_names_the_component_and_the_bundle() {
    let mut w = world();
    let lid = w.alloc.add_sku(&Sku::new("LID").unwrap()).unwrap();
    w.stock(w.a, 4);
    w.alloc.stock_change(lid, w.a, StockChange::Set(q(2))).unwrap();
    let (set, _) =
        w.alloc.define_bundle(&Sku::new("SET").unwrap(), &[(w.sku, 2), (lid, 1)]).unwrap();
    let line = [LineRequest::new(1, set, q(1))];
    w.alloc.reserve(&order("K"), w.web, &line, &ReserveOptions::default()).unwrap();
    w.alloc.commit(&order("K"), 1).unwrap();
    // 4 - 2 mugs shipped = 2; the count now says i64::MAX - 1.
    w.stock(w.a, i64::MAX - 1);
    let before = w.alloc.clone();
    let err = w.alloc.return_units(&order("K"), 1, q(1), Restock::Sellable).unwrap_err();
    assert_eq!(
        err,
        AllocError::ReturnOverflow {
            order: order("K"),
            line: 1,
            ordered: Sku::new("SET").unwrap(),
            sku: Sku::new("MUG").unwrap(),
            location: LocationId::new("A").unwrap(),
            units: 2,
        }
    );
    assert_eq!(
        err.to_string(),
        "order K line 1 (sku SET): returning 2 units of sku MUG to A would take its stock past \
         the 64-bit range"
    );
    assert_eq!(w.alloc, before);
    // The id of a refused return is not recorded.
    let rma = rid("RMA-K");
    assert!(w.alloc.return_units_once(&rma, &order("K"), 1, q(1), Restock::Sellable).is_err());
    assert_eq!(w.alloc, before);
    // A plain line names its own SKU twice.
    w.stock(w.b, 1);
    let opts = ReserveOptions::default().at(w.b);
    let line = [LineRequest::new(1, w.sku, q(1))];
    w.alloc.reserve(&order("M"), w.web, &line, &opts).unwrap();
    w.alloc.commit(&order("M"), 1).unwrap();
    w.stock(w.b, i64::MAX);
    let err = w.alloc.return_units(&order("M"), 1, q(1), Restock::Sellable).unwrap_err();
    assert!(
        matches!(&err, AllocError::ReturnOverflow { ordered, sku, units: 1, .. }
            if ordered.as_str() == "MUG" && sku.as_str() == "MUG"),
        "{err:?}"
    );
    // An unsellable return restocks nothing, so it goes through.
    w.alloc.return_units_once(&rma, &order("K"), 1, q(1), Restock::Unsellable).unwrap();
    assert_eq!(w.alloc.line(&order("K"), 1).unwrap().state, LineState::Returned);
}

/// Each `return_units` call is one return, so a return report read twice
/// restocked twice (up to what shipped). With a return id the repeat is
/// a reported duplicate, and the id reused for another return an error.
#[test]
fn a_return_id_makes_a_return_idempotent() {
    let mut w = world();
    w.stock(w.a, 10);
    for (id, n) in [("R", 6), ("R2", 1)] {
        w.reserve(id, w.web, n).unwrap();
        w.alloc.commit(&order(id), 1).unwrap();
    }
    // 10 - 6 - 1 = 3.
    assert_eq!(w.on_hand(w.a), 3);
    let (one, two) = (rid("RMA-1"), rid("RMA-2"));
    let done = w.alloc.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable).unwrap();
    assert!(!done.duplicate);
    assert_eq!(done.changes.get(w.sku, w.web), Some(q(5)));
    // The same report again: nothing happens, and it says so.
    let before = w.alloc.clone();
    let again = w.alloc.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable).unwrap();
    assert!(again.duplicate && again.changes.is_empty());
    assert_eq!(w.alloc, before);
    // The id with other content: units, restock, line or order.
    let other = [
        (order("R"), 1, 3, Restock::Sellable),
        (order("R"), 1, 2, Restock::Unsellable),
        (order("R"), 2, 2, Restock::Sellable),
        (order("R2"), 1, 1, Restock::Sellable),
    ];
    for (o, line, n, restock) in other {
        let err = w.alloc.return_units_once(&one, &o, line, q(n), restock).unwrap_err();
        assert_eq!(
            err,
            AllocError::ReturnIdConflict {
                return_id: one.clone(),
                order: order("R"),
                line: 1,
                units: 2,
                restock: Restock::Sellable,
            }
        );
        assert_eq!(w.alloc, before);
    }
    assert_eq!(
        AllocError::ReturnIdConflict {
            return_id: one.clone(),
            order: order("R"),
            line: 1,
            units: 2,
            restock: Restock::Sellable,
        }
        .to_string(),
        "return RMA-1 was recorded for order R line 1 as 2 sellable units; a different return \
         cannot reuse it"
    );
    // A refused return records no id: 5 is more than the 4 left, and the
    // corrected 4 then goes through under the same id.
    let err =
        w.alloc.return_units_once(&two, &order("R"), 1, q(5), Restock::Unsellable).unwrap_err();
    assert!(matches!(err, AllocError::ReturnExceedsShipped { already: 2, .. }), "{err:?}");
    assert_eq!(w.alloc, before);
    let done = w.alloc.return_units_once(&two, &order("R"), 1, q(4), Restock::Unsellable).unwrap();
    assert!(!done.duplicate && done.changes.is_empty());
    // Ids and plain returns share the line's count: all 6 are back.
    let err = w.alloc.return_units(&order("R"), 1, q(1), Restock::Sellable).unwrap_err();
    assert!(matches!(err, AllocError::ReturnExceedsShipped { shipped: 6, already: 6, .. }));
    assert!(
        w.alloc.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable).unwrap().duplicate
    );
    assert_eq!(w.on_hand(w.a), 5);
    // A purge forgets the fully returned line and its ids.
    assert_eq!(w.alloc.purge_closed(), 1);
    let err = w.alloc.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable);
    assert!(matches!(err, Err(AllocError::UnknownLine { .. })), "{err:?}");
    // Freed, the id can name a return of another line.
    let done = w.alloc.return_units_once(&one, &order("R2"), 1, q(1), Restock::Sellable).unwrap();
    assert!(!done.duplicate);
    assert_eq!(w.on_hand(w.a), 6);
}

/// Recorded return ids travel in snapshots: after a restore a repeat is
/// still a duplicate and a conflicting reuse still an error. A snapshot
/// whose ids no operation could leave is refused.
#[cfg(feature = "serde")]
#[test]
fn return_ids_survive_a_snapshot() {
    use merchantry_allocate::Allocator;
    use serde_json::json;

    let mut w = world();
    w.stock(w.a, 10);
    w.reserve("R", w.web, 6).unwrap();
    w.alloc.commit(&order("R"), 1).unwrap();
    w.reserve("S", w.web, 1).unwrap();
    w.alloc.commit(&order("S"), 1).unwrap();
    let one = rid("RMA-1");
    w.alloc.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable).unwrap();
    let v = serde_json::to_value(&w.alloc).unwrap();
    assert_eq!(
        v["returns"],
        json!({"RMA-1": {"order": "R", "line": 1, "units": 2, "restock": "Sellable"}})
    );
    let mut back: Allocator = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, w.alloc);
    assert_eq!(serde_json::to_value(&back).unwrap(), v);
    let again = back.return_units_once(&one, &order("R"), 1, q(2), Restock::Sellable).unwrap();
    assert!(again.duplicate);
    let err = back.return_units_once(&one, &order("R"), 1, q(1), Restock::Sellable);
    assert!(matches!(err, Err(AllocError::ReturnIdConflict { units: 2, .. })), "{err:?}");
    assert_eq!(back.on_hand(w.sku, w.a).unwrap(), q(5));

    let load = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        edit(&mut v);
        serde_json::from_value::<Allocator>(v).map_err(|e| e.to_string())
    };
    type Edit<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(&str, Edit<'_>); 4] = [
        ("return RMA-1 names order X line 1, which is not known", &|v| {
            v["returns"]["RMA-1"]["order"] = json!("X");
        }),
        ("return RMA-1 records 0 units for order R line 1, which is returned", &|v| {
            v["returns"]["RMA-1"]["units"] = json!(0);
        }),
        ("return RMA-2 records 1 units for order S line 1, which is shipped", &|v| {
            v["returns"]["RMA-2"] =
                json!({"order": "S", "line": 1, "units": 1, "restock": "Sellable"});
        }),
        ("returns recorded for order R line 1 add up to more than its 2 units back", &|v| {
            v["returns"]["RMA-0"] =
                json!({"order": "R", "line": 1, "units": 1, "restock": "Sellable"});
        }),
    ];
    for (reason, edit) in cases {
        assert_eq!(load(edit), Err(format!("invalid snapshot: {reason}")));
    }
    assert!(load(&|v| v["returns"]["bad id "] = json!({})).is_err());
}

/// Hostile returns, with and without an id: unknown lines, lines never
/// shipped, quantities at the ends of the range, a kit needing
/// `u32::MAX` units of a component. Each is a typed error and leaves the
/// allocator exactly as it was; none records its id.
#[test]
fn hostile_returns_are_refused_and_change_nothing() {
    let mut w = world();
    let big = i64::from(u32::MAX);
    w.stock(w.a, big + 3);
    let (kit, _) = w.alloc.define_bundle(&Sku::new("KIT").unwrap(), &[(w.sku, u32::MAX)]).unwrap();
    let line = [LineRequest::new(1, kit, q(1))];
    w.alloc.reserve(&order("K"), w.web, &line, &ReserveOptions::default()).unwrap();
    w.alloc.commit(&order("K"), 1).unwrap();
    w.reserve("P", w.web, 3).unwrap();
    w.alloc.commit(&order("P"), 1).unwrap();
    w.stock(w.b, 1);
    w.reserve("OPEN", w.web, 1).unwrap();
    let before = w.alloc.clone();
    let rma = rid("RMA-H");
    // (order, line, units, what the error must be)
    type Case = (&'static str, u32, i64, fn(&AllocError) -> bool);
    let cases: [Case; 9] = [
        ("NOPE", 1, 1, |e| matches!(e, AllocError::UnknownLine { .. })),
        ("P", 2, 1, |e| matches!(e, AllocError::UnknownLine { line: 2, .. })),
        ("P", 1, 0, |e| matches!(e, AllocError::BadQuantity { value: 0, .. })),
        ("P", 1, -1, |e| matches!(e, AllocError::BadQuantity { value: -1, .. })),
        ("P", 1, i64::MIN, |e| matches!(e, AllocError::BadQuantity { value: i64::MIN, .. })),
        ("P", 1, i64::MAX, |e| matches!(e, AllocError::ReturnExceedsShipped { shipped: 3, .. })),
        ("K", 1, 2, |e| matches!(e, AllocError::ReturnExceedsShipped { shipped: 1, .. })),
        ("K", 1, i64::MAX, |e| matches!(e, AllocError::ReturnExceedsShipped { shipped: 1, .. })),
        ("OPEN", 1, 1, |e| matches!(e, AllocError::WrongState { state: LineState::Reserved, .. })),
    ];
    for (o, line, n, want) in cases {
        for restock in [Restock::Sellable, Restock::Unsellable] {
            let err = w.alloc.return_units(&order(o), line, q(n), restock).unwrap_err();
            assert!(want(&err), "{o}/{line} x {n}: {err:?}");
            let err = w.alloc.return_units_once(&rma, &order(o), line, q(n), restock).unwrap_err();
            assert!(want(&err), "{o}/{line} x {n} with an id: {err:?}");
            assert_eq!(w.alloc, before, "{o}/{line} x {n}");
        }
    }
    // The kit's one unit comes back whole: u32::MAX mugs to A, which had
    // (u32::MAX + 3) - u32::MAX - 3 = 0 left after both shipments.
    assert_eq!(w.on_hand(w.a), 0);
    w.alloc.return_units_once(&rma, &order("K"), 1, q(1), Restock::Sellable).unwrap();
    assert_eq!(w.on_hand(w.a), big);
}

/// A give-up rule that panics (say, on a line whose ship date the caller
/// lacks) leaves the allocator as it was: every line is picked before any
/// is forgotten. It once forgot the lines before the panic but kept their
/// return ids, so a repeat read as a duplicate and the snapshot would not
/// load.
#[test]
fn a_panicking_give_up_rule_changes_nothing() {
    let mut w = world();
    w.stock(w.a, 10);
    for id in ["A", "B"] {
        w.reserve(id, w.web, 3).unwrap();
        w.alloc.commit(&order(id), 1).unwrap();
    }
    let rma = rid("RMA-A");
    w.alloc.return_units_once(&rma, &order("A"), 1, q(1), Restock::Sellable).unwrap();
    let before = w.alloc.clone();
    let purge = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        w.alloc.purge_shipped_if(|l| {
            assert!(l.order.as_str() != "B", "no ship date for B");
            true
        })
    }));
    assert!(purge.is_err());
    assert!(w.alloc == before, "a panicking rule changed the allocator");
    let again = w.alloc.return_units_once(&rma, &order("A"), 1, q(1), Restock::Sellable);
    assert!(again.unwrap().duplicate);
}
