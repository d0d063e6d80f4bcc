//! The real binary in a pseudo-terminal, read back through a terminal
//! emulator (vt100): what an officer would see, with nothing to install
//! beyond the Rust toolchain.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_tandem");

pub struct Terminal {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, escape sequences included.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    /// Starts `tandem ARGS` in a `cols`×`rows` terminal, its XDG data and
    /// config (cache, outbox, log) under `home`.
    pub fn start(args: &[&str], home: &Path, cols: u16, rows: u16) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env("XDG_DATA_HOME", home);
        cmd.env("XDG_CONFIG_HOME", home);
        cmd.env("TERM", "xterm-256color");
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).expect("tandem starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(rows),
            nonzero(cols),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Terminal {
            child,
            master: pair.master,
            writer,
            screen,
            raw,
        }
    }

    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("a running child")
    }

    /// Waits for `what` on screen; fails with the screen as it is.
    pub fn wait_for(&self, what: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` not on screen within {secs} s:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types text as it is.
    pub fn text(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    /// Presses named keys (`Enter`, `Esc`, `Tab`, `Up`, `Down`, `C-c`) or single characters.
    pub fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            let bytes: Vec<u8> = match *k {
                "Enter" => b"\r".to_vec(),
                "Esc" => b"\x1b".to_vec(),
                "Tab" => b"\t".to_vec(),
                "BTab" => b"\x1b[Z".to_vec(),
                "Up" => b"\x1b[A".to_vec(),
                "Down" => b"\x1b[B".to_vec(),
                "Right" => b"\x1b[C".to_vec(),
                "Left" => b"\x1b[D".to_vec(),
                "BSpace" => b"\x7f".to_vec(),
                "C-c" => b"\x03".to_vec(),
                "C-u" => b"\x15".to_vec(),
                other => other.as_bytes().to_vec(),
            };
            self.send(&bytes);
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        // A lone Esc is told from the start of a sequence by a pause, as in a real terminal.
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Resizes the terminal, as a window drag would.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.screen
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
    }

    /// SIGKILL, as `kill -9` would.
    pub fn kill_9(&mut self) {
        let pid = self.pid().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = self.child.wait();
    }

    /// Waits for the program to exit by itself; its exit status.
    pub fn wait_exit(&mut self, secs: u64) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running after {secs} s:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has rows and columns")
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
