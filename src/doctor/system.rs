//! The cameras the window can pick, and whether a window can open here at all.

use super::{Check, Health};
use crate::source::list_cameras;

pub fn cameras(out: &mut Vec<Check>) {
    let list = list_cameras();
    for camera in &list.cameras {
        let best = camera
            .modes
            .first()
            .map(|m| m.to_string())
            .unwrap_or_default();
        out.push(Check::new(
            "camera",
            Health::Good,
            format!(
                "/dev/video{}: {} ({}), {} modes, e.g. {best}",
                camera.index,
                camera.name,
                camera.driver,
                camera.modes.len()
            ),
        ));
    }
    if list.cameras.is_empty() {
        let advice = list.advice.unwrap_or_else(|| {
            "no camera the app can read; a folder of images works as the camera".into()
        });
        out.push(Check::new("camera", Health::Note, advice));
    }
}

/// The window needs a display server that answers and an OpenGL library; `lrfr watch`
/// needs neither.
pub fn display(out: &mut Vec<Check>) {
    let gl = ["libGL.so.1", "libEGL.so.1"]
        .iter()
        .find(|name| loadable(name))
        .copied();
    let (health, text) = match (display_server(), gl) {
        (Ok(server), Some(gl)) => (Health::Good, format!("{server}, OpenGL via {gl}")),
        (Err(why), _) => (
            Health::Note,
            format!("{why}: the window cannot open here; `lrfr watch` runs without one"),
        ),
        (Ok(server), None) => (
            Health::Fix,
            format!(
                "{server}, but no OpenGL library: `sudo apt install libgl1 libegl1` for the \
                 window"
            ),
        ),
    };
    out.push(Check::new("display", health, text));
}

/// The display server the window would open on, if it answers: `Ok("DISPLAY=:0 answers")`,
/// or why not, in a few words. Wayland first, as the window tries it first. Only connects:
/// nothing is sent.
pub fn display_server() -> Result<String, String> {
    let wayland = std::env::var("WAYLAND_DISPLAY")
        .ok()
        .filter(|v| !v.is_empty());
    let x11 = std::env::var("DISPLAY").ok().filter(|v| !v.is_empty());
    if wayland.is_none() && x11.is_none() {
        return Err("neither DISPLAY nor WAYLAND_DISPLAY is set".into());
    }
    let mut why = Vec::new();
    if let Some(name) = wayland {
        let path = match std::env::var_os("XDG_RUNTIME_DIR") {
            _ if name.starts_with('/') => std::path::PathBuf::from(&name),
            Some(dir) => std::path::Path::new(&dir).join(&name),
            None => std::path::PathBuf::from(&name),
        };
        match std::os::unix::net::UnixStream::connect(&path) {
            Ok(_) => return Ok(format!("WAYLAND_DISPLAY={name} answers")),
            Err(_) => why.push(format!(
                "WAYLAND_DISPLAY={name} does not answer (nothing listens at {})",
                path.display()
            )),
        }
    }
    if let Some(name) = x11 {
        match x11_connects(&name) {
            Ok(()) => return Ok(format!("DISPLAY={name} answers")),
            Err(e) => why.push(format!("DISPLAY={name} does not answer ({e})")),
        }
    }
    Err(why.join("; "))
}

/// Connects to the X server `display` names (`:0`, `unix:0.0`, `host:10.0` for SSH's X
/// forwarding).
fn x11_connects(display: &str) -> std::io::Result<()> {
    let (host, rest) = display
        .rsplit_once(':')
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not host:number"))?;
    let number: u16 = rest
        .split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "no display number")
        })?;
    if host.is_empty() || host == "unix" {
        let socket = format!("/tmp/.X11-unix/X{number}");
        std::os::unix::net::UnixStream::connect(&socket)
            .map(drop)
            .map_err(|_| std::io::Error::other(format!("nothing listens at {socket}")))
    } else {
        use std::net::ToSocketAddrs;
        let port = 6000u16.saturating_add(number);
        let address = (host, port).to_socket_addrs()?.next().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address")
        })?;
        std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2)).map(drop)
    }
}

fn loadable(name: &str) -> bool {
    let Ok(c_name) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: dlopen with a valid C string; the handle is closed at once and nothing from the
    // library is called.
    unsafe {
        let handle = libc::dlopen(c_name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
        if handle.is_null() {
            return false;
        }
        libc::dlclose(handle);
    }
    true
}
