//! Small derivative-free minimisers for the smoothing constants.

/// Minimises `f` on `[lo, hi]` by golden-section search until the bracket
/// is narrower than `tol`. Returns the best point seen and its value.
/// A NaN objective value is treated as +infinity.
pub(crate) fn golden_section(
    mut f: impl FnMut(f64) -> f64,
    lo: f64,
    hi: f64,
    tol: f64,
) -> (f64, f64) {
    const INV_PHI: f64 = 0.618_033_988_749_894_8;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - INV_PHI * (b - a);
    let mut d = a + INV_PHI * (b - a);
    let mut fc = sanitize(f(c));
    let mut fd = sanitize(f(d));
    while b - a > tol {
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - INV_PHI * (b - a);
            fc = sanitize(f(c));
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + INV_PHI * (b - a);
            fd = sanitize(f(d));
        }
    }
    if fc <= fd { (c, fc) } else { (d, fd) }
}

/// [`golden_section`], with the two ends of `[lo, hi]` compared as well:
/// the search stops inside its bracket and never evaluates them, so a
/// minimum at a bound came back up to a third of `tol` short of it. A
/// NaN value never wins (`<` is false).
pub(crate) fn golden_section_closed(
    mut f: impl FnMut(f64) -> f64,
    lo: f64,
    hi: f64,
    tol: f64,
) -> (f64, f64) {
    let (mut best, mut value) = golden_section(&mut f, lo, hi, tol);
    for end in [lo, hi] {
        let v = f(end);
        if v < value {
            (best, value) = (end, v);
        }
    }
    (best, value)
}

/// [`golden_section_closed`] to a bracket of `tol`, then one parabolic
/// step through the best point and its neighbours `tol` either side
/// (inside `[lo, hi]`): near a smooth minimum the parabola's vertex is
/// far closer than the bracket, for three more evaluations instead of
/// the dozen a bracket a hundred times narrower takes. The vertex is
/// kept only when it is inside the range and better.
pub(crate) fn golden_section_polished(
    mut f: impl FnMut(f64) -> f64,
    lo: f64,
    hi: f64,
    tol: f64,
) -> (f64, f64) {
    let (x, fx) = golden_section_closed(&mut f, lo, hi, tol);
    let (a, b) = (x - tol, x + tol);
    if a < lo || b > hi {
        return (x, fx);
    }
    let (fa, fb) = (f(a), f(b));
    // The vertex of the parabola through (a, fa), (x, fx), (b, fb),
    // equally spaced: x - tol (fb - fa) / (2 (fa - 2 fx + fb)).
    let curve = fa - 2.0 * fx + fb;
    // Not curving up (or NaN): no minimum between the three.
    if curve.is_nan() || curve <= 0.0 {
        return (x, fx);
    }
    let v = x - tol * (fb - fa) / (2.0 * curve);
    if !(lo..=hi).contains(&v) {
        return (x, fx);
    }
    let fv = f(v);
    if fv < fx { (v, fv) } else { (x, fx) }
}

/// Minimises `f` over the box `[lo, hi]^N` by Nelder-Mead with the usual
/// coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2),
/// clamping every trial point into the box. Stops after `max_evals`
/// evaluations or when the simplex values agree to `ftol` (relative).
pub(crate) fn nelder_mead<const N: usize>(
    mut f: impl FnMut(&[f64; N]) -> f64,
    start: [f64; N],
    step: f64,
    lo: f64,
    hi: f64,
    max_evals: usize,
    ftol: f64,
) -> ([f64; N], f64) {
    let batch = |points: &[[f64; N]], out: &mut [f64]| {
        for (p, o) in points.iter().zip(out) {
            *o = f(p);
        }
    };
    let search = NelderMead { step, lo, hi, max_evals, ftol, speculate: false };
    search.minimise(batch, start)
}

