//! Any text as a pairs list (LFW pairs.txt or TSV): parsed or refused, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = lrfr::eval::parse_pairs(text, Path::new("/faces"));
});
