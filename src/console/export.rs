//! `:export csv|geojson FILE`: the incidents the feed shows (its filter, its
//! order) written to a file as CSV or GeoJSON — from the console's own
//! state, so it works on a cut link too. The app builds the bytes; the
//! engine writes them beside the file and renames them into place only when
//! whole.

use std::path::{Path, PathBuf};

use super::action::{Action, Effect, NetEvent};
use super::command::Arg;
use super::components::Outcome;
use super::context::{Context, Level};
use super::feed_index::FeedIndex;
use crate::interop::{self, Format};
use crate::model::Incident;

/// `:export csv|geojson FILE`: the bytes of what the feed shows, in its
/// order, for the engine to write.
pub fn run(ctx: &mut Context, feed: &FeedIndex, arg: &Arg) -> Option<Outcome> {
    let text = match arg {
        Arg::Text(t) => t.as_str(),
        _ => "",
    };
    let (format, path) = match parse(text) {
        Ok(p) => p,
        Err(e) => {
            ctx.say(Level::Error, e);
            return Outcome::none();
        }
    };
    let incidents: Vec<Incident> = feed
        .window(None, usize::MAX)
        .filter_map(|id| ctx.incident(&id).cloned())
        .collect();
    let what = format!("{} incident(s)", incidents.len());
    ctx.say(Level::Info, format!("exporting {what}…"));
    Some(Outcome {
        effects: vec![Effect::Export {
            path,
            // CSV with a byte-order mark: spreadsheets read Arabic right with it.
            bytes: interop::document(format, &incidents, true),
            what,
        }],
        ..Outcome::default()
    })
}

/// The engine's side: writes off the event loop and says how it went.
pub fn spawn_write(
    tx: tokio::sync::mpsc::UnboundedSender<Action>,
    path: PathBuf,
    bytes: Vec<u8>,
    what: String,
) {
    tokio::task::spawn_blocking(move || {
        let result = match write(&path, &bytes) {
            Ok(()) => Ok(format!("exported {what} to {}", path.display())),
            Err(e) => Err(format!("export to {} failed: {e}", path.display())),
        };
        let _ = tx.send(Action::Net(NetEvent::Exported(result)));
    });
}

/// What `:export` was asked: the format and the file.
pub fn parse(arg: &str) -> Result<(Format, PathBuf), String> {
    let usage = "write `:export csv FILE` or `:export geojson FILE`";
    let (format, file) = arg.trim().split_once(char::is_whitespace).ok_or(usage)?;
    let format = Format::named(&format.to_ascii_lowercase()).ok_or(usage)?;
    let file = file.trim();
    if file.is_empty() {
        return Err(usage.into());
    }
    let file = match file.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| Path::new(&h).join(rest))
            .unwrap_or_else(|| PathBuf::from(file)),
        None => PathBuf::from(file),
    };
    Ok((format, file))
}

/// Writes `bytes` to `path` by way of `path.part`, so a failed write never
/// leaves a file that passes for whole.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let written = std::fs::write(&part, bytes).and_then(|()| {
        std::fs::File::open(&part)?.sync_all()?;
        std::fs::rename(&part, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_read_and_the_file_written_whole() {
        assert!(parse("csv").is_err());
        assert!(
            parse("pdf out.pdf")
                .unwrap_err()
                .contains(":export csv FILE")
        );
        let (f, p) = parse("GeoJSON /tmp/a b.geojson").unwrap();
        assert_eq!(f, Format::GeoJson);
        assert_eq!(p, PathBuf::from("/tmp/a b.geojson"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        write(&path, b"a,b\r\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\r\n");
        assert!(!dir.path().join("x.csv.part").exists());
        let missing = dir.path().join("no/such/dir/x.csv");
        assert!(write(&missing, b"x").is_err());
    }
}
