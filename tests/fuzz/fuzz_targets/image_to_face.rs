//! Any bytes as an image file, through decoding, detection, box-landmark alignment and the
//! area downscale to every resolution: each step succeeds or returns an error, never a panic.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use lrfr::align::{align_face, downscale_to, AreaScratch};
use lrfr::detect::{DetectConfig, FaceDetector};
use lrfr::pipeline::FaceLocator;
use lrfr::frame::{Frame};
use lrfr::Resolution;

thread_local! {
    // The detector is built once: its model load would dominate every run.
    static LOCATOR: RefCell<Option<FaceLocator>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = lrfr::frame::decode_bytes(data) else {
        return;
    };
    let located = LOCATOR.with_borrow_mut(|slot| {
        let locator = slot.get_or_insert_with(|| {
            let detector =
                FaceDetector::new(DetectConfig::default()).expect("embedded model loads");
            FaceLocator::new(detector, None, None, None)
        });
        locator.locate(&frame)
    });
    let Ok(Some(located)) = located else {
        return;
    };
    let mut aligned = Frame::new(0, 0);
    align_face(&frame, &located.landmarks, &mut aligned);
    let mut scratch = AreaScratch::default();
    let mut small = Frame::new(0, 0);
    for res in Resolution::ALL {
        downscale_to(&aligned, res, &mut scratch, &mut small);
        assert_eq!(small.width(), res.px());
    }
});
