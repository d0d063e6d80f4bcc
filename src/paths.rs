//! Where Tandem keeps its files, per the platform (`directories`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use directories::ProjectDirs;

fn dirs() -> anyhow::Result<ProjectDirs> {
    ProjectDirs::from("", "", "tandem")
        .context("cannot find a home directory for Tandem's data; set HOME or pass --database")
}

/// The data directory, created private (0700) if missing.
pub fn data_dir() -> anyhow::Result<PathBuf> {
    let dir = dirs()?.data_dir().to_path_buf();
    private_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

pub fn config_file() -> anyhow::Result<PathBuf> {
    Ok(dirs()?.config_dir().join("config.toml"))
}

/// The default backend database: `tandem.db` in the data directory.
pub fn default_database() -> anyhow::Result<String> {
    Ok(data_dir()?.join("tandem.db").display().to_string())
}

/// Creates `dir` (and its parents) and makes it readable by its owner only
/// (0700): it holds databases, outboxes and caches of reports.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Options that create a file readable and writable by its owner only (0600).
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates the database file `path` 0600 if it does not exist yet, before
/// SQLite opens it: SQLite gives its journal and WAL files the database
/// file's mode, so the whole database stays private.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    match private_file_options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path`, 0600 when `secret` (keys), replacing any file there.
pub fn write_file(path: &Path, bytes: &[u8], secret: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = if secret {
        private_file_options()
    } else {
        std::fs::OpenOptions::new()
    };
    let mut f = options
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}
