//! The Claims section of an `--amazon` run: Reimbursements rows booked
//! against the ledger's lost and damaged write-offs, and the write-offs
//! still open.

use super::*;

/// The Claims section: write-offs still open, and those paid for more
/// units than are still lost, on the last day the plan stands on. In
/// `--json` its amounts are the figures the text prints: rounded to the
/// cent, as strings with two decimals (`"8.00"`).
#[derive(Serialize)]
pub(super) struct Claims {
    pub(super) as_of: NaiveDate,
    /// `--claim-days`.
    pub(super) claim_days: u32,
    /// Open write-offs, oldest first.
    pub(super) open: Vec<ClaimLine>,
    /// Write-offs reimbursed for more units than are still lost.
    pub(super) overreimbursed: Vec<ClaimLine>,
    /// Reimbursement events booked naming no write-off (a reason other
    /// than a warehouse loss, or units beyond the losses found), with
    /// their units and amount less those reversals took back.
    pub(super) paid_without_loss: PaidWithoutLoss,
    /// The currency of the reimbursed amounts, when a Reimbursements row
    /// was booked (null otherwise).
    pub(super) currency: Option<String>,
    /// The latest approval date of a reimbursement booked, when later
    /// than `as_of` or not: payments are counted to it, so a payment
    /// approved after the ledger's last day still shows (null when none
    /// was booked).
    pub(super) paid_to: Option<NaiveDate>,
    /// Reimbursements files read: with none, every write-off shows as
    /// unpaid.
    pub(super) reimbursement_files_read: u64,
    /// Reimbursements rows read from them: with some but none booked (a
    /// currency tie, or every row refused), the section cautions that
    /// every write-off shows as unpaid.
    pub(super) reimbursement_rows_read: u64,
    /// Reimbursements files rejected (name: error): their payments are
    /// not counted.
    pub(super) reimbursement_files_rejected: Vec<String>,
    /// Reimbursements rows read but left out (unreadable, refused, or in
    /// another currency), each as its file and line: what they paid is
    /// not counted, so a write-off they paid can show as open.
    pub(super) reimbursement_rows_left_out: Vec<String>,
}

/// The reimbursements of the Claims section booked naming no
/// write-off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(super) struct PaidWithoutLoss {
    /// Reimbursement events booked naming no write-off, less those
    /// reversals took back whole.
    pub(super) payments: u64,
    /// The units they paid, less those reversals took back.
    pub(super) units: i64,
    /// What they paid, less what reversals took back.
    #[serde(serialize_with = "as_cents")]
    pub(super) amount: Decimal,
}

/// Serializes an amount as [`cents`] prints it: `"8.00"`.
fn as_cents<S: serde::Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&cents(*amount))
}

/// [`as_cents`] for an amount that may be unknown (`null`).
fn as_cents_or_null<S: serde::Serializer>(
    amount: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match amount {
        Some(amount) => as_cents(amount, serializer),
        None => serializer.serialize_none(),
    }
}

/// One write-off of the Claims section.
#[derive(Serialize)]
pub(super) struct ClaimLine {
    pub(super) date: NaiveDate,
    pub(super) sku: String,
    /// `lost`, `damaged` or `short`.
    pub(super) what: &'static str,
    /// The detail view's reason code of the write-off (`E`, `M`, `7`,
    /// ...), when its row gave one: Amazon pays for some codes and not
    /// others, so the code is shown to check before filing.
    pub(super) code: Option<String>,
    /// The code says the damage was not Amazon's own
    /// (`ReasonCode::damage_not_amazons`), which Amazon's reimbursement
    /// policy may not pay for: the action says "check code" instead of
    /// "file a claim".
    pub(super) amazon_may_not_pay: bool,
    pub(super) units: i64,
    pub(super) found: i64,
    pub(super) reimbursed: i64,
    #[serde(serialize_with = "as_cents")]
    pub(super) reimbursed_amount: Decimal,
    /// Units still lost less those reimbursed (below zero when
    /// over-reimbursed).
    pub(super) open: i64,
    /// The value the whole write-off took out of stock, at cost; `None`
    /// (`-`, JSON `null`) for a SKU with no unit cost, which the ledger
    /// values at zero.
    #[serde(serialize_with = "as_cents_or_null")]
    pub(super) value_at_cost: Option<Decimal>,
    /// At least `--claim-days` old: file a claim.
    pub(super) claimable: bool,
}

impl ClaimLine {
    fn new(
        claim: &OpenClaim,
        as_of: NaiveDate,
        claim_days: u32,
        (priced, code): (bool, Option<String>),
    ) -> Self {
        let date = claim.write_off.at.date_naive();
        let what = match &claim.write_off.kind {
            EventKind::Adjustment { reason: AdjustmentReason::Lost, .. } => "lost",
            EventKind::Adjustment { .. } => "damaged",
            _ => "short",
        };
        Self {
            date,
            sku: claim.write_off.sku.to_string(),
            what,
            amazon_may_not_pay: code
                .as_deref()
                .is_some_and(|c| ReasonCode::parse(c).damage_not_amazons()),
            code,
            units: claim.units.get(),
            found: claim.units_back().get(),
            reimbursed: claim.reimbursed_units.get(),
            reimbursed_amount: claim.reimbursed_amount,
            open: claim.net_units().get().saturating_sub(claim.reimbursed_units.get()),
            value_at_cost: priced.then_some(claim.value),
            claimable: (as_of - date).num_days() >= i64::from(claim_days),
        }
    }
}

/// The Claims section of the books on `as_of`, when the detail view
/// booked a lost or damaged write-off.
pub(super) fn claims(books: &Books, as_of: Option<NaiveDate>, claim_days: u32) -> Option<Claims> {
    let as_of = as_of?;
    if books.losses.is_empty() {
        return None;
    }
    // The reason code of each loss row, by the event id it was booked as.
    let codes: BTreeMap<EventId, &ReasonCode> = books
        .losses
        .iter()
        .filter_map(|row| Some((row.key().event_id().ok()?, row.reason.as_ref()?)))
        .collect();
    let line = |c: &OpenClaim| {
        let priced = books.unit_costs.contains_key(&c.write_off.sku);
        let code = codes.get(&c.write_off.id).map(|r| r.code().to_owned());
        ClaimLine::new(c, as_of, claim_days, (priced, code))
    };
    // Write-offs are aged on `as_of`, but payments approved after it are
    // booked too, so the ledger is asked on the later day.
    let paid_by = books.paid_to.map_or(as_of, |d| d.max(as_of));
    Some(Claims {
        as_of,
        claim_days,
        open: books.ledger.unreimbursed(paid_by, 0).iter().map(line).collect(),
        overreimbursed: books.ledger.overreimbursed(paid_by).iter().map(line).collect(),
        paid_without_loss: books.paid_without_loss,
        currency: books.reimbursement_currency.clone(),
        paid_to: books.paid_to,
        reimbursement_files_read: books.reimbursement_files_read,
        reimbursement_rows_read: books.reimbursement_rows_read,
        reimbursement_files_rejected: books.reimbursement_files_rejected.clone(),
        reimbursement_rows_left_out: books.reimbursement_rows_left_out.clone(),
    })
}

