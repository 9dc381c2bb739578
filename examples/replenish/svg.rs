//! A small SVG line chart: projected stock, reorder point and orders.

use std::fmt::Write as _;

/// One line of a panel.
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) colour: &'static str,
    pub(crate) points: Vec<f64>,
    pub(crate) dashed: bool,
}

/// One chart panel: a title, lines over a shared day axis, and day indexes
/// of order placements drawn as markers.
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) series: Vec<Series>,
    pub(crate) orders: Vec<usize>,
    pub(crate) arrivals: Vec<usize>,
}

const WIDTH: f64 = 900.0;
const PANEL_HEIGHT: f64 = 220.0;
const MARGIN: f64 = 50.0;

/// Renders panels stacked vertically into one SVG document.
pub(crate) fn render(panels: &[Panel]) -> String {
    let height = PANEL_HEIGHT * panels.len() as f64 + MARGIN;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, panel) in panels.iter().enumerate() {
        draw_panel(&mut out, panel, MARGIN / 2.0 + PANEL_HEIGHT * i as f64);
    }
    out.push_str("</svg>\n");
    out
}

fn draw_panel(out: &mut String, panel: &Panel, top: f64) {
    let days = panel.series.iter().map(|s| s.points.len()).max().unwrap_or(0).max(2);
    let max = panel.series.iter().flat_map(|s| s.points.iter().copied()).fold(1.0_f64, f64::max);
    let min = panel.series.iter().flat_map(|s| s.points.iter().copied()).fold(0.0_f64, f64::min);
    let plot_h = PANEL_HEIGHT - 60.0;
    let plot_w = WIDTH - 2.0 * MARGIN;
    let x = |d: usize| MARGIN + plot_w * d as f64 / (days - 1) as f64;
    let y = |v: f64| top + 25.0 + plot_h * (1.0 - (v - min) / (max - min).max(1e-9));
    let _ = writeln!(
        out,
        r#"<text x="{MARGIN}" y="{}" font-size="13" font-weight="bold">{}</text>"#,
        top + 15.0,
        escape(&panel.title)
    );
    let _ = writeln!(
        out,
        r##"<rect x="{MARGIN}" y="{}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>"##,
        top + 25.0
    );
    for (label, v) in [(format!("{max:.0}"), max), (format!("{min:.0}"), min)] {
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end">{label}</text>"#,
            MARGIN - 4.0,
            y(v) + 4.0
        );
    }
    if min < 0.0 {
        let _ = writeln!(
            out,
            r##"<line x1="{MARGIN}" x2="{}" y1="{1}" y2="{1}" stroke="#ccc"/>"##,
            MARGIN + plot_w,
            y(0.0)
        );
    }
    for s in &panel.series {
        let mut path = String::new();
        for (d, v) in s.points.iter().enumerate() {
            let _ = write!(path, "{}{:.1},{:.1}", if d == 0 { "M" } else { " L" }, x(d), y(*v));
        }
        let dash = if s.dashed { r#" stroke-dasharray="5,4""# } else { "" };
        let _ = writeln!(
            out,
            r#"<path d="{path}" fill="none" stroke="{}" stroke-width="1.4"{dash}/>"#,
            s.colour
        );
    }
    for &d in &panel.orders {
        let _ = writeln!(
            out,
            r##"<path d="M{0:.1},{1:.1} l-4,-8 h8 z" fill="#d62728"/>"##,
            x(d),
            top + 25.0 + plot_h
        );
    }
    for &d in &panel.arrivals {
        let _ = writeln!(
            out,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#2ca02c"/>"##,
            x(d),
            top + 25.0 + plot_h - 3.0
        );
    }
    // The legend runs along the panel's foot, under the plot, so a long
    // title never meets it.
    let mut lx = MARGIN;
    let legend_y = top + 25.0 + plot_h + 18.0;
    for s in &panel.series {
        let _ = writeln!(
            out,
            r#"<rect x="{lx}" y="{}" width="12" height="3" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            legend_y - 5.0,
            s.colour,
            lx + 16.0,
            legend_y,
            escape(&s.label)
        );
        lx += 24.0 + 7.0 * s.label.len() as f64;
    }
    let _ =
        writeln!(out, r##"<text x="{lx}" y="{legend_y}" fill="#d62728">▼ order placed</text>"##);
    let _ = writeln!(
        out,
        r##"<text x="{}" y="{legend_y}" fill="#2ca02c">● arrival</text>"##,
        lx + 95.0
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
