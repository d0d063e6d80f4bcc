//! The console's configuration: TOML at the platform config path, every key
//! optional (see `config/tandem.example.toml`), overridden by
//! `TANDEM_SERVER`/`TANDEM_TOKEN` and then by command-line flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Sla;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Default,
    HighContrast,
    /// No colour at all (also what `NO_COLOR` selects).
    Mono,
}

/// How the map draws its lines: Braille dots (sharpest), half blocks, or
/// plain dots for terminals whose fonts lack Braille.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MapMarker {
    #[default]
    Braille,
    Block,
    Dot,
}

/// Who puts right-to-left text (Arabic) in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bidi {
    /// The console decides from the terminal it runs in.
    #[default]
    Auto,
    /// The terminal reorders and joins Arabic itself (mlterm, Konsole, GNOME Terminal).
    Terminal,
    /// The console reorders and shapes each string (PuTTY, xterm, Windows Terminal).
    Console,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Base URL of `tandem serve`.
    pub server: String,
    /// More instances of the same deployment, tried in turn when one cannot be reached.
    pub servers: Vec<String>,
    /// Bearer token (prefer `TANDEM_TOKEN` over keeping it in a file).
    pub token: Option<String>,
    /// A CA certificate (PEM) to trust beside the system's, for a
    /// deployment's own certificates (`TANDEM_CA_FILE`).
    pub ca_file: Option<PathBuf>,
    /// A client certificate (PEM) for servers that require one (mutual TLS).
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub client_key: Option<PathBuf>,
    /// Ring the terminal bell for new high and critical incidents.
    pub bell: bool,
    pub theme: ThemeName,
    /// Minutes before an unacknowledged incident is overdue, per severity.
    pub sla: Sla,
    /// Seconds a toast stays up.
    pub toast_seconds: u64,
    /// Seconds without a byte from the server after which the link counts
    /// as dead (the server sends a heartbeat after 15 s of silence).
    pub link_timeout_seconds: u64,
    /// Mouse wheel scrolls, a click selects and focuses.
    pub mouse: bool,
    /// Who orders right-to-left text for display.
    pub bidi: Bidi,
    /// How the map draws coastline, borders and sectors.
    pub map_marker: MapMarker,
    /// Key overrides: command name → keys, e.g. `ack = ["a", "ctrl-a"]`.
    pub keys: BTreeMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: "http://127.0.0.1:8470".into(),
            servers: Vec::new(),
            token: None,
            ca_file: None,
            client_cert: None,
            client_key: None,
            bell: true,
            theme: ThemeName::Default,
            sla: Sla::default(),
            toast_seconds: 8,
            link_timeout_seconds: 20,
            mouse: true,
            bidi: Bidi::Auto,
            map_marker: MapMarker::Braille,
            keys: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl Config {
    /// Every instance to use, the primary first.
    pub fn all_servers(&self) -> Vec<String> {
        let mut all = vec![self.server.clone()];
        all.extend(self.servers.iter().filter(|s| **s != self.server).cloned());
        all
    }

    /// Parses config text; the error names the file, line and key.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError {
            path: path.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })
    }

    /// Loads `path` if it exists (defaults otherwise), then applies the environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_with(path, |name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given as a lookup (for tests).
    pub fn load_with(
        path: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(ConfigError {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        config = config.with(env("TANDEM_SERVER"), env("TANDEM_TOKEN"));
        if let Some(ca) = env("TANDEM_CA_FILE").filter(|v| !v.is_empty()) {
            config.ca_file = Some(PathBuf::from(ca));
        }
        if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            config.theme = ThemeName::Mono;
        }
        Ok(config)
    }

    /// This config with a server list and a token from a source that wins
    /// over it (the environment over the file, the command line over both).
    /// A comma-separated server list names the instances of one deployment.
    pub fn with(mut self, servers: Option<String>, token: Option<String>) -> Config {
        if let Some(s) = servers {
            let mut all = s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from);
            self.server = all.next().unwrap_or_default();
            self.servers = all.collect();
        }
        if let Some(t) = token {
            self.token = Some(t);
        }
        self
    }

    /// What the client trusts and presents over HTTPS.
    pub fn tls(&self) -> crate::client::TlsOptions {
        crate::client::TlsOptions {
            ca_file: self.ca_file.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
        }
    }

    pub fn default_path() -> Option<PathBuf> {
        crate::paths::config_file().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_and_matches_the_defaults() {
        let text = include_str!("../../config/tandem.example.toml");
        let parsed = Config::parse(text, Path::new("tandem.example.toml")).unwrap();
        assert_eq!(
            parsed,
            Config::default(),
            "the example must state the defaults"
        );
    }

    #[test]
    fn the_example_file_documents_every_key() {
        let text = include_str!("../../config/tandem.example.toml");
        let mentioned = |key: &str| {
            text.lines().any(|l| {
                let l = l.trim_start_matches('#').trim_start();
                l.starts_with(&format!("{key} =")) || l == format!("[{key}]")
            })
        };
        let defaults = serde_json::to_value(Config::default()).unwrap();
        for (key, value) in defaults.as_object().unwrap() {
            assert!(
                mentioned(key),
                "`{key}` is not in config/tandem.example.toml"
            );
            if let Some(inner) = value.as_object() {
                for k in inner.keys() {
                    assert!(mentioned(k), "`{key}.{k}` is not in the example");
                }
            }
        }
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "server = \"http://file:8470\"\ntoken = \"from-file\"\ntheme = \"high-contrast\"\n",
        )
        .unwrap();
        let from_file = Config::load_with(&path, |_| None).unwrap();
        assert_eq!(
            (from_file.server.as_str(), from_file.theme),
            ("http://file:8470", ThemeName::HighContrast)
        );
        let env = |name: &str| match name {
            "TANDEM_SERVER" => Some("http://a:8470, http://b:8470".to_string()),
            "TANDEM_TOKEN" => Some("from-env".to_string()),
            "NO_COLOR" => Some("1".to_string()),
            _ => None,
        };
        let c = Config::load_with(&path, env).unwrap();
        assert_eq!(
            c.all_servers(),
            vec!["http://a:8470".to_string(), "http://b:8470".to_string()]
        );
        assert_eq!(
            (c.token.as_deref(), c.theme),
            (Some("from-env"), ThemeName::Mono),
            "NO_COLOR honoured"
        );
        // The command line wins over both.
        let flags = c
            .clone()
            .with(Some("http://flag:8470".into()), Some("from-flag".into()));
        assert_eq!(flags.all_servers(), vec!["http://flag:8470".to_string()]);
        assert_eq!(flags.token.as_deref(), Some("from-flag"));
        let no_flags = c.clone().with(None, None);
        assert_eq!(no_flags, c, "absent flags change nothing");
        let missing = Config::load_with(&dir.path().join("none.toml"), |_| None).unwrap();
        assert_eq!(missing, Config::default(), "no file means the defaults");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err = Config::parse(
            "bell = true\ntheme = \"neon\"\n",
            Path::new("/etc/tandem.toml"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("/etc/tandem.toml"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
        assert!(msg.contains("neon"), "{msg}");
        let err = Config::parse("[sla]\ncritcal = 3\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("critcal"), "{err}");
    }
}
