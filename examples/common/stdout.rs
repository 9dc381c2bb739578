//! `println!` and `print!` for the example programs that stop quietly
//! when the reader has gone (a pipe into `head` that closed), instead of
//! panicking as the standard macros do.

/// Writes a line to standard output; a closed pipe ends the program.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let written = writeln!(std::io::stdout().lock(), $($arg)*);
        $crate::stdout::check(written);
    }};
}

/// Writes to standard output; a closed pipe ends the program.
#[allow(unused_macros, reason = "not every program prints without a newline")]
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let written = write!(std::io::stdout().lock(), $($arg)*);
        $crate::stdout::check(written);
    }};
}

/// Ends the program quietly when standard output's reader has gone.
///
/// # Panics
///
/// On any other write error, as `println!` does.
pub(crate) fn check(written: std::io::Result<()>) {
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => panic!("cannot write to standard output: {e}"),
    }
}
