//! LRFR core: recognise people from very low resolution faces.
//!
//! One frame goes through [`pipeline::Pipeline`]: detect ([`detect`]), align onto the ArcFace
//! template ([`align`]), downscale to 16/24/32 px, super-resolve and embed ([`models`]), and
//! match against the [`gallery`] ([`matching`]). Frames come from a [`source`]; [`metrics`]
//! watches memory and latency; [`eval`] measures verification accuracy over pairs. [`live`]
//! follows faces over frames and decides who they are; [`mqtt`] tells home automation.
//! The CLI and the GUI are front ends over this API and never reach past it.

pub mod align;
pub mod bounded;
pub mod config;
pub mod detect;
pub mod doctor;
pub mod enroll;
pub mod eval;
pub mod frame;
pub mod gallery;
pub mod live;
pub mod matching;
pub mod metrics;
pub mod models;
pub mod mqtt;
pub mod pipeline;
pub mod resolution;
pub mod source;

pub use config::Config;
pub use resolution::{ResChoice, Resolution};