/// The settings of one Nelder-Mead search (see [`nelder_mead`]).
pub(crate) struct NelderMead {
    /// Offset of the initial simplex's vertices from the start, per axis.
    pub step: f64,
    /// Lower bound of every coordinate.
    pub lo: f64,
    /// Upper bound of every coordinate.
    pub hi: f64,
    /// Evaluation budget, counted as the plain method spends it.
    pub max_evals: usize,
    /// Relative agreement of the simplex values that stops the search.
    pub ftol: f64,
    /// Evaluate all four trial points of an iteration (reflection,
    /// expansion, outside and inside contraction) in one batch before
    /// deciding, for an objective that evaluates several points at the
    /// price of one. The path, the result and the budget count are those
    /// of the plain method: unused trial values are simply dropped.
    pub speculate: bool,
}

impl NelderMead {
    /// Minimises the objective that `f` evaluates at a batch of points
    /// (writing one value per point, in order) from `start`. Returns the
    /// best vertex and its value; a NaN value counts as +infinity.
    pub(crate) fn minimise<const N: usize>(
        &self,
        mut f: impl FnMut(&[[f64; N]], &mut [f64]),
        start: [f64; N],
    ) -> ([f64; N], f64) {
        let (lo, hi, step) = (self.lo, self.hi, self.step);
        let clamp = |mut p: [f64; N]| {
            for v in &mut p {
                *v = v.clamp(lo, hi);
            }
            p
        };
        let mut eval = |points: &[[f64; N]], out: &mut [f64]| {
            f(points, out);
            for v in out.iter_mut() {
                *v = sanitize(*v);
            }
        };
        // The initial simplex: the start and one step along each axis
        // (backwards where forwards would leave the box).
        let p0 = clamp(start);
        let mut vertices = vec![p0; N + 1];
        for (i, p) in vertices.iter_mut().skip(1).enumerate() {
            p[i] = if p[i] + step <= hi { p[i] + step } else { p[i] - step };
            *p = clamp(*p);
        }
        let mut values = vec![0.0; N + 1];
        eval(&vertices, &mut values);
        let mut simplex: Vec<([f64; N], f64)> = vertices.into_iter().zip(values).collect();
        let mut evals = N + 1;
        while evals < self.max_evals {
            simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
            let best = simplex[0].1;
            let worst = simplex[N].1;
            if (worst - best).abs() <= self.ftol * (best.abs() + 1e-12) {
                break;
            }
            let mut centroid = [0.0; N];
            for (p, _) in &simplex[..N] {
                for (c, v) in centroid.iter_mut().zip(p) {
                    *c += v;
                }
            }
            #[expect(clippy::cast_precision_loss, reason = "N is tiny")]
            let n = N as f64;
            for c in &mut centroid {
                *c /= n;
            }
            let along = |t: f64, worst: &[f64; N]| {
                let mut p = [0.0; N];
                for i in 0..N {
                    p[i] = centroid[i] + t * (worst[i] - centroid[i]);
                }
                clamp(p)
            };
            let w = simplex[N].0;
            // Trial points: reflection, expansion, outside and inside
            // contraction. Speculation evaluates all four now; otherwise
            // each is evaluated when the method first needs it.
            let trial = [along(-1.0, &w), along(-2.0, &w), along(-0.5, &w), along(0.5, &w)];
            let mut known = [None::<f64>; 4];
            if self.speculate {
                let mut out = [0.0; 4];
                eval(&trial, &mut out);
                known = out.map(Some);
            }
            let mut value = |i: usize| {
                known[i].unwrap_or_else(|| {
                    let mut out = [0.0];
                    eval(&trial[i..=i], &mut out);
                    out[0]
                })
            };
            let fr = value(0);
            evals += 1;
            if fr < simplex[0].1 {
                let fe = value(1);
                evals += 1;
                simplex[N] = if fe < fr { (trial[1], fe) } else { (trial[0], fr) };
            } else if fr < simplex[N - 1].1 {
                simplex[N] = (trial[0], fr);
            } else {
                let i = if fr < simplex[N].1 { 2 } else { 3 };
                let fcv = value(i);
                evals += 1;
                if fcv < simplex[N].1.min(fr) {
                    simplex[N] = (trial[i], fcv);
                } else {
                    // Shrink every vertex halfway towards the best.
                    let b = simplex[0].0;
                    let mut shrunk = [b; N];
                    for (p, entry) in shrunk.iter_mut().zip(&simplex[1..]) {
                        for i in 0..N {
                            p[i] = b[i] + 0.5 * (entry.0[i] - b[i]);
                        }
                        *p = clamp(*p);
                    }
                    let mut out = [0.0; N];
                    eval(&shrunk, &mut out);
                    for (entry, pair) in simplex[1..].iter_mut().zip(shrunk.into_iter().zip(out)) {
                        *entry = pair;
                    }
                    evals += N;
                }
            }
        }
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        simplex[0]
    }
}