impl Books {
    /// Books the Reimbursements rows read, once every detail file is
    /// read. Payments are matched to the booked losses by the crate's
    /// `match_reimbursements_net` (first in, first out per FNSKU,
    /// warehouse reasons only, over the units still lost on the
    /// approval day: see `found_on`) and booked one event per loss
    /// they pay for, naming its event id, the amount split by units (the last piece takes the
    /// rounding); units no loss takes, and payments for other reasons, are
    /// booked naming no write-off. A reversal takes its units back from
    /// those its original paid naming no loss first (lowering the
    /// payments without a loss: the ledger refuses a reversal naming no
    /// write-off), then from the write-offs its original was booked
    /// against, those over-reimbursed on its day first (up to the
    /// excess), then the latest first (see `take_back`), each piece
    /// giving back what its units got (see `reversal_amounts`); one whose original was not booked,
    /// or booked for fewer units than it takes back, or that takes back
    /// money alone, is not booked and counted as unmatched, and one that
    /// takes back more money than its units got, or any piece of which
    /// the ledger refuses, books none of its pieces. A repeated reversal
    /// counts as a duplicate; reversal rows of one id and item that
    /// differ book none, each counted as rows that disagree.
    pub(super) fn book_reimbursements(&mut self) {
        let rows = std::mem::take(&mut self.reimbursements);
        if rows.is_empty() {
            return;
        }
        self.reimbursement_rows_read = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        // A quantity beyond 10,000,000 units is a corrupt number, as in
        // the other reports: the row is not used, and has no say in the
        // currency or in which losses the payments cover.
        let rows: Vec<(String, ReimbursementRow)> = rows
            .into_iter()
            .filter(|(file, row)| {
                let Some((column, q)) = absurd_reimbursed(row) else { return true };
                self.not_used(file, row, ABSURD_UNITS, Some(format!("{column} {q}")));
                false
            })
            .collect();
        // The files in the order they were read, for naming the rows not
        // used in line order.
        let mut file_order: BTreeMap<String, usize> = BTreeMap::new();
        for (file, _) in &rows {
            let next = file_order.len();
            file_order.entry(file.clone()).or_insert(next);
        }
        let rows = self.one_currency(rows);
        let known: BTreeSet<Sku> = self.ledger.skus().into_iter().collect();
        let (mut reversals, payments): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|(_, r)| r.is_reversal());
        let paid: Vec<ReimbursementRow> = payments.iter().map(|(_, r)| r.clone()).collect();
        // The units of a write-off found again by a day only grow with the
        // day (finds and late receipts net against the oldest losses and
        // stay there): one with none by the last approval day had none on
        // any approval day. The ledger is asked for the others' days only
        // when a payment could pay them, each day once: asked for every
        // approval day, it listed every write-off each time (seconds, and
        // gigabytes, for tens of thousands of rows).
        let last_day = paid.iter().map(|r| r.approval_date).max();
        let found_last = last_day.map(|day| self.found_on(day)).unwrap_or_default();
        let found_by_day: RefCell<BTreeMap<NaiveDate, BTreeMap<EventId, i64>>> = RefCell::default();
        // A payment covers the units still lost on its approval day, not
        // those found again by then (the ledger's netting, oldest loss
        // first): matching by units written off would pay a found unit
        // and leave a later loss of the payment unpaid.
        let matching = match_reimbursements_net(&self.losses, &paid, |loss, day| {
            let units = loss.quantity.get().saturating_neg();
            let Ok(id) = loss.event_id() else { return Quantity::ZERO };
            if found_last.get(&id) == Some(&0) {
                return Quantity::ZERO;
            }
            let mut by_day = found_by_day.borrow_mut();
            let open = by_day.entry(day).or_insert_with(|| self.found_on(day));
            // Not listed as open on the day: found whole.
            Quantity::new(open.get(&id).copied().unwrap_or(units))
        });
        let conflicting: BTreeSet<&str> =
            matching.conflicting_reimbursements.iter().map(String::as_str).collect();
        // The matches by reimbursement id, so that a row looks at its own
        // id's, not at every one (which took seconds for a few ten
        // thousand rows).
        let mut matches_by_id: BTreeMap<&str, Vec<&LossMatch>> = BTreeMap::new();
        for m in &matching.matches {
            matches_by_id.entry(m.reimbursement_id.as_str()).or_default().push(m);
        }
        // The pieces each payment was booked as, by its id and item, for
        // reversals to take back from: its write-offs (write-off, units,
        // amount), and the units and amount it booked naming no loss.
        let (booked, booked_by_id) = self.in_one_batch(|books, booker| {
            books.book_payments(booker, &payments, &matches_by_id, &conflicting)
        });
        // Reversal rows of one id and item that differ (amount, units,
        // original, date, any cell but the line): which holds cannot be
        // told, so none of them is booked, as with payments.
        let mut copies: BTreeMap<(String, String), Vec<&ReimbursementRow>> = BTreeMap::new();
        for (_, row) in &reversals {
            let key = (row.reimbursement_id.clone(), row_item(row).to_owned());
            copies.entry(key).or_default().push(row);
        }
        let disagreeing: BTreeSet<(String, String)> = copies
            .into_iter()
            .filter(|(_, rows)| rows.iter().any(|r| !r.same_content(rows[0])))
            .map(|(key, _)| key)
            .collect();
        reversals.sort_by(|(_, a), (_, b)| {
            (a.approval_date, &a.reimbursement_id).cmp(&(b.approval_date, &b.reimbursement_id))
        });
        // Every reversal in one batch too; a payment's pieces change as
        // reversals take from them, so each run starts from the payments.
        self.in_one_batch(|books, booker| {
            let mut booked = booked.clone();
            books.book_reversals(booker, &reversals, &mut booked, &booked_by_id, &disagreeing);
        });
        let mut not_used = std::mem::take(&mut self.reimbursements_not_used);
        not_used.sort_by_key(|(file, line, _, _)| (file_order.get(file).copied(), *line));
        for (_, _, why, example) in not_used {
            // Rows that pay nothing, and reversals of payments naming no
            // loss (booked as lower payments), leave no write-off wrong.
            if why != NOTHING_TO_BOOK && why != REVERSAL_WITHOUT_LOSS {
                self.reimbursement_rows_left_out.push(example.clone());
            }
            self.counts.skip(&why, Some(example));
        }
        self.reimbursed_only =
            self.ledger.skus().into_iter().filter(|sku| !known.contains(sku)).collect();
    }

    /// Counts Reimbursements row `row` of `file` as not used for `why`
    /// (`detail` after its line in the example), held until every row is
    /// booked: payments are booked before reversals, and the examples
    /// name the rows in line order.
    fn not_used(&mut self, file: &str, row: &ReimbursementRow, why: &str, detail: Option<String>) {
        let mut example = format!("{file} line {}", row.line);
        if let Some(detail) = detail {
            example.push_str(": ");
            example.push_str(&detail);
        }
        self.reimbursements_not_used.push((file.to_owned(), row.line, why.to_owned(), example));
    }

    /// Books the payments (each row's pieces on its write-offs and the
    /// units no loss takes, [`Books::book_reimbursements`]) by `booker`,
    /// which plans them or books them in the ledger; the payments booked,
    /// and their indexes by reimbursement id.
    fn book_payments(
        &mut self,
        booker: &mut Booker,
        payments: &[(String, ReimbursementRow)],
        matches_by_id: &BTreeMap<&str, Vec<&LossMatch>>,
        conflicting: &BTreeSet<&str>,
    ) -> (Vec<Booked>, BTreeMap<String, Vec<usize>>) {
        let mut booked: Vec<Booked> = Vec::new();
        let mut booked_by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (file, row) in payments {
            if row.approval_date > self.latest_day {
                self.not_used(file, row, "dated in the future", None);
                continue;
            }
            if conflicting.contains(row.reimbursement_id.as_str()) {
                self.not_used(file, row, REIMBURSEMENT_CONFLICT, None);
                continue;
            }
            if is_nothing(row) {
                self.not_used(file, row, NOTHING_TO_BOOK, None);
                continue;
            }
            let matched: Vec<_> = matches_by_id
                .get(row.reimbursement_id.as_str())
                .into_iter()
                .flatten()
                .filter(|m| row.pays_for(&m.loss))
                .collect();
            let Some(sku) =
                row.sku.clone().or_else(|| matched.first().map(|m| m.loss.msku.clone()))
            else {
                self.not_used(file, row, "Reimbursements row names no SKU", None);
                continue;
            };
            let mut pieces: Vec<(Option<EventId>, i64)> =
                matched.iter().map(|m| (m.loss.event_id().ok(), m.units.get())).collect();
            let covered: i64 = pieces.iter().map(|(_, u)| *u).sum();
            let rest = row.quantity_total.get().saturating_sub(covered);
            if rest > 0 || pieces.is_empty() {
                pieces.push((None, rest.max(0)));
            }
            let Some(amounts) = split_amount(row.amount_total.amount(), &pieces) else {
                self.not_used(file, row, AMOUNT_TOO_LARGE, None);
                continue;
            };
            let without_loss = pieces
                .iter()
                .zip(&amounts)
                .filter(|((write_off, _), _)| write_off.is_none())
                .try_fold(self.paid_without_loss.amount, |sum, (_, a)| sum.checked_add(*a));
            if without_loss.is_none() {
                self.not_used(file, row, AMOUNT_TOO_LARGE, None);
                continue;
            }
            // The units paid naming no loss must add up too: a saturated
            // tally would print a wrong figure, and a reversal would take
            // back from it.
            let units_without_loss = pieces
                .iter()
                .filter(|(write_off, _)| write_off.is_none())
                .try_fold(self.paid_without_loss.units, |sum, (_, u)| sum.checked_add(*u));
            if units_without_loss.is_none() {
                self.not_used(file, row, UNITS_TOO_LARGE, None);
                continue;
            }
            let mut kept = Vec::new();
            let mut loose = (0i64, Decimal::ZERO);
            for (n, ((write_off, units), amount)) in pieces.into_iter().zip(amounts).enumerate() {
                let kind = EventKind::Reimbursement {
                    amount,
                    units: Quantity::new(units),
                    write_off: write_off.clone(),
                };
                let label = if write_off.is_some() {
                    "reimbursement of a loss"
                } else {
                    "reimbursement naming no loss"
                };
                if !self.book_reimbursement(booker, file, row, &sku, n, kind, label) {
                    continue;
                }
                match write_off {
                    Some(id) => kept.push((id, units, amount)),
                    None => {
                        loose.0 = loose.0.saturating_add(units);
                        loose.1 = loose.1.saturating_add(amount);
                        let paid = &mut self.paid_without_loss;
                        paid.payments += 1;
                        paid.units = paid.units.saturating_add(units);
                        paid.amount = paid.amount.saturating_add(amount);
                    }
                }
            }
            // A repeated row (within a file or across files) books
            // nothing new: it joins the payment already booked, so a
            // reversal finds one original.
            let same_id = booked_by_id.entry(row.reimbursement_id.clone()).or_default();
            match same_id.iter().find(|&&i| booked[i].row.same_item(row)) {
                Some(&i) => {
                    let entry = &mut booked[i];
                    entry.pieces.extend(kept);
                    entry.loose_units = entry.loose_units.saturating_add(loose.0);
                    entry.loose_amount = entry.loose_amount.saturating_add(loose.1);
                }
                None => {
                    same_id.push(booked.len());
                    booked.push(Booked {
                        row: row.clone(),
                        sku,
                        pieces: kept,
                        loose_units: loose.0,
                        loose_amount: loose.1,
                    });
                }
            }
        }
        (booked, booked_by_id)
    }

    /// Books the reversals (in date order) against the payments
    /// `booked`, taking back what each names ([`Books::book_reimbursements`]),
    /// by `booker`, which plans them or books them in the ledger.
    fn book_reversals(
        &mut self,
        booker: &mut Booker,
        reversals: &[(String, ReimbursementRow)],
        booked: &mut [Booked],
        booked_by_id: &BTreeMap<String, Vec<usize>>,
        disagreeing: &BTreeSet<(String, String)>,
    ) {
        let mut reversed: BTreeSet<(String, String)> = BTreeSet::new();
        // The units each write-off is paid for beyond those still lost,
        // on the day of the reversal being booked: asked of the ledger
        // once a day (reversals come in date order) and then lowered by
        // what each reversal takes back, instead of asked again for
        // every reversal (which made booking quadratic in the rows).
        let mut excess_on: Option<(NaiveDate, BTreeMap<EventId, i64>)> = None;
        // While `booker` plans, the units taken back from each write-off
        // so far, which the ledger does not hold yet (see below).
        let mut taken_back: BTreeMap<EventId, i64> = BTreeMap::new();
        // While `booker` plans, the ledger holds the payments alone, and
        // what they paid beyond the units still lost only grows with the
        // day: with none over-paid on the last reversal's day, none is on
        // any day, and the ledger need not be asked day by day.
        let none_over = booker.plans()
            && reversals
                .iter()
                .map(|(_, r)| r.approval_date)
                .filter(|day| *day <= self.latest_day)
                .max()
                .is_none_or(|last| self.excess_paid(last).is_empty());
        for (file, row) in reversals {
            if row.approval_date > self.latest_day {
                self.not_used(file, row, "dated in the future", None);
                continue;
            }
            let key = (row.reimbursement_id.clone(), row_item(row).to_owned());
            if disagreeing.contains(&key) {
                self.not_used(file, row, REIMBURSEMENT_CONFLICT, None);
                continue;
            }
            if is_nothing(row) {
                self.not_used(file, row, NOTHING_TO_BOOK, None);
                continue;
            }
            // A repeated reversal takes nothing more back.
            if !reversed.insert(key) {
                self.counts.duplicates_ignored += 1;
                continue;
            }
            let units = row.quantity_total.get().saturating_abs();
            let originals: Vec<usize> = row
                .original_reimbursement_id
                .as_ref()
                .and_then(|original| booked_by_id.get(original))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| booked[i].row.same_item(row))
                .collect();
            // Units paid naming no loss are taken back first, then the
            // write-offs' units: those paid for more units than are still
            // lost on the reversal's day, up to the excess, then the
            // latest first.
            let taken = match originals.as_slice() {
                [only] if units > 0 => {
                    let loose = units.min(booked[*only].loose_units.max(0));
                    let day = row.approval_date;
                    if units > loose && excess_on.as_ref().is_none_or(|(on, _)| *on != day) {
                        // The ledger's excess less what the reversals
                        // planned so far (all dated by `day`) took back:
                        // max(0, paid - taken - lost) = max(0, max(0,
                        // paid - lost) - taken).
                        let mut excess =
                            if none_over { BTreeMap::new() } else { self.excess_paid(day) };
                        for (id, excess) in &mut excess {
                            let taken = taken_back.get(id).copied().unwrap_or(0);
                            *excess = (*excess - taken).max(0);
                        }
                        excess_on = Some((day, excess));
                    }
                    let none = BTreeMap::new();
                    let excess = excess_on.as_ref().map_or(&none, |(_, excess)| excess);
                    take_back(&booked[*only].pieces, units - loose, excess)
                        .map(|pieces| (*only, loose, pieces))
                }
                _ => None,
            };
            let Some((only, loose, pieces)) = taken else {
                self.not_used(file, row, REVERSAL_UNMATCHED, None);
                continue;
            };
            let sku = row.sku.clone().unwrap_or_else(|| booked[only].sku.clone());
            // (write-off, units taken, units standing, amount standing).
            let mut shares: Vec<(Option<EventId>, i64, i64, Decimal)> = Vec::new();
            if loose > 0 {
                shares.push((None, loose, booked[only].loose_units, booked[only].loose_amount));
            }
            for (id, units) in &pieces {
                if let Some((_, standing, paid)) =
                    booked[only].pieces.iter().find(|(w, _, _)| w == id)
                {
                    shares.push((Some(id.clone()), *units, *standing, *paid));
                }
            }
            let amounts = match reversal_amounts(-row.amount_total.amount(), &shares) {
                Ok(amounts) => amounts,
                Err(why) => {
                    self.not_used(file, row, why, None);
                    continue;
                }
            };
            // Every piece on a write-off goes to the ledger in one batch,
            // all or nothing; the loose part is lowered only when it took.
            // The events, and the write-off, units and amount of each.
            let (mut batch, mut events) = (Vec::new(), Vec::new());
            for (n, ((id, taken, _, _), amount)) in shares.iter().zip(&amounts).enumerate() {
                let Some(id) = id else { continue };
                let back = negated(*amount);
                let kind =
                    EventKind::reimbursement_reversal(back, Quantity::new(-*taken), id.clone());
                let Some(event) = self.reimbursement_event(row, &sku, n, kind) else {
                    break;
                };
                batch.push(event);
                events.push((id, *taken, back));
            }
            if events.len() < shares.iter().filter(|s| s.0.is_some()).count() {
                self.not_used(file, row, "no stable key", None);
                continue;
            }
            let outcomes = match booker.ingest_batch(&mut self.ledger, batch) {
                Ok(outcomes) => outcomes,
                Err(e) => {
                    self.not_used(file, row, "refused by the ledger", Some(e.to_string()));
                    continue;
                }
            };
            for (outcome, (id, taken, amount)) in outcomes.iter().zip(&events) {
                if matches!(outcome, IngestOutcome::Duplicate) {
                    self.counts.duplicates_ignored += 1;
                    continue;
                }
                self.counts.booked("reimbursement reversal");
                self.paid_to = self.paid_to.max(Some(row.approval_date));
                if let Some(piece) = booked[only].pieces.iter_mut().find(|(w, _, _)| w == *id) {
                    piece.1 -= taken;
                    piece.2 = piece.2.saturating_add(*amount);
                }
                // Paid for `taken` units fewer: the excess falls as much
                // (and a write-off no longer over-paid has none).
                if let Some(excess) = excess_on.as_mut().and_then(|(_, e)| e.get_mut(*id)) {
                    *excess = (*excess - taken).max(0);
                }
                if booker.plans() {
                    *taken_back.entry((*id).clone()).or_insert(0) += taken;
                }
            }
            if let (Some((None, taken, _, _)), Some(amount)) = (shares.first(), amounts.first()) {
                // The ledger books no reversal naming no write-off: the
                // payments without a loss are lowered instead.
                let paid = &mut self.paid_without_loss;
                paid.units = paid.units.saturating_sub(*taken);
                paid.amount = paid.amount.saturating_sub(*amount);
                let original = &mut booked[only];
                let standing = original.loose_units != 0 || !original.loose_amount.is_zero();
                original.loose_units -= taken;
                original.loose_amount = original.loose_amount.saturating_sub(*amount);
                // A payment taken back whole is no longer one.
                if standing && original.loose_units == 0 && original.loose_amount.is_zero() {
                    paid.payments = paid.payments.saturating_sub(1);
                }
                *self.counts.booked_as.entry(REVERSAL_WITHOUT_LOSS.to_owned()).or_insert(0) += 1;
                self.paid_to = self.paid_to.max(Some(row.approval_date));
            }
        }
    }

    /// The units each write-off is paid for beyond those still lost on
    /// `day` (payments and reversals booked by then, units found again
    /// by then), by its event id: only those over-reimbursed are listed.
    fn excess_paid(&self, day: NaiveDate) -> BTreeMap<EventId, i64> {
        let over = self.ledger.overreimbursed(day).into_iter().map(|c| {
            let excess = c.reimbursed_units.get().saturating_sub(c.net_units().get());
            (c.write_off.id, excess)
        });
        over.collect()
    }

    /// The units found again (or received late) of each write-off on
    /// `day`, as the ledger nets them, by its event id: those the ledger
    /// lists as open on the day (no payment is booked yet, so every
    /// write-off still lost in part is). One not listed is found whole.
    fn found_on(&self, day: NaiveDate) -> BTreeMap<EventId, i64> {
        let open = self.ledger.unreimbursed(day, 0).into_iter().map(|c| {
            let back = c.units_back().get();
            (c.write_off.id, back)
        });
        open.collect()
    }

    /// The Reimbursements rows in the currency most rows that could book
    /// carry, which it keeps as the section's currency (none when two
    /// currencies tie for most, since neither is the right one to keep);
    /// rows in another currency are counted, not booked, since amounts
    /// in two currencies cannot be added.
    ///
    /// Only payments that could book vote, each once: not a row dated in
    /// the future, a payment of nothing (amount 0, 0 units) or a row of
    /// a reimbursement whose rows for one item disagree (none of which
    /// books), and not a reversal, which books only against a payment of
    /// its own (so it would count that payment twice, or vote for a
    /// payment that is not there). Two such rows in euros outvoted one
    /// real payment in dollars, which was then set aside as in another
    /// currency.
    fn one_currency(
        &mut self,
        rows: Vec<(String, ReimbursementRow)>,
    ) -> Vec<(String, ReimbursementRow)> {
        // Only rows that could book vote: a row dated in the future does
        // not, and a repeated row votes once.
        let mut by_currency: BTreeMap<Currency, usize> = BTreeMap::new();
        let mut seen = SeenRows::default();
        let payments = rows.iter().map(|(_, r)| r).filter(|r| !r.is_reversal());
        // The payments' conflicts in every currency: the booking finds
        // its own among the rows of the currency kept (an id whose rows
        // differ only in another currency's row books its row kept).
        let conflicting = conflicting_reimbursements(payments.clone());
        for row in payments {
            let could_book = row.approval_date <= self.latest_day
                && !is_nothing(row)
                && !conflicting.contains(row.reimbursement_id.as_str());
            if !could_book || !seen.insert(row) {
                continue;
            }
            *by_currency.entry(row.amount_total.currency()).or_insert(0) += 1;
        }
        if by_currency.is_empty() {
            // No payment could book, so nothing will, in any currency:
            // each row is set aside for its own reason (a reversal with
            // no payment to take back from, a payment of nothing, ...),
            // not as in another currency than a vote nobody cast.
            self.reimbursement_currency = None;
            return rows;
        }
        let top = by_currency.values().copied().max().unwrap_or(0);
        let mut leaders = by_currency.iter().filter(|&(_, &n)| n == top).map(|(c, _)| c);
        let most = match (leaders.next(), leaders.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        };
        let (kept, other): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|(_, row)| most == Some(row.amount_total.currency()));
        // A row read twice (one file passed twice, or overlapping
        // downloads) is a repeat here too, as it is when booked.
        let mut seen = SeenRows::default();
        for (file, row) in &other {
            if !seen.insert(row) {
                self.counts.duplicates_ignored += 1;
                continue;
            }
            let at_line = format!("{file} line {}: {}", row.line, row.amount_total.currency());
            self.reimbursement_rows_left_out.push(at_line.clone());
            self.counts.skip(OTHER_CURRENCY, Some(at_line));
        }
        self.reimbursement_currency = most.map(|c| c.to_string());
        kept
    }

    /// The event of piece `n` of a Reimbursements row, as `kind` under
    /// `sku`; `None` when its id cannot be made.
    fn reimbursement_event(
        &self,
        row: &ReimbursementRow,
        sku: &Sku,
        n: usize,
        kind: EventKind,
    ) -> Option<Event> {
        let id =
            EventId::new(format!("amzr-{}-{}-{n}", row.reimbursement_id, row_item(row))).ok()?;
        Some(Event::new(id, at(row.approval_date, 20), sku.clone(), self.location.clone(), kind))
    }

    /// Books piece `n` of a Reimbursements row as `kind` under `sku` by
    /// `booker`; whether it was taken (a repeat of a piece booked or
    /// planned counts as a duplicate, a refusal is counted with the
    /// row's line).
    fn book_reimbursement(
        &mut self,
        booker: &mut Booker,
        file: &str,
        row: &ReimbursementRow,
        sku: &Sku,
        n: usize,
        kind: EventKind,
        label: &'static str,
    ) -> bool {
        let Some(event) = self.reimbursement_event(row, sku, n, kind) else {
            self.not_used(file, row, "no stable key", None);
            return false;
        };
        match booker.ingest(&mut self.ledger, event) {
            Ok(IngestOutcome::Duplicate) => {
                self.counts.duplicates_ignored += 1;
                false
            }
            Ok(_) => {
                self.counts.booked(label);
                self.paid_to = self.paid_to.max(Some(row.approval_date));
                true
            }
            Err(e) => {
                self.not_used(file, row, "refused by the ledger", Some(e.to_string()));
                false
            }
        }
    }

    /// Runs `book` with a booker that plans its ledger events, then books
    /// them in one batch: one pass over each SKU's later events, where
    /// each booked on its own was a late event replaying all of them
    /// (minutes for tens of thousands of rows on one SKU). If the ledger
    /// refuses the batch, or finds a repeat the plan did not, the state
    /// is put back as it was and `book` runs again with a booker that
    /// books row by row in the ledger, so that a row the ledger refuses
    /// is set aside alone.
    fn in_one_batch<T>(&mut self, mut book: impl FnMut(&mut Self, &mut Booker) -> T) -> T {
        let before = (
            self.counts.clone(),
            self.paid_without_loss,
            self.paid_to,
            self.reimbursements_not_used.len(),
        );
        let mut planner = Booker::Plan(PlannedEvents::default());
        let planned_run = book(self, &mut planner);
        match self.ledger.ingest_batch(planner.planned()) {
            Ok(outcomes) if !outcomes.iter().any(|o| matches!(o, IngestOutcome::Duplicate)) => {
                planned_run
            }
            _ => {
                let (counts, paid_without_loss, paid_to, not_used) = before;
                (self.counts, self.paid_without_loss, self.paid_to) =
                    (counts, paid_without_loss, paid_to);
                self.reimbursements_not_used.truncate(not_used);
                book(self, &mut Booker::Ingest)
            }
        }
    }
}

