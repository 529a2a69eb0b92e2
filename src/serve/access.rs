//! Who may connect: the server's host key (made on first start, kept with mode 0600 so that the
//! viewers' `known_hosts` stay valid), the presenter's and the viewers' public keys, and the
//! rule for anonymous viewers.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use russh::keys::ssh_key::authorized_keys::Entry;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::ssh_key::{HashAlg, LineEnding, PublicKey};
use russh::keys::{PrivateKey, ssh_key};

/// The default place of the host key: `$XDG_STATE_HOME/recall/ssh_host_ed25519_key`, else
/// `~/.local/state/recall/ssh_host_ed25519_key`.
pub fn default_host_key_path() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })
        .unwrap_or_else(|| PathBuf::from("."));
    state.join("recall").join("ssh_host_ed25519_key")
}

/// The host key at `path`, made there (ed25519, mode 0600, its folder 0700) if there is none.
/// A key file that others may read is refused, as OpenSSH refuses one; so is anything that is
/// not an unencrypted OpenSSH private key, with one line that says what the file is.
pub fn load_or_create_host_key(path: &Path) -> anyhow::Result<(PrivateKey, bool)> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => bail!(
            "the host key {} is a directory; expected {EXPECTED} (or give a path where none \
             exists, and one is made)",
            path.display()
        ),
        Ok(meta) if !meta.is_file() => bail!(
            "the host key {} is not a regular file; expected {EXPECTED}",
            path.display()
        ),
        Ok(meta) => {
            // What the file is first: a public key or a text file told to chmod 600 was told
            // only after the chmod that it was not a key at all.
            let key = read_host_key(path, meta.len())?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                bail!(
                    "the host key {} can be read by others (mode {mode:03o}): chmod 600 it",
                    path.display()
                );
            }
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((create_host_key(path)?, true)),
        Err(e) => Err(e).with_context(|| format!("cannot read the host key {}", path.display())),
    }
}

/// What a host key file must hold.
const EXPECTED: &str = "an OpenSSH private key without a passphrase \
                        (\"-----BEGIN OPENSSH PRIVATE KEY-----\", as ssh-keygen -t ed25519 -N '' writes)";

/// The largest host key file read (an RSA key of 16384 bits is about 13 KB).
const HOST_KEY_MAX_BYTES: u64 = 64 * 1024;

/// Reads an OpenSSH private key, saying in one line what the file is when it is not one.
fn read_host_key(path: &Path, len: u64) -> anyhow::Result<PrivateKey> {
    let shown = path.display();
    if len > HOST_KEY_MAX_BYTES {
        bail!("the host key {shown} is {len} bytes, too large for a key; expected {EXPECTED}");
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the host key {shown}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let start = text.trim_start();
    let what = if bytes.is_empty() || start.is_empty() {
        Some("is empty".to_string())
    } else if start.starts_with("ssh-") || start.starts_with("ecdsa-") || start.starts_with("sk-") {
        Some("is a public key (a .pub file)".to_string())
    } else if start.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        None
    } else if let Some(kind) = start
        .strip_prefix("-----BEGIN ")
        .and_then(|r| r.split("-----").next())
    {
        let kind: String = kind.chars().filter(|c| !c.is_control()).take(40).collect();
        Some(format!("holds a PEM \"{kind}\", not the OpenSSH format"))
    } else if bytes.contains(&0) {
        Some("is a binary file, not a key".to_string())
    } else {
        Some("is text but not a key".to_string())
    };
    if let Some(what) = what {
        bail!("the host key {shown} {what}; expected {EXPECTED}");
    }
    let key = PrivateKey::from_openssh(&*bytes).map_err(|e| {
        anyhow::anyhow!(
            "the host key {shown} is a damaged OpenSSH private key ({e}); expected {EXPECTED}"
        )
    })?;
    if key.is_encrypted() {
        bail!(
            "the host key {shown} is protected by a passphrase, which recall serve cannot ask \
             for; remove it (ssh-keygen -p -N '' -f {shown}) or give --host-key a new path"
        );
    }
    Ok(key)
}

