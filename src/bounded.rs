//! Reading a file through a cap. A file's claimed size is no bound: `/dev/zero`, a pipe
//! (`<(cat big)`) and a fifo all claim 0 bytes and never end, so the files a user or an
//! archive can point lrfr at and that it reads whole (models, manifests, gallery crops,
//! imports, passphrase and password files) are read through one of these.

use std::io::Read;
use std::path::Path;

/// `path` whole, if it holds at most `cap` bytes; else `FileTooLarge`, having read `cap + 1`.
pub fn read(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("larger than {}", size(cap)),
        ));
    }
    Ok(bytes)
}

/// As [`read`], for text.
pub fn read_to_string(path: &Path, cap: u64) -> std::io::Result<String> {
    String::from_utf8(read(path, cap)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 => format!("{} kB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_stops_at_the_cap() {
        let error = read(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("1 MB"), "{error}");
        assert_eq!(read(Path::new("/dev/null"), 10).unwrap(), b"");
    }
}
