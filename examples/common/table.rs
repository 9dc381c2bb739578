//! Aligned plain-text tables for terminal output.

use std::fmt::Write as _;

/// How a column lines up.
#[derive(Clone, Copy)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table of text cells printed with aligned columns.
pub(crate) struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[(&str, Align)]) -> Self {
        let headers = headers.iter().map(|(h, a)| ((*h).to_owned(), *a)).collect();
        Self { headers, rows: Vec::new() }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                let cells = self.rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count());
                cells.chain([self.headers[i].0.chars().count()]).max().unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        self.line(&mut out, &header, &widths);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        self.line(&mut out, &rule, &widths);
        for row in &self.rows {
            self.line(&mut out, row, &widths);
        }
        out
    }

    fn line(&self, out: &mut String, cells: &[String], widths: &[usize]) {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let align = self.headers.get(i).map_or(Align::Left, |h| h.1);
            let sep = if i == 0 { "" } else { "  " };
            let _ = match align {
                Align::Left => write!(text, "{sep}{cell:<width$}"),
                Align::Right => write!(text, "{sep}{cell:>width$}"),
            };
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
}
