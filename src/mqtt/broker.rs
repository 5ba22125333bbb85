//! The broker's address as users write it: `mqtt://[user[:password]@]host[:port]`, as in Home
//! Assistant's and mosquitto's own documentation. Port 1883 when none is given. A password in
//! the address is accepted but shows in `ps` and shell history, so `watch` also takes it from
//! a file or the environment ([`Broker::with_password`]); no message ever repeats the user
//! part of an address ([`redact`]).

use std::str::FromStr;

use super::MqttError;

#[derive(Clone, PartialEq, Eq)]
pub struct Broker {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// Never prints the password, whoever formats a `Broker` with `{:?}`.
impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Broker {
    /// The same broker logged into with `password` (from a file or the environment), which
    /// needs a user name in the address: MQTT sends no password without one.
    pub fn with_password(self, password: String) -> Result<Broker, MqttError> {
        if self.username.is_none() {
            return Err(MqttError::Url {
                url: format!("mqtt://{}:{}", self.host, self.port),
                why: "a password needs a user name: mqtt://USER@host".into(),
            });
        }
        Ok(Broker {
            password: Some(password),
            ..self
        })
    }
}

/// `url` with its user part (`user:password@`) replaced by `***@`, for messages.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    // The user part ends at the last '@' before the path, which may hold '@' of its own.
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_string(),
    }
}

impl FromStr for Broker {
    type Err = MqttError;

    fn from_str(url: &str) -> Result<Broker, MqttError> {
        let bad = |why: &str| MqttError::Url {
            url: redact(url),
            why: why.to_string(),
        };
        let rest = match url.split_once("://") {
            Some(("mqtt" | "tcp", rest)) => rest,
            Some((scheme, _)) => {
                return Err(bad(&format!(
                    "{scheme}:// is not supported; use mqtt:// (plain TCP, on a trusted network)"
                )))
            }
            None => url,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') || rest.contains('?') {
            return Err(bad(
                "expected mqtt://[user[:password]@]host[:port] with no path",
            ));
        }
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((c, a)) => (Some(c), a),
            None => (None, rest),
        };
        let (username, password) = match credentials {
            None => (None, None),
            Some(c) => match c.split_once(':') {
                Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
                None => (Some(c.to_string()), None),
            },
        };
        if username.as_deref() == Some("") {
            return Err(bad("the user name before '@' is empty"));
        }
        // A bracketed IPv6 address keeps its colons: [::1]:1883.
        let (host, port) = match address.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((h, "")) => (h, None),
                Some((h, p)) => (h, Some(p.strip_prefix(':').ok_or_else(|| bad("bad port"))?)),
                None => return Err(bad("unclosed '[' in the host")),
            },
            None => match address.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (address, None),
            },
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            None => 1883,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or_else(|| bad(&format!("{p:?} is not a port number")))?,
        };
        Ok(Broker {
            host: host.to_string(),
            port,
            username,
            password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_people_write() {
        let b: Broker = "mqtt://127.0.0.1:1884".parse().unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.username),
            ("127.0.0.1", 1884, None)
        );
        let b: Broker = "homeassistant.local".parse().unwrap();
        assert_eq!((b.host.as_str(), b.port), ("homeassistant.local", 1883));
        let b: Broker = "mqtt://door:s3cr:et@ha:1883/".parse().unwrap();
        assert_eq!(b.username.as_deref(), Some("door"));
        assert_eq!(b.password.as_deref(), Some("s3cr:et"));
        assert_eq!(b.host, "ha");
        let b: Broker = "mqtt://[::1]:1885".parse().unwrap();
        assert_eq!((b.host.as_str(), b.port), ("::1", 1885));
    }

    #[test]
    fn what_cannot_work_is_refused_with_the_reason() {
        for (url, why) in [
            ("mqtts://ha:8883", "not supported"),
            ("mqtt://ha:99999", "not a port"),
            ("mqtt://ha:0", "not a port"),
            ("mqtt://:1883", "no host"),
            ("mqtt://ha/topic", "no path"),
            ("mqtt://@ha", "empty"),
            ("mqtt://[::1", "unclosed"),
        ] {
            let e = url.parse::<Broker>().unwrap_err().to_string();
            assert!(e.contains(why) && e.contains(&redact(url)), "{url}: {e}");
        }
    }

    #[test]
    fn no_message_repeats_a_password() {
        for url in [
            "mqtts://door:hunter2@ha:8883",
            "mqtt://door:hunter2@ha:99999",
            "mqtt://door:hunter2@ha/x@y",
            "door:hunter2@:1883",
        ] {
            let e = url.parse::<Broker>().unwrap_err().to_string();
            assert!(!e.contains("hunter2") && !e.contains("door"), "{url}: {e}");
            assert!(e.contains("***@"), "{url}: {e}");
        }
        let b: Broker = "mqtt://door:hunter2@ha".parse().unwrap();
        assert!(!format!("{b:?}").contains("hunter2"));
        assert_eq!(redact("mqtt://ha:1883"), "mqtt://ha:1883");
    }

    #[test]
    fn a_password_from_elsewhere_needs_a_user() {
        let b: Broker = "mqtt://door@ha".parse().unwrap();
        let b = b.with_password("hunter2".into()).unwrap();
        assert_eq!(b.password.as_deref(), Some("hunter2"));
        let b: Broker = "mqtt://ha".parse().unwrap();
        let e = b.with_password("hunter2".into()).unwrap_err().to_string();
        assert!(e.contains("needs a user name"), "{e}");
    }
}
