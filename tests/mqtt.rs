//! The headless door talking to a real broker: Debian's mosquitto, started by the test on the
//! loopback address, and a real MQTT client listening as Home Assistant would.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use lrfr::live::{Event, Present, Report};
use lrfr::mqtt::{Broker, Publisher, QUEUE};
use lrfr::Resolution;
use rumqttc::{Client, MqttOptions, Packet, QoS};
use serde_json::Value;

/// A mosquitto of our own on 127.0.0.1, killed when dropped.
struct Mosquitto {
    child: Child,
    port: u16,
}

fn mosquitto_binary() -> Option<PathBuf> {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

impl Mosquitto {
    fn start(dir: &Path, port: u16) -> Mosquitto {
        Mosquitto::start_with(dir, port, "")
    }

    /// With `extra` lines of configuration (a password file).
    fn start_with(dir: &Path, port: u16, extra: &str) -> Mosquitto {
        let binary = mosquitto_binary().expect("checked by the caller");
        let conf = dir.join(format!("mosquitto-{port}.conf"));
        // No persistence: a restart forgets retained messages and sessions, the hard case.
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n\
                 {extra}"
            ),
        )
        .unwrap();
        let child = Command::new(binary).arg("-c").arg(&conf).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Mosquitto { child, port }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn broker_or_skip(dir: &Path) -> Option<Mosquitto> {
    broker_with_or_skip(dir, "")
}

fn broker_with_or_skip(dir: &Path, extra: &str) -> Option<Mosquitto> {
    if mosquitto_binary().is_none() {
        common::skip("mosquitto is not installed (apt-get install mosquitto)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Some(Mosquitto::start_with(dir, port, extra))
}

/// Whether a state message says the door is offline.
fn offline(topic: &str, payload: &str) -> bool {
    topic.ends_with("/state") && payload.contains("\"availability\":\"offline\"")
}

/// Everything published on the broker, as (topic, payload, retained), from a client that
/// subscribes to `#` again after each reconnect.
fn listen(port: u16) -> Receiver<(String, String, bool)> {
    listen_as(port, "listener")
}

fn listen_as(port: u16, name: &str) -> Receiver<(String, String, bool)> {
    let mut options = MqttOptions::new(format!("{name}-{port}"), "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut connection) = Client::new(options, 16);
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready) = mpsc::channel();
    std::thread::spawn(move || {
        for notification in connection.iter() {
            match notification {
                Ok(rumqttc::Event::Incoming(Packet::ConnAck(_))) => {
                    let _ = client.try_subscribe("#", QoS::AtLeastOnce);
                }
                Ok(rumqttc::Event::Incoming(Packet::SubAck(_))) => {
                    let _ = ready_tx.send(());
                }
                Ok(rumqttc::Event::Incoming(Packet::Publish(p))) => {
                    let text = String::from_utf8_lossy(&p.payload).into_owned();
                    if tx.send((p.topic.clone(), text, p.retain)).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    });
    ready
        .recv_timeout(Duration::from_secs(10))
        .expect("the listener subscribed");
    rx
}

/// Messages until `done` says the last one wanted has come, or 15 s.
fn collect(
    rx: &Receiver<(String, String, bool)>,
    done: impl Fn(&[(String, String, bool)]) -> bool,
) -> Vec<(String, String, bool)> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut got = Vec::new();
    while !done(&got) && Instant::now() < deadline {
        if let Ok(m) = rx.recv_timeout(Duration::from_millis(100)) {
            got.push(m);
        }
    }
    got
}

fn payloads<'a>(got: &'a [(String, String, bool)], topic: &'a str) -> Vec<Value> {
    got.iter()
        .filter(|(t, _, _)| t == topic)
        .map(|(_, p, _)| serde_json::from_str(p).unwrap_or(Value::String(p.clone())))
        .collect()
}

#[test]
fn watch_tells_home_assistant_who_is_at_the_door() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("mqtt-watch");
    let Some(broker) = broker_or_skip(&dir) else {
        return;
    };
    let gallery = dir.join("gallery");
    common::enrolled(&faces, &gallery, &[("John", "John_Ashcroft")], 1..=5);
    // John at the door for eight frames.
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for n in 0..8u32 {
        let from = faces.join(format!("John_Ashcroft/John_Ashcroft_{:04}.jpg", n + 10));
        std::fs::copy(from, frames.join(format!("{n:02}.jpg"))).unwrap();
    }
    let rx = listen(broker.port);
    let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(&gallery)
        .arg("--models")
        .arg(common::models_dir())
        .args(["watch", "--res", "16", "--device", "front_door", "--source"])
        .arg(&frames)
        .arg("--mqtt")
        .arg(format!("mqtt://127.0.0.1:{}", broker.port))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let got = collect(&rx, |got| got.iter().any(|(t, p, _)| offline(t, p)));
    let discovery = payloads(&got, "homeassistant/sensor/lrfr_front_door/person/config");
    assert_eq!(discovery.len(), 1, "{got:?}");
    assert_eq!(discovery[0]["state_topic"], "lrfr/front_door/state");
    assert_eq!(discovery[0]["availability_topic"], "lrfr/front_door/state");
    assert_eq!(discovery[0]["value_template"], "{{ value_json.who }}");

    // John's track; LFW photos also hold small background faces, which are followed (and
    // lost) without a name.
    let all = payloads(&got, "lrfr/front_door/event");
    let john = all
        .iter()
        .find(|e| e["event"] == "named")
        .map(|e| e["track"].clone());
    let events: Vec<&Value> = all
        .iter()
        .filter(|e| Some(&e["track"]) == john.as_ref())
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds, ["named", "lost"], "{all:?}");
    assert!(
        all.iter()
            .all(|e| e["event"] == "lost" || e["name"] == "John"),
        "{all:?}"
    );
    assert_eq!(events[0]["name"], "John");
    assert_eq!(events[0]["res"], 16);
    assert!(events[0]["score"].as_f64().unwrap() > 0.3);
    assert!(events[0]["time"].as_f64().unwrap() > 1.7e9);
    // Who left, and where in the stream each happened.
    assert_eq!(events[1]["was"], "John");
    assert!(events[1]["name"].is_null());
    let frames: Vec<u64> = events.iter().filter_map(|e| e["frame"].as_u64()).collect();
    assert!(
        frames.len() == 2 && frames[0] >= 3 && frames[0] <= frames[1],
        "{events:?}"
    );

    // Who is there: nobody, then John, then nobody again when the door closes.
    let who: Vec<String> = payloads(&got, "lrfr/front_door/state")
        .iter()
        .map(|s| s["who"].as_str().unwrap_or("").to_string())
        .collect();
    let mut changes = who.clone();
    changes.dedup();
    assert_eq!(changes, ["nobody", "John", "nobody"], "{who:?}");
    let availability: Vec<String> = payloads(&got, "lrfr/front_door/state")
        .iter()
        .map(|s| s["availability"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(availability.last().map(String::as_str), Some("offline"));
    assert!(availability[..availability.len() - 1]
        .iter()
        .all(|a| a == "online"));

    // Home Assistant started later still learns the sensor and its last value: both are
    // retained by the broker and handed to a new subscriber.
    let late = listen_as(broker.port, "late");
    let kept = collect(&late, |got| got.len() >= 2);
    let retained: Vec<(&str, bool)> = kept.iter().map(|(t, _, r)| (t.as_str(), *r)).collect();
    for topic in [
        "homeassistant/sensor/lrfr_front_door/person/config",
        "lrfr/front_door/state",
    ] {
        assert!(retained.contains(&(topic, true)), "{topic}: {kept:?}");
    }
    assert_eq!(payloads(&kept, "lrfr/front_door/state")[0]["who"], "nobody");
}

#[test]
fn the_door_keeps_going_while_the_broker_is_away_and_catches_up_after() {
    let dir = common::scratch("mqtt-reconnect");
    let Some(broker) = broker_or_skip(&dir) else {
        return;
    };
    let port = broker.port;
    let url: Broker = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let rx = listen(port);
    let door = Publisher::start(&url, "hall").unwrap();
    let wait_for = |what: &str, ok: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ok() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("the first connection", &|| door.connected());
    let (gallery, _) = lrfr::gallery::Gallery::open(&dir.join("gallery")).unwrap();
    let lost = Report::new(
        &Event::Lost {
            track: 7,
            person: None,
        },
        &gallery,
        Some(Resolution::R24),
    );
    door.event(&lost);
    let got = collect(&rx, |got| {
        got.iter().any(|(t, _, _)| t == "lrfr/hall/event")
    });
    assert_eq!(payloads(&got, "lrfr/hall/event")[0]["track"], 7);

    // The broker goes away. Publishing never blocks: what does not fit the queue is counted.
    drop(broker);
    wait_for("the door to notice", &|| !door.connected());
    let ada = Present {
        names: vec!["Ada".to_string()],
        strangers: 0,
    };
    door.state(&ada, Resolution::R24.into());
    for _ in 0..QUEUE + 50 {
        door.event(&lost);
    }
    assert!(door.dropped() >= 50, "{} dropped", door.dropped());
    assert_eq!(door.connects(), 1);

    // Back on the same port, without persistence: the door reconnects by itself and tells the
    // new broker everything again, including who was there in the meantime.
    let _broker = Mosquitto::start(&dir, port);
    wait_for("the reconnect", &|| {
        door.connected() && door.connects() == 2
    });
    let got = collect(&rx, |got| {
        got.iter()
            .any(|(t, p, _)| t == "lrfr/hall/state" && p.contains("Ada"))
            && got.iter().any(|(t, _, _)| t.starts_with("homeassistant/"))
    });
    let states = payloads(&got, "lrfr/hall/state");
    assert_eq!(states.last().unwrap()["who"], "Ada", "{got:?}");
    assert!(
        payloads(&got, "homeassistant/sensor/lrfr_hall/person/config").len() == 1,
        "{got:?}"
    );
}

#[test]
fn what_the_door_said_before_it_closed_reaches_the_broker() {
    let dir = common::scratch("mqtt-flush");
    let Some(broker) = broker_or_skip(&dir) else {
        return;
    };
    let url: Broker = format!("mqtt://127.0.0.1:{}", broker.port).parse().unwrap();
    let rx = listen(broker.port);
    let door = Publisher::start(&url, "porch").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !door.connected() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for the connection"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (gallery, _) = lrfr::gallery::Gallery::open(&dir.join("gallery")).unwrap();
    // A burst just before the door stops, as watch's last frame ends every track at once.
    for track in 0..20 {
        let lost = Event::Lost {
            track,
            person: None,
        };
        door.event(&Report::new(&lost, &gallery, Some(Resolution::R16)));
    }
    door.state(&Present::default(), Resolution::R16.into());
    drop(door);
    let got = collect(&rx, |got| got.iter().any(|(t, p, _)| offline(t, p)));
    let tracks: Vec<Value> = payloads(&got, "lrfr/porch/event")
        .iter()
        .map(|e| e["track"].clone())
        .collect();
    assert_eq!(
        tracks,
        (0..20).map(Value::from).collect::<Vec<_>>(),
        "{got:?}"
    );
    let last_two: Vec<(&str, Value)> = got
        .iter()
        .rev()
        .take(2)
        .map(|(t, p, _)| (t.as_str(), serde_json::from_str(p).unwrap_or(Value::Null)))
        .collect();
    assert_eq!(
        (
            last_two[0].1["availability"].as_str(),
            last_two[1].1["availability"].as_str()
        ),
        (Some("offline"), Some("online")),
        "the state, then offline, come last: {got:?}"
    );
    assert!(
        last_two.iter().all(|(t, _)| *t == "lrfr/porch/state"),
        "{got:?}"
    );
}

/// John at the door for `n` frames, in a folder of their own.
fn john_frames(faces: &Path, dir: &Path, n: u32) -> std::path::PathBuf {
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for k in 0..n {
        let from = faces.join(format!("John_Ashcroft/John_Ashcroft_{:04}.jpg", k % 8 + 10));
        std::fs::copy(from, frames.join(format!("{k:03}.jpg"))).unwrap();
    }
    frames
}

#[test]
fn a_door_killed_without_goodbye_leaves_nobody_standing() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("mqtt-kill");
    let Some(broker) = broker_or_skip(&dir) else {
        return;
    };
    let gallery = dir.join("gallery");
    common::enrolled(&faces, &gallery, &[("John", "John_Ashcroft")], 1..=5);
    let frames = john_frames(&faces, &dir, 200);
    let rx = listen(broker.port);
    let mut door = Command::new(env!("CARGO_BIN_EXE_lrfr"))
        .arg("--gallery")
        .arg(&gallery)
        .arg("--models")
        .arg(common::models_dir())
        .args([
            "watch", "--res", "16", "--fps", "5", "--device", "hall", "--source",
        ])
        .arg(&frames)
        .arg("--mqtt")
        .arg(format!("mqtt://127.0.0.1:{}", broker.port))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let got = collect(&rx, |got| {
        payloads(got, "lrfr/hall/state")
            .iter()
            .any(|s| s["who"] == "John")
    });
    // The power goes: no goodbye, no final state.
    door.kill().unwrap();
    door.wait().unwrap();
    assert!(
        payloads(&got, "lrfr/hall/state")
            .iter()
            .any(|s| s["who"] == "John"),
        "{got:?}"
    );
    let _ = collect(&rx, |got| got.iter().any(|(t, p, _)| offline(t, p)));
    // Home Assistant asking now is told nobody, and that the door is offline.
    let late = listen_as(broker.port, "after-kill");
    let kept = collect(&late, |got| {
        got.iter().any(|(t, _, _)| t == "lrfr/hall/state")
    });
    let state = &payloads(&kept, "lrfr/hall/state")[0];
    assert_eq!(state["who"], "nobody", "{kept:?}");
    assert_eq!(state["availability"], "offline", "{kept:?}");
}

#[test]
fn the_password_comes_from_a_file_or_the_environment_and_is_never_shown() {
    let Some(faces) = common::faces() else { return };
    let dir = common::scratch("mqtt-password");
    let passwords = dir.join("passwords");
    let made = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwords)
        .args(["door", "hunter2"])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        common::skip("mosquitto_passwd is not installed (apt-get install mosquitto)");
        return;
    }
    let Some(broker) =
        broker_with_or_skip(&dir, &format!("password_file {}\n", passwords.display()))
    else {
        return;
    };
    let gallery = dir.join("gallery");
    common::enrolled(&faces, &gallery, &[("John", "John_Ashcroft")], 1..=5);
    let frames = john_frames(&faces, &dir, 8);
    std::fs::write(dir.join("secret"), "hunter2\n").unwrap();
    let watch = |device: &str, url: &str, file: bool, env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lrfr"));
        command
            .arg("--gallery")
            .arg(&gallery)
            .arg("--models")
            .arg(common::models_dir())
            .args(["watch", "--res", "16", "--device", device, "--source"])
            .arg(&frames)
            .args(["--mqtt", url])
            .env_remove("LRFR_MQTT_PASSWORD");
        if file {
            command.arg("--mqtt-password-file").arg(dir.join("secret"));
        }
        if let Some(password) = env {
            command.env("LRFR_MQTT_PASSWORD", password);
        }
        command.output().unwrap()
    };
    let url = format!("mqtt://door@127.0.0.1:{}", broker.port);
    let rx = listen(broker.port);
    for (device, file, env) in [("by-file", true, None), ("by-env", false, Some("hunter2"))] {
        let out = watch(device, &url, file, env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let got = collect(&rx, |got| {
        ["by-file", "by-env"].iter().all(|d| {
            payloads(got, &format!("lrfr/{d}/state"))
                .iter()
                .any(|s| s["who"] == "John")
        })
    });
    for device in ["by-file", "by-env"] {
        let states = payloads(&got, &format!("lrfr/{device}/state"));
        assert!(
            states.iter().any(|s| s["who"] == "John"),
            "{device}: {got:?}"
        );
    }
    // A bad address with the password in it: refused, and the password is not repeated.
    for bad in [
        "mqtt://door:hunter2@127.0.0.1:99999",
        "mqtts://door:hunter2@ha",
    ] {
        let out = watch("bad", bad, false, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}");
        assert!(!stderr.contains("hunter2"), "{bad}: {stderr}");
        assert!(stderr.contains("***@"), "{bad}: {stderr}");
    }
}