fn create_host_key(path: &Path) -> anyhow::Result<PrivateKey> {
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .context("cannot read random bytes for a host key")?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    seed.fill(0);
    key.set_comment("recall serve host key");
    let text = key
        .to_openssh(LineEnding::LF)
        .context("cannot encode the host key")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create the host key {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the host key {}", path.display()))?;
    Ok(key)
}

/// The SHA-256 fingerprint of a key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The public keys of a file in `authorized_keys` form (one key per line, options allowed,
/// `#` comments; a `.pub` file is one such line).
pub fn read_keys(path: &Path) -> anyhow::Result<Vec<PublicKey>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry: Entry = line.parse().map_err(|e: ssh_key::Error| {
            anyhow::anyhow!(
                "{}:{}: not a public key ({e}); expected a line like `ssh-ed25519 AAAA… name`",
                path.display(),
                i + 1
            )
        })?;
        keys.push(entry.public_key().clone());
    }
    if keys.is_empty() {
        bail!("{} holds no public key", path.display());
    }
    Ok(keys)
}

/// Who gets in, and as what.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Keys that authenticate the presenter.
    pub presenter: Vec<PublicKey>,
    /// Keys of viewers (`None`: no list).
    pub viewers: Option<Vec<PublicKey>>,
    /// Viewers need no key at all.
    pub anonymous: bool,
}

/// What a key authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    Presenter,
    Viewer,
    Refused,
}

fn same_key(a: &PublicKey, b: &PublicKey) -> bool {
    a.key_data() == b.key_data()
}

impl Policy {
    /// The policy of these flags: without a list of viewers' keys, anonymous viewers only on a
    /// loopback address unless `allow_anonymous`.
    pub fn new(
        presenter: Vec<PublicKey>,
        viewers: Option<Vec<PublicKey>>,
        allow_anonymous: bool,
        listen: &SocketAddr,
    ) -> Self {
        let anonymous = viewers.is_none() && (allow_anonymous || listen.ip().is_loopback());
        Self {
            presenter,
            viewers,
            anonymous,
        }
    }

    pub fn key_role(&self, key: &PublicKey) -> KeyRole {
        if self.presenter.iter().any(|p| same_key(p, key)) {
            KeyRole::Presenter
        } else if self.anonymous
            || self
                .viewers
                .as_ref()
                .is_some_and(|v| v.iter().any(|k| same_key(k, key)))
        {
            KeyRole::Viewer
        } else {
            KeyRole::Refused
        }
    }

    /// Only the presenter's key gets in.
    pub fn presenter_only(&self) -> bool {
        !self.anonymous && self.viewers.is_none()
    }

    /// No one at all could connect.
    pub fn admits_no_one(&self) -> bool {
        self.presenter.is_empty() && !self.anonymous && self.viewers.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> PublicKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
            .public_key()
            .clone()
    }

    #[test]
    fn a_new_host_key_is_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/recall/host_key");
        let (made, new) = load_or_create_host_key(&path).unwrap();
        assert!(new);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (again, new) = load_or_create_host_key(&path).unwrap();
        assert!(!new);
        assert_eq!(made.public_key().key_data(), again.public_key().key_data());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create_host_key(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn anonymous_viewers_only_on_loopback_unless_allowed() {
        let lo: SocketAddr = "127.0.0.1:2222".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:2222".parse().unwrap();
        let p = vec![key(1)];
        assert!(Policy::new(p.clone(), None, false, &lo).anonymous);
        assert!(!Policy::new(p.clone(), None, false, &any).anonymous);
        assert!(Policy::new(p.clone(), None, true, &any).anonymous);
        // With a list of viewers' keys, only those.
        let listed = Policy::new(p.clone(), Some(vec![key(2)]), true, &lo);
        assert!(!listed.anonymous);
        assert_eq!(listed.key_role(&key(1)), KeyRole::Presenter);
        assert_eq!(listed.key_role(&key(2)), KeyRole::Viewer);
        assert_eq!(listed.key_role(&key(3)), KeyRole::Refused);
        assert!(Policy::new(Vec::new(), None, false, &any).admits_no_one());
    }

    #[test]
    fn key_files_name_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let good = key(4).to_openssh().unwrap();
        std::fs::write(&path, format!("# viewers\n{good}\nnot a key\n")).unwrap();
        let err = read_keys(&path).unwrap_err().to_string();
        assert!(err.contains(":3:"), "{err}");
        std::fs::write(&path, format!("{good} bob\n\n")).unwrap();
        assert_eq!(read_keys(&path).unwrap().len(), 1);
    }
}
