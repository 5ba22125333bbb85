//! Any bytes as gallery.json: parsing and the rule checks never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lrfr::gallery::GalleryFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<GalleryFile>(data) {
        if file.check().is_ok() {
            // What passed the checks must survive a save and a reload unchanged.
            let saved = serde_json::to_vec(&file).expect("a checked gallery serialises");
            let again: GalleryFile = serde_json::from_slice(&saved).expect("and parses back");
            assert_eq!(again, file);
        }
    }
});
