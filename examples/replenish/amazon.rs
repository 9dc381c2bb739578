//! `--amazon DIR`: the same planning on a folder of Amazon reports.

use std::path::Path;

use crate::Args;
use crate::data::BoxError;

pub(crate) fn run(_args: &Args, dir: &Path) -> Result<(), BoxError> {
    Err(format!("--amazon {}: not wired yet", dir.display()).into())
}