/// A payment booked against one write-off: its event id, and the
/// units and amount still standing on it.
type Piece = (EventId, i64, Decimal);

/// Reimbursement events planned to be booked in one batch
/// ([`Books::in_one_batch`]), and their ids.
#[derive(Default)]
struct PlannedEvents {
    events: Vec<Event>,
    ids: BTreeSet<EventId>,
}

impl PlannedEvents {
    /// Plans `event`, as the ledger would take it: `Duplicate` for an id
    /// already planned (a repeated row's pieces have the first's ids).
    fn take(&mut self, event: Event) -> IngestOutcome {
        if !self.ids.insert(event.id.clone()) {
            return IngestOutcome::Duplicate;
        }
        self.events.push(event);
        IngestOutcome::Applied { corrections: Corrections::default(), true_ups: Vec::new() }
    }
}

/// Where a run of [`Books::in_one_batch`] sends its reimbursement
/// events: into a plan, booked in one batch after the run, or into the
/// ledger as they come. Booking and planning answer alike: the outcome
/// of each event, `Duplicate` for a repeat.
enum Booker {
    /// The events planned so far.
    Plan(PlannedEvents),
    /// Each event booked in the ledger as it comes.
    Ingest,
}

impl Booker {
    /// Whether events are planned: the ledger does not hold them yet.
    const fn plans(&self) -> bool {
        matches!(self, Self::Plan(_))
    }

