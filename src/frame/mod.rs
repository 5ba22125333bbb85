//! The image type every layer shares, and the only way a file becomes one: decoded under a
//! memory budget, shrunk to what the pipeline is built for. The ground floor: it imports
//! nothing of the app, so geometry, models, the gallery and the pipeline need not import the
//! camera module for a picture.

mod canvas;
mod decode;

pub use canvas::place_on_canvas;
pub use decode::{cap_size, decode_bytes, decode_file, DecodeError, MAX_SIDE};

pub type Frame = image::RgbImage;
