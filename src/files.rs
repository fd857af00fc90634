//! Files and their integrity: atomic writes, reading text, checksums.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// FNV-1a, 64 bits: the checksum of model files and certificates.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Writes `text` and a newline to `path` with `.tmp` added to its name, then
/// renames that over `path`, so that a failed save leaves any old file whole.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let temporary = temporary_path(path);
    let io = |err: std::io::Error| Error::Io {
        reason: format!("{}: {err}", path.display()),
    };
    let written = fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()
    });
    if let Err(err) = written.and_then(|()| fs::rename(&temporary, path)) {
        // Nothing to do if the temporary file was never made.
        let _ = fs::remove_file(&temporary);
        return Err(io(err));
    }
    Ok(())
}

/// The text of the file `path`.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = fs::read(path).map_err(|err| Error::Io {
        reason: format!("{}: {err}", path.display()),
    })?;
    String::from_utf8(bytes).map_err(|_| Error::ModelFile {
        reason: "the file is not UTF-8 text".to_owned(),
    })
}

/// `path` with `.tmp` added to its file name.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// At most the first 40 characters of `text`, for messages.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

/// The checksum of a file: FNV-1a (64 bits, hex) of the compact JSON of
/// `file` with the field `checksum` selects emptied, so that a changed value
/// anywhere else is detected. The field is put back afterwards.
pub(crate) fn checksum_of<F: serde::Serialize>(
    file: &mut F,
    checksum: impl Fn(&mut F) -> &mut String,
) -> Result<String, Error> {
    let claimed = std::mem::take(checksum(file));
    let text = serde_json::to_string(file);
    *checksum(file) = claimed;
    let text = text.map_err(|err| Error::ModelFile {
        reason: err.to_string(),
    })?;
    Ok(format!("{:016x}", fnv1a(text.as_bytes())))
}

/// The fields every versioned file of the crate starts with.
#[derive(serde::Deserialize)]
pub(crate) struct Header {
    pub(crate) format: String,
    pub(crate) version: u32,
}