    /// Plans `event`, or books it in `ledger`.
    fn ingest(&mut self, ledger: &mut Ledger, event: Event) -> Result<IngestOutcome, LedgerError> {
        match self {
            Self::Plan(planned) => Ok(planned.take(event)),
            Self::Ingest => ledger.ingest(event),
        }
    }

    /// Plans `batch`, or books it in `ledger` (all or nothing); one
    /// outcome per event.
    fn ingest_batch(
        &mut self,
        ledger: &mut Ledger,
        batch: Vec<Event>,
    ) -> Result<Vec<IngestOutcome>, LedgerError> {
        match self {
            Self::Plan(planned) => Ok(batch.into_iter().map(|event| planned.take(event)).collect()),
            Self::Ingest => ledger.ingest_batch(batch),
        }
    }

    /// The events planned, in the order planned (none when booking).
    fn planned(self) -> Vec<Event> {
        match self {
            Self::Plan(planned) => planned.events,
            Self::Ingest => Vec::new(),
        }
    }
}

/// A payment booked, for its reversals to take back from.
#[derive(Clone)]
struct Booked {
    /// Its row.
    row: ReimbursementRow,
    /// The SKU it was booked under.
    sku: Sku,
    /// Its pieces on write-offs.
    pieces: Vec<Piece>,
    /// The units it paid naming no loss, still standing.
    loose_units: i64,
    /// What it paid naming no loss, still standing.
    loose_amount: Decimal,
}

