//! Where a door publishes, and the Home Assistant discovery message that turns it into a
//! sensor ("who is at the door") without any YAML on the Home Assistant side.
//!
//! - `lrfr/<device>/state`: who is in view now (retained JSON: `who`, `names`, `count`,
//!   `strangers`, `res`, `time`, `availability`); the sensor's value is `who`, and whether it is available is
//!   `availability` (`online` / `offline`). One retained message holds both because MQTT
//!   gives a connection one last will: when the door dies without saying goodbye (`kill -9`,
//!   a power cut), the broker publishes the will, which says nobody is there and the door is
//!   offline, instead of leaving the last "who" standing.
//! - `lrfr/<device>/event`: one JSON message per change (named, renamed, unnamed, lost), see
//!   [`crate::live::Report`].
//! - `homeassistant/sensor/lrfr_<device>/person/config`: the discovery message (retained).

use serde_json::json;

use crate::live::Present;
use crate::ResChoice;

/// Home Assistant's default discovery prefix.
const DISCOVERY_PREFIX: &str = "homeassistant";
/// Longest device id in a topic.
const MAX_ID: usize = 64;

/// FNV-1a: a stable hash (the same in every build, unlike std's) for the id's suffix.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub device: String,
    /// The name the user gave, for Home Assistant's device name.
    pub name: String,
    pub state: String,
    pub event: String,
    pub discovery: String,
}

impl Topics {
    /// `device` is reduced to lowercase letters, digits, `-` and `_` (MQTT wildcards and Home
    /// Assistant's id rules both forbid the rest). A name that had to change keeps a short
    /// hash of itself, so two names that reduce alike (`Front Door` and `front_door`; `前门`
    /// and `###`, which keep nothing) never share topics.
    pub fn new(device: &str) -> Topics {
        let mut id: String = device
            .chars()
            .map(|c| match c {
                'a'..='z' | '0'..='9' | '-' | '_' => c,
                'A'..='Z' => c.to_ascii_lowercase(),
                _ => '_',
            })
            .take(MAX_ID - 5)
            .collect();
        if id.trim_matches('_').is_empty() {
            id = "door".into();
        }
        if id != device {
            id = format!("{id}_{:04x}", fnv1a(device.as_bytes()) & 0xffff);
        }
        let base = format!("lrfr/{id}");
        Topics {
            name: device.to_string(),
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
            "availability_topic": self.state,
            "availability_template": "{{ value_json.availability }}",
            "icon": "mdi:account-eye",
            "device": {
                "identifiers": [format!("lrfr_{}", self.device)],
                "name": format!("LRFR {}", self.name),
                "manufacturer": "LRFR",
                "model": "low-resolution face recognition",
                "sw_version": env!("CARGO_PKG_VERSION"),
            },
        })
        .to_string()
    }

    /// The retained "who is there" message of a door that is running: `who` is the names
    /// joined, then `a stranger` or `N strangers`, or `nobody`.
    pub fn state_payload(present: &Present, res: ResChoice, time: f64) -> String {
        let mut who = present.names.clone();
        match present.strangers {
            0 => {}
            1 => who.push("a stranger".into()),
            n => who.push(format!("{n} strangers")),
        }
        let who = if who.is_empty() {
            "nobody".to_string()
        } else {
            who.join(", ")
        };
        json!({"who": who, "names": present.names, "count": present.names.len(),
               "strangers": present.strangers, "res": res.to_json(), "time": time,
               "availability": "online"})
        .to_string()
    }

    /// The state of a door that has stopped, by its own goodbye or as its last will: nobody
    /// it can vouch for is there.
    pub fn offline_payload(time: f64) -> String {
        json!({"who": "nobody", "names": [], "count": 0, "strangers": 0, "res": null,
               "time": time, "availability": "offline"})
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_name_cannot_escape_its_topic() {
        let t = Topics::new("Front Door/#+");
        assert!(t.device.starts_with("front_door____"), "{}", t.device);
        assert_eq!(t.event, format!("lrfr/{}/event", t.device));
        assert!(Topics::new("//").device.starts_with("door_"));
        let d: serde_json::Value = serde_json::from_str(&t.discovery_payload()).unwrap();
        assert_eq!(d["state_topic"], format!("lrfr/{}/state", t.device));
        assert_eq!(d["unique_id"], format!("lrfr_{}_person", t.device));
        assert_eq!(d["device"]["name"], "LRFR Front Door/#+");
        assert!(Topics::new(&"x".repeat(500)).device.len() <= MAX_ID);
    }

    #[test]
    fn names_that_reduce_alike_keep_apart() {
        assert_eq!(Topics::new("front_door").device, "front_door");
        let pairs = [
            ("Front Door", "front_door"),
            ("前门", "###"),
            ("a b", "a_b"),
        ];
        for (a, b) in pairs {
            assert_ne!(Topics::new(a).device, Topics::new(b).device, "{a} / {b}");
        }
        // Stable from run to run, so Home Assistant keeps the same sensor.
        assert_eq!(Topics::new("Front Door"), Topics::new("Front Door"));
    }

    #[test]
    fn the_state_says_who_or_nobody() {
        let s: serde_json::Value = serde_json::from_str(&Topics::state_payload(
            &Present::default(),
            ResChoice::Fixed(crate::Resolution::R16),
            1.0,
        ))
        .unwrap();
        assert_eq!(
            (s["who"].as_str(), s["count"].as_u64()),
            (Some("nobody"), Some(0))
        );
        let present = Present {
            names: vec!["Ada".to_string(), "Bo".to_string()],
            strangers: 0,
        };
        let s: serde_json::Value = serde_json::from_str(&Topics::state_payload(
            &present,
            ResChoice::Fixed(crate::Resolution::R24),
            1.0,
        ))
        .unwrap();
        assert_eq!(s["who"], "Ada, Bo");
        assert_eq!(s["availability"], "online");
        let present = Present {
            names: vec!["Ada".to_string()],
            strangers: 2,
        };
        let s: serde_json::Value =
            serde_json::from_str(&Topics::state_payload(&present, ResChoice::Native, 1.0)).unwrap();
        assert_eq!(
            (s["who"].as_str(), s["strangers"].as_u64()),
            (Some("Ada, 2 strangers"), Some(2))
        );
        let s: serde_json::Value = serde_json::from_str(&Topics::offline_payload(1.0)).unwrap();
        assert_eq!(
            (s["who"].as_str(), s["availability"].as_str()),
            (Some("nobody"), Some("offline"))
        );
    }
}