fn sanitize(v: f64) -> f64 {
    if v.is_nan() { f64::INFINITY } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_section_finds_parabola_minimum() {
        // (x - 0.3)^2 has its minimum at 0.3.
        let (x, v) = golden_section(|x| (x - 0.3) * (x - 0.3), 0.0, 1.0, 1e-6);
        assert!((x - 0.3).abs() < 1e-5, "{x}");
        assert!(v < 1e-9);
    }

    #[test]
    fn nelder_mead_finds_bowl_minimum() {
        // (a - 0.2)^2 + 3 (b - 0.7)^2 is least at (0.2, 0.7).
        let f = |p: &[f64; 2]| (p[0] - 0.2).powi(2) + 3.0 * (p[1] - 0.7).powi(2);
        let (p, _) = nelder_mead(f, [0.5, 0.5], 0.1, 0.0, 1.0, 500, 1e-14);
        assert!((p[0] - 0.2).abs() < 1e-3 && (p[1] - 0.7).abs() < 1e-3, "{p:?}");
    }

    #[test]
    fn speculation_changes_the_batching_only() {
        // A tilted valley, a bowl with its minimum outside the box, and a
        // function that is NaN on part of the box: the speculative search
        // must take the same path, so end on the same bits, and never ask
        // for fewer evaluations than the plain one uses.
        let objectives: [fn(&[f64; 2]) -> f64; 3] = [
            |p| (1.0 - p[0]).powi(2) + 20.0 * (p[1] - p[0] * p[0]).powi(2),
            |p| (p[0] - 2.0).powi(2) + (p[1] + 1.0).powi(2),
            |p| if p[0] > 0.7 { f64::NAN } else { (p[0] - 0.6).abs() + (p[1] - 0.2).powi(2) },
        ];
        for f in objectives {
            for (start, budget) in [([0.5, 0.5], 40), ([0.1, 0.9], 150), ([0.95, 0.05], 7)] {
                let mut counts = [0usize; 2];
                let mut run = |speculate: bool| {
                    let search = NelderMead {
                        step: 0.05,
                        lo: 0.01,
                        hi: 0.99,
                        max_evals: budget,
                        ftol: 1e-9,
                        speculate,
                    };
                    let n = &mut counts[usize::from(speculate)];
                    search.minimise(
                        |points: &[[f64; 2]], out: &mut [f64]| {
                            *n += points.len();
                            for (p, o) in points.iter().zip(out) {
                                *o = f(p);
                            }
                        },
                        start,
                    )
                };
                let (plain, fast) = (run(false), run(true));
                assert_eq!(plain.0.map(f64::to_bits), fast.0.map(f64::to_bits), "{start:?}");
                assert_eq!(plain.1.to_bits(), fast.1.to_bits());
                assert!(counts[0] <= counts[1], "{counts:?}");
            }
        }
    }

    #[test]
    fn nelder_mead_respects_the_box() {
        // The unconstrained minimum is at 2, outside [0, 1]: the answer is 1.
        let (p, _) =
            nelder_mead(|p: &[f64; 1]| (p[0] - 2.0).powi(2), [0.5], 0.1, 0.0, 1.0, 200, 1e-14);
        assert!((p[0] - 1.0).abs() < 1e-6, "{p:?}");
    }
}