/// The Reimbursements rows seen so far, by reimbursement id, for telling
/// a row read twice (one file passed twice, or overlapping downloads):
/// one that says the same as a row seen in every field but its line
/// ([`ReimbursementRow::same_content`], as the matching and the ledger's
/// event ids tell a repeat).
#[derive(Default)]
struct SeenRows<'a>(BTreeMap<&'a str, Vec<&'a ReimbursementRow>>);

impl<'a> SeenRows<'a> {
    /// Whether `row` is new: `false` for a repeat of a row seen.
    fn insert(&mut self, row: &'a ReimbursementRow) -> bool {
        let seen = self.0.entry(row.reimbursement_id.as_str()).or_default();
        if seen.iter().any(|s| s.same_content(row)) {
            return false;
        }
        seen.push(row);
        true
    }
}

/// Why a Reimbursements row is not booked: rows of one id and item
/// that differ, so which holds cannot be told.
pub(super) const REIMBURSEMENT_CONFLICT: &str =
    "Reimbursements rows of one id and item disagree (none booked)";

/// Why a Reimbursements row is not booked when its amount cannot be
/// split by units, or added to the payments naming no loss, without
/// overflowing.
pub(super) const AMOUNT_TOO_LARGE: &str =
    "Reimbursements amount too large to split by units or to add up (none booked)";

