//! The file store for attachment bytes: a directory under the data dir, content-addressed.

use std::path::PathBuf;

/// Files under `root/<first two hex chars>/<sha256>`. Writes go to a temporary name and are
/// renamed into place after fsync, so a crash never leaves a half-written file under a real key.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&key[..2]).join(key))
    }

    /// Stores `bytes` under `key` (their SHA-256 in hex). Idempotent.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        let path = self
            .path(key)
            .ok_or_else(|| std::io::Error::other("invalid file key"))?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let dir = path
            .parent()
            .ok_or_else(|| std::io::Error::other("no parent"))?;
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!("{key}.{}.tmp", std::process::id()));
        let mut f = tokio::fs::File::create(&tmp).await?;
        f.write_all(bytes).await?;
        f.sync_all().await?;
        drop(f);
        tokio::fs::rename(&tmp, &path).await
    }

    pub async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path(key)
            .ok_or_else(|| std::io::Error::other("invalid file key"))?;
        tokio::fs::read(path).await
    }
}
