//! The broker's address as users write it: `mqtt://[user[:password]@]host[:port]`, as in Home
//! Assistant's and mosquitto's own documentation. Port 1883 when none is given.

use std::str::FromStr;

use super::MqttError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl FromStr for Broker {
    type Err = MqttError;

    fn from_str(url: &str) -> Result<Broker, MqttError> {
        let bad = |why: &str| MqttError::Url {
            url: url.to_string(),
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
            assert!(e.contains(why) && e.contains(url), "{url}: {e}");
        }
    }
}