/// Why a Reimbursements row is not booked when its units paid naming no
/// loss cannot be added to those of the rows booked before it.
pub(super) const UNITS_TOO_LARGE: &str =
    "Reimbursements units too large to add to the units paid without a loss (none booked)";

/// Why a Reimbursements row is not booked: an amount of 0 and 0 units
/// pays and takes back nothing.
pub(super) const NOTHING_TO_BOOK: &str =
    "Reimbursements row of amount 0 and 0 units (nothing to book)";

/// Why a Reimbursements row is not booked when the file's other rows
/// are mostly in another currency.
pub(super) const OTHER_CURRENCY: &str = "Reimbursements row in another currency than most, or in one of currencies tied for most \
     (amounts in two currencies are not added)";

/// What a reversal of units paid naming no loss counts as: no ledger
/// event (the ledger refuses a reversal naming no write-off), the
/// payments without a loss lowered instead.
pub(super) const REVERSAL_WITHOUT_LOSS: &str = "reimbursement reversal of units paid naming no loss (no ledger event: the payments without a loss are lowered)";

/// Why a reversal is not booked: the ledger refuses one naming no
/// write-off.
pub(super) const REVERSAL_UNMATCHED: &str = "reimbursement reversal matched to no write-off: its original is not booked, or for fewer units, or it takes back money alone";

