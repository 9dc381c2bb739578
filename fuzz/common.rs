//! The body shared by the table-reader fuzz targets.
//!
//! `reader_target!(Reader, HEADER)` fuzzes `Reader` on any bytes, and on the
//! same bytes after a valid `HEADER` so the row paths are reached. The
//! reader must never panic, every error must say something, and after it
//! ends without a file error every record must be accounted for.

macro_rules! reader_target {
    ($reader:ident, $header:expr) => {
        fn run(bytes: &[u8]) {
            let options = merchantry_amazon::ReadOptions::default().max_record_bytes(64 * 1024);
            let Ok(mut reader) = merchantry_amazon::$reader::with_options(bytes, options) else {
                return;
            };
            let mut fatal = false;
            for item in reader.by_ref() {
                if let Err(e) = item {
                    fatal |= e.is_fatal();
                    assert!(!e.to_string().is_empty());
                }
            }
            let s = reader.stats();
            assert!(fatal || s.records == s.rows + s.row_errors + s.skipped_total());
        }

        libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            run(data);
            let mut framed = $header.to_vec();
            framed.extend_from_slice(data);
            run(&framed);
        });
    };
}
