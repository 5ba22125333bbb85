//! The door's link to home automation: live events and "who is there" published to an MQTT
//! broker, with Home Assistant discovery. `lrfr watch --mqtt URL` uses it.

mod broker;
mod publisher;
mod topics;

pub use broker::{redact, Broker};
pub use publisher::{Publisher, QUEUE};
pub use topics::Topics;

#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    #[error("MQTT broker address {url:?}: {why}")]
    Url { url: String, why: String },
    #[error("cannot start the MQTT thread: {0}")]
    Thread(std::io::Error),
}