/// Why a reversal is not booked: it takes back more money than the
/// units it takes back were paid (their part, to the cent, of what
/// their write-offs or the payment's units paid with no loss got; the
/// other units' money on those pieces is not theirs to give back).
pub(super) const REVERSAL_TOO_MUCH: &str = "reimbursement reversal taking back more money than the units it names were paid (none of it booked)";

/// Whether a Reimbursements row pays or takes back nothing: amount 0
/// and 0 units.
/// The first quantity cell of `row` beyond [`MAX_ROW_UNITS`] either
/// way, named by its column, if any.
fn absurd_reimbursed(row: &ReimbursementRow) -> Option<(&'static str, Quantity)> {
    beyond_row_units([
        ("quantity-reimbursed-cash", row.quantity_cash),
        ("quantity-reimbursed-inventory", row.quantity_inventory),
        ("quantity-reimbursed-total", row.quantity_total),
    ])
}

fn is_nothing(row: &ReimbursementRow) -> bool {
    row.amount_total.amount().is_zero() && row.quantity_total.get() == 0
}

/// The item a Reimbursements row names in its event ids: its FNSKU, else
/// its SKU, else `-`.
fn row_item(row: &ReimbursementRow) -> &str {
    row.fnsku
        .as_ref()
        .map_or_else(|| row.sku.as_ref().map_or("-", Sku::as_str), merchantry::core::Fnsku::as_str)
}

/// `total` split over `pieces` by their units, each rounded to the
/// cent and the last taking what rounding left, so the pieces add up to
/// `total`; with no units at all the first piece takes it whole. `None`
/// when a figure overflows (an amount near `Decimal`'s limit).
fn split_amount<T>(total: Decimal, pieces: &[(T, i64)]) -> Option<Vec<Decimal>> {
    let units = pieces.iter().try_fold(0i64, |sum, (_, u)| sum.checked_add(*u))?;
    let mut left = total;
    let mut out = Vec::with_capacity(pieces.len());
    for (i, (_, u)) in pieces.iter().enumerate() {
        let share = if i + 1 == pieces.len() {
            left
        } else if units == 0 {
            if i == 0 { total } else { Decimal::ZERO }
        } else {
            total.checked_mul(Decimal::from(*u))?.checked_div(Decimal::from(units))?.round_dp(2)
        };
        left = left.checked_sub(share)?;
        out.push(share);
    }
    Some(out)
}

/// `amount` with its sign turned, zero staying positive (so a zero
/// taken back never prints as `-0.00`).
fn negated(amount: Decimal) -> Decimal {
    let mut out = -amount;
    if out.is_zero() {
        out.set_sign_positive(true);
    }
    out
}

/// What a reversal taking back `total` (at or above zero) takes from
/// each of `shares` (units taken, units standing, amount standing): a
/// share taking every unit standing takes back what they got, the
/// others their units' part of what the piece got, rounded up to the
/// cent (one unit of 0.05 paid for two may take back 0.03, as Amazon may
/// have split it that way; a full reversal still restores every piece
/// exactly, and reversals one unit at a time end with the piece at
/// zero); each scaled to `total` and rounded to the cent, none more
/// than its units got, the rounding left on a piece with room for it.
/// Refused when `total` is below zero or more than the units taken got
/// (whatever else stands on their pieces), or a figure overflows.
fn reversal_amounts<T>(
    total: Decimal,
    shares: &[(T, i64, i64, Decimal)],
) -> Result<Vec<Decimal>, &'static str> {
    let too_large = || AMOUNT_TOO_LARGE;
    if total < Decimal::ZERO {
        return Err(REVERSAL_TOO_MUCH);
    }
    // What the units taken got: the most each piece can give back.
    let mut got = Vec::with_capacity(shares.len());
    for (_, taken, standing, paid) in shares {
        let paid = (*paid).max(Decimal::ZERO);
        let part = if taken >= standing || *standing <= 0 {
            paid
        } else {
            let (taken, standing) = (Decimal::from(*taken), Decimal::from(*standing));
            // Near `Decimal::MAX` the product overflows where the share
            // per unit times the units does not.
            paid.checked_mul(taken)
                .and_then(|v| v.checked_div(standing))
                .or_else(|| paid.checked_div(standing)?.checked_mul(taken))
                .ok_or_else(too_large)?
                .round_dp_with_strategy(2, RoundingStrategy::AwayFromZero)
                .min(paid)
        };
        got.push(part);
    }
    let all_got =
        got.iter().try_fold(Decimal::ZERO, |s, g| s.checked_add(*g)).ok_or_else(too_large)?;
    if total > all_got {
        return Err(REVERSAL_TOO_MUCH);
    }
    let mut out = Vec::with_capacity(shares.len());
    for part in &got {
        let share = if total == all_got {
            *part
        } else {
            // `all_got` is above `total`, so above zero.
            total.checked_mul(*part).and_then(|v| v.checked_div(all_got)).ok_or_else(too_large)?
        };
        out.push(share.round_dp(2).min(*part));
    }
    let mut left = out.iter().try_fold(total, |l, a| l.checked_sub(*a)).ok_or_else(too_large)?;
    for (amount, cap) in out.iter_mut().zip(&got) {
        if left.is_zero() {
            break;
        }
        let step = if left > Decimal::ZERO { left.min(*cap - *amount) } else { left.max(-*amount) };
        *amount += step;
        left -= step;
    }
    if left.is_zero() { Ok(out) } else { Err(REVERSAL_TOO_MUCH) }
}

