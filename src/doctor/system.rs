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

/// The window needs a display server and an OpenGL library; `lrfr watch` needs neither.
pub fn display(out: &mut Vec<Check>) {
    let server = ["WAYLAND_DISPLAY", "DISPLAY"]
        .iter()
        .find_map(|v| std::env::var(v).ok().map(|value| format!("{v}={value}")));
    let gl = ["libGL.so.1", "libEGL.so.1"]
        .iter()
        .find(|name| loadable(name))
        .copied();
    let (health, text) = match (server, gl) {
        (Some(server), Some(gl)) => (Health::Good, format!("{server}, OpenGL via {gl}")),
        (None, _) => (
            Health::Note,
            "no display (no DISPLAY or WAYLAND_DISPLAY): the window cannot open here; \
             `lrfr watch` runs without one"
                .to_string(),
        ),
        (Some(server), None) => (
            Health::Fix,
            format!(
                "{server}, but no OpenGL library: `sudo apt install libgl1 libegl1` for the \
                 window"
            ),
        ),
    };
    out.push(Check::new("display", health, text));
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
