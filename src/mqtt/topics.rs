//! Where a door publishes, and the Home Assistant discovery message that turns it into a
//! sensor ("who is at the door") without any YAML on the Home Assistant side.
//!
//! - `lrfr/<device>/availability`: `online` / `offline` (retained; the broker sends `offline`
//!   itself when the door vanishes without saying goodbye).
//! - `lrfr/<device>/state`: who is in view now (retained JSON: `who`, `names`, `count`, `res`,
//!   `time`); the sensor's value is `who`.
//! - `lrfr/<device>/event`: one JSON message per change (named, renamed, unnamed, lost), see
//!   [`crate::live::Report`].
//! - `homeassistant/sensor/lrfr_<device>/person/config`: the discovery message (retained).

use serde_json::json;

use crate::ResChoice;

/// Home Assistant's default discovery prefix.
const DISCOVERY_PREFIX: &str = "homeassistant";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub device: String,
    pub availability: String,
    pub state: String,
    pub event: String,
    pub discovery: String,
}

impl Topics {
    /// `device` is reduced to letters, digits, `-` and `_` (MQTT wildcards and Home
    /// Assistant's id rules both forbid the rest), lowercase.
    pub fn new(device: &str) -> Topics {
        let mut id: String = device
            .chars()
            .map(|c| match c {
                'a'..='z' | '0'..='9' | '-' | '_' => c,
                'A'..='Z' => c.to_ascii_lowercase(),
                _ => '_',
            })
            .take(64)
            .collect();
        if id.trim_matches('_').is_empty() {
            id = "door".into();
        }
        let base = format!("lrfr/{id}");
        Topics {
            availability: format!("{base}/availability"),
            state: format!("{base}/state"),
            event: format!("{base}/event"),
            discovery: format!("{DISCOVERY_PREFIX}/sensor/lrfr_{id}/person/config"),
            device: id,
        }
    }

    /// The retained discovery message for the "who is there" sensor.
    pub fn discovery_payload(&self) -> String {
        json!({
            "name": "Person",
            "unique_id": format!("lrfr_{}_person", self.device),
            "state_topic": self.state,
            "value_template": "{{ value_json.who }}",
            "json_attributes_topic": self.state,
            "availability_topic": self.availability,
            "icon": "mdi:account-eye",
            "device": {
                "identifiers": [format!("lrfr_{}", self.device)],
                "name": format!("LRFR {}", self.device),
                "manufacturer": "LRFR",
                "model": "low-resolution face recognition",
                "sw_version": env!("CARGO_PKG_VERSION"),
            },
        })
        .to_string()
    }

    /// The retained "who is there" message: `who` is the names joined, or `nobody`.
    pub fn state_payload(names: &[String], res: ResChoice, time: f64) -> String {
        let who = if names.is_empty() {
            "nobody".to_string()
        } else {
            names.join(", ")
        };
        json!({"who": who, "names": names, "count": names.len(), "res": res.to_json(), "time": time})
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_name_cannot_escape_its_topic() {
        let t = Topics::new("Front Door/#+");
        assert_eq!(t.device, "front_door___");
        assert_eq!(t.event, "lrfr/front_door___/event");
        assert_eq!(Topics::new("//").device, "door");
        let d: serde_json::Value = serde_json::from_str(&t.discovery_payload()).unwrap();
        assert_eq!(d["state_topic"], "lrfr/front_door___/state");
        assert_eq!(d["unique_id"], "lrfr_front_door____person");
    }

    #[test]
    fn the_state_says_who_or_nobody() {
        let s: serde_json::Value = serde_json::from_str(&Topics::state_payload(
            &[],
            ResChoice::Fixed(crate::Resolution::R16),
            1.0,
        ))
        .unwrap();
        assert_eq!(
            (s["who"].as_str(), s["count"].as_u64()),
            (Some("nobody"), Some(0))
        );
        let names = ["Ada".to_string(), "Bo".to_string()];
        let s: serde_json::Value = serde_json::from_str(&Topics::state_payload(
            &names,
            ResChoice::Fixed(crate::Resolution::R24),
            1.0,
        ))
        .unwrap();
        assert_eq!(s["who"], "Ada, Bo");
    }
}
