//! Where Tandem keeps its files, per the platform (`directories`).

use std::path::PathBuf;

use anyhow::Context;
use directories::ProjectDirs;

fn dirs() -> anyhow::Result<ProjectDirs> {
    ProjectDirs::from("", "", "tandem")
        .context("cannot find a home directory for Tandem's data; set HOME or pass --database")
}

/// The data directory, created if missing.
pub fn data_dir() -> anyhow::Result<PathBuf> {
    let dir = dirs()?.data_dir().to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

pub fn config_file() -> anyhow::Result<PathBuf> {
    Ok(dirs()?.config_dir().join("config.toml"))
}

/// The default backend database: `tandem.db` in the data directory.
pub fn default_database() -> anyhow::Result<String> {
    Ok(data_dir()?.join("tandem.db").display().to_string())
}