/// The write-offs `units` are taken back from: first those paid for
/// more units than are still lost (`excess`, by event id), each for no
/// more than its excess, the latest booked first; then the latest
/// booked first, each for no more units than still stand on it. A
/// clawback most likely takes back the payment of units found again,
/// and taking it from a write-off still lost would reopen the wrong
/// one. `None` when they hold fewer than `units`.
fn take_back(
    pieces: &[Piece],
    units: i64,
    excess: &BTreeMap<EventId, i64>,
) -> Option<Vec<(EventId, i64)>> {
    let mut left = units;
    let mut out: Vec<(EventId, i64)> = Vec::new();
    for over_first in [true, false] {
        for (id, standing, _) in pieces.iter().rev() {
            if left == 0 {
                break;
            }
            let already = out.iter().find(|(w, _)| w == id).map_or(0, |(_, t)| *t);
            let mut room = standing.saturating_sub(already);
            if over_first {
                room = room.min(excess.get(id).copied().unwrap_or(0));
            }
            let taken = left.min(room);
            if taken <= 0 {
                continue;
            }
            match out.iter_mut().find(|(w, _)| w == id) {
                Some(entry) => entry.1 += taken,
                None => out.push((id.clone(), taken)),
            }
            left -= taken;
        }
    }
    (left == 0).then_some(out)
}

/// The caution when Reimbursements rows were read but none was booked
/// (two currencies tied for most, or every row refused): every
/// write-off then shows as unpaid.
pub(super) fn none_booked(c: &Claims) -> Option<String> {
    (c.reimbursement_rows_read > 0 && c.paid_to.is_none()).then(|| {
        format!(
            "CAUTION: {} Reimbursements row(s) read but none booked (see the rows not used: a \
             currency tie, or rows refused), so every write-off shows as unpaid",
            c.reimbursement_rows_read
        )
    })
}

/// The caution when Reimbursements rows were left out: a write-off
/// they paid shows as open, so it names up to three of them.
pub(super) fn rows_left_out(c: &Claims) -> Option<String> {
    let rows = &c.reimbursement_rows_left_out;
    (!rows.is_empty()).then(|| {
        let shown: Vec<&str> = rows.iter().take(3).map(String::as_str).collect();
        format!(
            "CAUTION: {} left out (unreadable, refused or in another currency), so what {} \
             paid or took back is not counted: a write-off a left-out payment paid can show as \
             open here, and one a left-out reversal took back from as paid: {}{}",
            counted(
                u64::try_from(rows.len()).unwrap_or(u64::MAX),
                "Reimbursements row",
                "Reimbursements rows"
            ),
            if rows.len() == 1 { "it" } else { "they" },
            shown.join("; "),
            if rows.len() > 3 { "; ..." } else { "" }
        )
    })
}

/// The line when every Reimbursements file read held no row (a header
/// alone, or only lines the reader skips): nothing was paid as far as
/// the section can tell.
pub(super) fn no_rows(c: &Claims) -> Option<String> {
    (c.reimbursement_files_read > 0 && c.reimbursement_rows_read == 0).then(|| {
        format!(
            "the Reimbursements report(s) read ({}) had no rows, so every write-off shows as \
             unpaid",
            c.reimbursement_files_read
        )
    })
}

/// The Claims section, after the checks.
pub(super) fn print_claims(c: &Claims) {
    println!(
        "\nClaims on {} (write-offs {} days or older: file a claim, or check the code first \
         where the damage was not Amazon's; younger: wait)",
        c.as_of, c.claim_days
    );
    println!(
        "  Reimbursements rows are matched to the ledger's lost and damaged rows first in, first \
         out by FNSKU (Lost_Warehouse and Damaged_Warehouse rows only) over the units still \
         lost on the approval day (found ones not paid), a reversal taken back from the units \
         its original paid with no loss to match first, then from its write-offs paid for \
         more units than are still lost, then the latest first; damage that was not \
         Amazon's own, which Amazon may not pay for, is matched last: 6 (inbound carrier), 7 \
         (expired), H (customer), K (defective) and U (distributor), whose open write-offs say \
         \"check code\" instead of \"file a claim\"; every write-off not fully paid is listed"
    );
    let table = |lines: &[ClaimLine], status: bool| {
        let mut t = Table::new(&[
            ("date", Align::Left),
            ("SKU", Align::Left),
            ("what", Align::Left),
            ("code", Align::Left),
            ("units", Align::Right),
            ("found again", Align::Right),
            ("reimbursed (amount)", Align::Right),
            ("still open", Align::Right),
            ("written off at cost", Align::Right),
            ("action", Align::Left),
        ]);
        for l in lines {
            let note = match (status, l.claimable, l.amazon_may_not_pay) {
                (false, _, _) => "over-reimbursed",
                (true, true, false) => "file a claim",
                (true, true, true) => "check code",
                (true, false, _) => "wait",
            };
            t.row(vec![
                l.date.to_string(),
                l.sku.clone(),
                l.what.to_owned(),
                l.code.clone().unwrap_or_else(|| "-".to_owned()),
                l.units.to_string(),
                l.found.to_string(),
                format!("{} ({})", l.reimbursed, cents(l.reimbursed_amount)),
                l.open.to_string(),
                l.value_at_cost.map_or_else(|| "-".to_owned(), cents),
                note.to_owned(),
            ]);
        }
        t.render()
    };
    if !c.reimbursement_files_rejected.is_empty() {
        println!(
            "  CAUTION: {} Reimbursements file(s) rejected, so their payments are not counted and \
             write-offs they paid show as unpaid: {}",
            c.reimbursement_files_rejected.len(),
            c.reimbursement_files_rejected.join("; ")
        );
    }
    if c.reimbursement_files_read == 0 {
        println!("  no Reimbursements report was read, so every write-off shows as unpaid");
    }
    if let Some(caution) = rows_left_out(c) {
        println!("  {caution}");
    }
    if let Some(line) = no_rows(c) {
        println!("  {line}");
    }
    if let Some(caution) = none_booked(c) {
        println!("  {caution}");
    }
    match (c.paid_to, &c.currency) {
        (Some(to), Some(currency)) => {
            println!(
                "  payments to {to} (the latest approval booked), reimbursed amounts in {currency}"
            );
        }
        (None, Some(currency)) => println!("  no payment booked, reimbursed amounts in {currency}"),
        _ => {}
    }
    if c.open.is_empty() {
        println!("  no write-off open");
    } else {
        print!("{}", table(&c.open, true));
    }
    if !c.overreimbursed.is_empty() {
        println!("  paid for more units than are still lost (Amazon may take the excess back):");
        print!("{}", table(&c.overreimbursed, false));
    }
    let PaidWithoutLoss { payments: pieces, units, amount } = c.paid_without_loss;
    if pieces > 0 {
        println!(
            "  reimbursed without a lost or damaged row to match (another reason, or more units \
             than the ledger lost): payments {pieces}, units {units}, amount {} (less \
             reversals)",
            cents(amount)
        );
    }
}
