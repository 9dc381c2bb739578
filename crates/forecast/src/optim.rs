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
    let clamp = |mut p: [f64; N]| {
        for v in &mut p {
            *v = v.clamp(lo, hi);
        }
        p
    };
    let mut simplex: Vec<([f64; N], f64)> = Vec::with_capacity(N + 1);
    let p0 = clamp(start);
    simplex.push((p0, sanitize(f(&p0))));
    for i in 0..N {
        let mut p = p0;
        p[i] = if p[i] + step <= hi { p[i] + step } else { p[i] - step };
        let p = clamp(p);
        simplex.push((p, sanitize(f(&p))));
    }
    let mut evals = N + 1;
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[N].1;
        if (worst - best).abs() <= ftol * (best.abs() + 1e-12) {
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
        let r = along(-1.0, &w);
        let fr = sanitize(f(&r));
        evals += 1;
        if fr < simplex[0].1 {
            let e = along(-2.0, &w);
            let fe = sanitize(f(&e));
            evals += 1;
            simplex[N] = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < simplex[N - 1].1 {
            simplex[N] = (r, fr);
        } else {
            let t = if fr < simplex[N].1 { -0.5 } else { 0.5 };
            let c = along(t, &w);
            let fcv = sanitize(f(&c));
            evals += 1;
            if fcv < simplex[N].1.min(fr) {
                simplex[N] = (c, fcv);
            } else {
                let b = simplex[0].0;
                for entry in simplex.iter_mut().skip(1) {
                    let mut p = [0.0; N];
                    for i in 0..N {
                        p[i] = b[i] + 0.5 * (entry.0[i] - b[i]);
                    }
                    let p = clamp(p);
                    *entry = (p, sanitize(f(&p)));
                    evals += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
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
    fn nelder_mead_respects_the_box() {
        // The unconstrained minimum is at 2, outside [0, 1]: the answer is 1.
        let (p, _) =
            nelder_mead(|p: &[f64; 1]| (p[0] - 2.0).powi(2), [0.5], 0.1, 0.0, 1.0, 200, 1e-14);
        assert!((p[0] - 1.0).abs() < 1e-6, "{p:?}");
    }
}
