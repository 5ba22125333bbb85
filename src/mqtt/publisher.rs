//! The connection to the broker, kept alive on its own thread so recognition never waits for
//! the network. While the broker is away, messages wait in the client's queue (up to
//! [`QUEUE`]) and go out after the reconnect; beyond that they are dropped and counted, never
//! blocking a frame. Every reconnect republishes discovery and the current state, so a broker
//! restarted without persistence learns them again; the queue keeps room for those.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};

use super::{Broker, MqttError, Topics};
use crate::live::Report;

/// Messages that may wait for the broker.
pub const QUEUE: usize = 256;
/// Reconnect backoff: doubling from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(30));
/// At exit, how long queued messages may take to go out.
const FLUSH: Duration = Duration::from_secs(3);

pub struct Publisher {
    client: Client,
    topics: Topics,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    done: mpsc::Receiver<()>,
}

struct Shared {
    connected: AtomicBool,
    stopping: AtomicBool,
    connects: AtomicU64,
    dropped: AtomicU64,
    /// Messages queued since the connection was lost.
    backlog: AtomicU64,
    /// Messages queued and not yet acknowledged by the broker.
    unacked: AtomicU64,
    /// The latest state message, republished on every connect.
    state: Mutex<String>,
}

impl Publisher {
    /// Starts connecting to `broker` as `device` and returns at once: a broker that is not up
    /// yet (a Pi that boots faster than Home Assistant) is retried with backoff.
    pub fn start(broker: &Broker, device: &str) -> Result<Publisher, MqttError> {
        let topics = Topics::new(device);
        // Unique per process, so two doors (or a door and a test) never kick each other off.
        let id = format!("lrfr-{}-{}", topics.device, std::process::id());
        let mut options = MqttOptions::new(id, broker.host.clone(), broker.port);
        options
            .set_keep_alive(Duration::from_secs(10))
            .set_clean_session(true)
            .set_last_will(LastWill::new(
                topics.state.clone(),
                Topics::offline_payload(crate::live::unix_now()),
                QoS::AtLeastOnce,
                true,
            ));
        if let Some(user) = &broker.username {
            options.set_credentials(user.clone(), broker.password.clone().unwrap_or_default());
        }
        // Twice the backlog allowed while away, so the reconnect's announcement and the first
        // messages after it always fit.
        let (client, mut connection) = Client::new(options, 2 * QUEUE + 16);
        let shared = Arc::new(Shared {
            connected: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            connects: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            backlog: AtomicU64::new(0),
            unacked: AtomicU64::new(0),
            // Nobody, until the caller's first `state` (which `watch` sends at once) says at
            // which resolution.
            state: Mutex::new(Topics::state_payload(
                &crate::live::Present::default(),
                crate::ResChoice::Native,
                crate::live::unix_now(),
            )),
        });
        // Queued first, so they go out on the first connect, whenever that is.
        announce(&client, &topics, &shared);
        let (done_tx, done) = mpsc::channel();
        let thread = {
            let (client, topics, shared) = (client.clone(), topics.clone(), shared.clone());
            let address = format!("{}:{}", broker.host, broker.port);
            std::thread::Builder::new()
                .name("mqtt".into())
                .spawn(move || {
                    let mut backoff = BACKOFF.0;
                    for notification in connection.iter() {
                        match notification {
                            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                                backoff = BACKOFF.0;
                                shared.backlog.store(0, Ordering::SeqCst);
                                shared.connected.store(true, Ordering::SeqCst);
                                tracing::info!("MQTT: connected to {address}");
                                if shared.connects.fetch_add(1, Ordering::SeqCst) > 0
                                    && !shared.stopping.load(Ordering::SeqCst)
                                {
                                    announce(&client, &topics, &shared);
                                }
                            }
                            Ok(Event::Incoming(Packet::PubAck(_))) => {
                                let _ = shared.unacked.fetch_update(
                                    Ordering::SeqCst,
                                    Ordering::SeqCst,
                                    |n| n.checked_sub(1),
                                );
                            }
                            Ok(Event::Outgoing(Outgoing::Disconnect)) => break,
                            Ok(_) => {}
                            Err(e) => {
                                shared.connected.store(false, Ordering::SeqCst);
                                if shared.stopping.load(Ordering::SeqCst) {
                                    break;
                                }
                                tracing::warn!(
                                    "MQTT: {address}: {e}; retrying in {:.1} s",
                                    backoff.as_secs_f32()
                                );
                                if !sleep_unless_stopping(backoff, &shared) {
                                    break;
                                }
                                backoff = (backoff * 2).min(BACKOFF.1);
                            }
                        }
                    }
                    let _ = done_tx.send(());
                })
                .map_err(MqttError::Thread)?
        };
        Ok(Publisher {
            client,
            topics,
            shared,
            thread: Some(thread),
            done,
        })
    }

    pub fn topics(&self) -> &Topics {
        &self.topics
    }

    /// Whether the broker has acknowledged the connection and it has not failed since.
    pub fn connected(&self) -> bool {
        self.shared.connected.load(Ordering::SeqCst)
    }

    /// Connections made so far (a reconnect counts again).
    pub fn connects(&self) -> u64 {
        self.shared.connects.load(Ordering::SeqCst)
    }

    /// Messages dropped because the queue was full while the broker was away.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::SeqCst)
    }

    pub fn event(&self, report: &Report) {
        match serde_json::to_string(report) {
            Ok(payload) => self.send(&self.topics.event, false, payload),
            Err(e) => tracing::error!("MQTT: cannot encode an event: {e}"),
        }
    }

    /// Who is in view now; retained, so Home Assistant shows it after its own restart too.
    pub fn state(&self, present: &crate::live::Present, res: crate::ResChoice) {
        let payload = Topics::state_payload(present, res, crate::live::unix_now());
        if let Ok(mut last) = self.shared.state.lock() {
            last.clone_from(&payload);
        }
        self.send(&self.topics.state, true, payload);
    }

    fn send(&self, topic: &str, retain: bool, payload: String) {
        let away = !self.connected();
        let full = away && self.shared.backlog.fetch_add(1, Ordering::SeqCst) >= QUEUE as u64;
        if !full && publish(&self.client, topic, retain, payload, &self.shared) {
            return;
        }
        let n = self.shared.dropped.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 1 || n.is_power_of_two() {
            tracing::warn!("MQTT: queue full while the broker is away; {n} messages dropped");
        }
    }

    /// Until the broker has acknowledged everything queued, or `deadline`.
    fn wait_for_acks(&self, deadline: Instant) {
        while self.connected()
            && self.shared.unacked.load(Ordering::SeqCst) > 0
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Queues a QoS 1 message without blocking (from the connection's own thread a full queue
/// would never drain); false when the queue is full.
fn publish(client: &Client, topic: &str, retain: bool, payload: String, shared: &Shared) -> bool {
    // Counted first: the acknowledgement may come before `try_publish` returns.
    shared.unacked.fetch_add(1, Ordering::SeqCst);
    let queued = client
        .try_publish(topic, QoS::AtLeastOnce, retain, payload)
        .is_ok();
    if !queued {
        shared.unacked.fetch_sub(1, Ordering::SeqCst);
    }
    queued
}

impl Drop for Publisher {
    /// Says nobody is there and `offline`, lets what is queued go out (for at most [`FLUSH`]), and disconnects.
    /// The disconnect waits for the broker's acknowledgements: closing the socket while they
    /// are still arriving resets the connection, and the broker then throws away whatever it
    /// had not read yet (the last events and the final state, seen in `tests/mqtt.rs`).
    fn drop(&mut self) {
        let deadline = Instant::now() + FLUSH;
        let offline = Topics::offline_payload(crate::live::unix_now());
        self.send(&self.topics.state, true, offline);
        self.wait_for_acks(deadline);
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.client.try_disconnect();
        let left = deadline.saturating_duration_since(Instant::now());
        if self.done.recv_timeout(left).is_ok() {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
        // Otherwise the broker is unreachable: the thread ends with the process.
    }
}

/// Discovery and the latest state (which says `online`): queued at the start and again after
/// every reconnect.
fn announce(client: &Client, topics: &Topics, shared: &Shared) {
    let state = shared.state.lock().map(|s| s.clone()).unwrap_or_default();
    for (topic, payload) in [
        (&topics.discovery, topics.discovery_payload()),
        (&topics.state, state),
    ] {
        if !publish(client, topic, true, payload, shared) {
            shared.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Sleeps `time` in short steps; false when the publisher is being dropped meanwhile.
fn sleep_unless_stopping(time: Duration, shared: &Shared) -> bool {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < time {
        if shared.stopping.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(step);
        slept += step;
    }
    true
}
