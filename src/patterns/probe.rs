//! What a pattern path is, found from its metadata before anything opens it: a regular file
//! (with the [`Stamp`] that tells whether it changed since it was last read), gone, or
//! something a pattern cannot be read from (a FIFO, a device, a directory, a broken link).
//! A FIFO or a device is never opened: opening a FIFO blocks until a writer comes.

use std::fs::{File, Metadata};
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::error::{ErrorKind, FileError};

/// What a pattern path is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Directory,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    /// A symbolic link whose target does not exist.
    DanglingLink,
    /// Symbolic links that lead back to themselves.
    LinkLoop,
    /// Anything else the system reports.
    Other,
}

impl std::fmt::Display for FileKind {
    /// "a FIFO", "a directory", "a dangling symbolic link", …
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::DanglingLink => "a dangling symbolic link",
            FileKind::LinkLoop => "a symbolic link loop",
            FileKind::Other => "not a regular file",
        })
    }
}

/// How long after its last change a file's metadata is not trusted to show the next change:
/// file systems record times in ticks (a jiffy on Linux, 1 s or 2 s on some), so two writes of
/// the same size within one tick look alike. A file changed this recently is read again.
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

/// The metadata that changes whenever a file's contents may have: size, modification time
/// and, on Unix, the inode and its change time (which no tool can set back, unlike the
/// modification time that `cp -p`, `rsync -t` or `touch -d` restore).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(unix)]
    changed: (i64, i64),
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// True when the file last changed (contents or inode) at least `window` before `now`, so
    /// an equal stamp later means equal contents. A time in the future (clock skew of a
    /// network file system) is never settled.
    pub fn settled(&self, now: SystemTime, window: Duration) -> bool {
        let Some(modified) = self.modified else {
            return false;
        };
        #[cfg(unix)]
        let changed = u64::try_from(self.changed.0).ok().map(|secs| {
            let nanos = self.changed.1.clamp(0, 999_999_999) as u32;
            SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
        });
        #[cfg(not(unix))]
        let changed = Some(modified);
        let Some(changed) = changed else {
            return false;
        };
        now.duration_since(modified.max(changed))
            .is_ok_and(|age| age >= window)
    }
}

/// What [`probe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A regular file (possibly through symbolic links): safe to open.
    File(Stamp),
    /// Nothing there any more (deleted since the directory was listed).
    Gone,
}

/// Looks at `path` without opening it: a regular file, gone, or an error saying what it is.
pub fn probe(path: &Path) -> Result<Probe, FileError> {
    let io = |e: std::io::Error| {
        FileError::new(
            path,
            ErrorKind::Io {
                message: e.to_string(),
            },
        )
    };
    let own = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Probe::Gone),
        Err(e) => return Err(io(e)),
    };
    if !own.file_type().is_symlink() {
        return regular(path, &own, false).map(Probe::File);
    }
    match std::fs::metadata(path) {
        Ok(target) => regular(path, &target, true).map(Probe::File),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(not_a_file(path, FileKind::DanglingLink, false))
        }
        Err(e) if is_loop(&e) => Err(not_a_file(path, FileKind::LinkLoop, false)),
        Err(e) => Err(io(e)),
    }
}

/// Opens a file that [`probe`] found regular, without blocking if it was replaced by a FIFO
/// since, and checks again on the open file. Returns the file and its stamp.
pub fn open_regular(path: &Path) -> Result<(File, Stamp), FileError> {
    let io = |e: std::io::Error| {
        FileError::new(
            path,
            ErrorKind::Io {
                message: e.to_string(),
            },
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let stamp = regular(path, &meta, false)?;
    Ok((file, stamp))
}

/// Linux and Android on the architectures that share the generic errno and open-flag values
/// (not MIPS, SPARC, Alpha, PA-RISC).
const GENERIC_LINUX: bool = cfg!(all(
    any(target_os = "linux", target_os = "android"),
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv32",
        target_arch = "riscv64",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
));
/// macOS and the BSDs, which share these values.
const BSD: bool = cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
));

/// `O_NONBLOCK`: opening a FIFO for reading returns at once instead of waiting for a writer
/// (no effect on regular files). 0 where the value is not known here: the metadata check
/// before opening still keeps FIFOs out, only a FIFO swapped in between could then block.
#[cfg(unix)]
const O_NONBLOCK: i32 = if GENERIC_LINUX {
    0o4000
} else if BSD {
    0x0004
} else {
    0
};

/// `ELOOP` ("too many levels of symbolic links"): `io::ErrorKind::FilesystemLoop` is not
/// stable yet. Elsewhere a loop is reported with the system's own message.
fn is_loop(e: &std::io::Error) -> bool {
    let eloop = if GENERIC_LINUX {
        40
    } else if BSD {
        62
    } else {
        return false;
    };
    e.raw_os_error() == Some(eloop)
}

/// The stamp of a regular file, or the error naming what it is instead.
fn regular(path: &Path, meta: &Metadata, through_link: bool) -> Result<Stamp, FileError> {
    let kind = kind_of(meta);
    match kind {
        None => Ok(Stamp::of(meta)),
        Some(found) => Err(not_a_file(path, found, through_link)),
    }
}

/// What a watched pattern directory is now, when it is not a directory any more: `None` when
/// nothing is there, else what is ("a regular file", "a FIFO", …).
pub fn directory_gone(dir: &Path) -> Option<Option<String>> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => None,
        Ok(m) => Some(Some(match kind_of(&m) {
            None => "a regular file".to_string(),
            Some(kind) => kind.to_string(),
        })),
        Err(_) => Some(None),
    }
}

/// `None` for a regular file, else what it is.
fn kind_of(meta: &Metadata) -> Option<FileKind> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(FileKind::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some(FileKind::Fifo);
        }
        if t.is_socket() {
            return Some(FileKind::Socket);
        }
        if t.is_char_device() {
            return Some(FileKind::CharDevice);
        }
        if t.is_block_device() {
            return Some(FileKind::BlockDevice);
        }
    }
    Some(FileKind::Other)
}

fn not_a_file(path: &Path, found: FileKind, through_link: bool) -> FileError {
    FileError::new(
        path,
        ErrorKind::NotAFile {
            found,
            through_link,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_settled_only_after_the_racy_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "#\n").unwrap();
        let Probe::File(stamp) = probe(&path).unwrap() else {
            panic!("a regular file")
        };
        let now = SystemTime::now();
        assert!(!stamp.settled(now, RACY_WINDOW));
        let later = now + RACY_WINDOW + Duration::from_millis(10);
        assert!(stamp.settled(later, RACY_WINDOW));
        // An older modification time does not settle a file whose inode just changed.
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let Probe::File(stamp) = probe(&path).unwrap() else {
            panic!("a regular file")
        };
        assert!(!stamp.settled(SystemTime::now(), RACY_WINDOW));
    }

    #[test]
    fn a_vanished_path_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(probe(&dir.path().join("none.txt")), Ok(Probe::Gone));
    }
}
