//! A small TCP proxy on loopback that can cut and restore the link, or drop
//! connections mid-stream, so tests and benchmarks can fail a network at will.
//! It also counts the bytes it carries and notes which snapshots were asked for.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Default)]
struct Counters {
    to_client: AtomicU64,
    to_server: AtomicU64,
    snapshots: AtomicUsize,
    /// Cut every server→client stream after this many bytes (0 = never).
    chop_after: AtomicU64,
    up: AtomicBool,
    /// A black hole: nothing is carried either way and nothing is closed,
    /// as when a link drops packets without a reset.
    stalled: AtomicBool,
}

pub struct Proxy {
    pub addr: SocketAddr,
    counters: Arc<Counters>,
    /// Bumped on every cut: live connections watch it and close.
    generation: watch::Sender<u64>,
}

impl Proxy {
    /// Listens on 127.0.0.1:0 and forwards to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters {
            up: AtomicBool::new(true),
            ..Default::default()
        });
        let (generation, _) = watch::channel(0u64);
        let (c, g) = (counters.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !c.up.load(Ordering::SeqCst) {
                    drop(client); // refused while the link is cut
                    continue;
                }
                if c.stalled.load(Ordering::SeqCst) {
                    // Accepted into the black hole: held open, never answered.
                    tokio::spawn(async move {
                        let _held = client;
                        std::future::pending::<()>().await
                    });
                    continue;
                }
                let (c, cut) = (c.clone(), g.subscribe());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(target).await {
                        forward(client, server, c, cut).await;
                    }
                });
            }
        });
        Ok(Proxy {
            addr,
            counters,
            generation,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops every open connection and refuses new ones until [`Proxy::restore`].
    pub fn cut(&self) {
        self.counters.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn restore(&self) {
        self.counters.up.store(true, Ordering::SeqCst);
        self.counters.stalled.store(false, Ordering::SeqCst);
    }

    /// Silently stops carrying anything, on open and new connections alike,
    /// closing nothing, until [`Proxy::restore`]; the stalled connections stay dead.
    pub fn stall(&self) {
        self.counters.stalled.store(true, Ordering::SeqCst);
    }

    /// Cuts each server→client stream after `bytes` (0 turns it off).
    pub fn chop_after(&self, bytes: u64) {
        self.counters.chop_after.store(bytes, Ordering::SeqCst);
    }

    /// Bytes carried to the client so far.
    pub fn bytes_to_client(&self) -> u64 {
        self.counters.to_client.load(Ordering::SeqCst)
    }

    /// How many `GET /api/v1/snapshot` requests went through.
    pub fn snapshots(&self) -> usize {
        self.counters.snapshots.load(Ordering::SeqCst)
    }
}

async fn forward(
    client: TcpStream,
    server: TcpStream,
    c: Arc<Counters>,
    mut cut: watch::Receiver<u64>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let c2 = c.clone();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if buf[..n].windows(21).any(|w| w == b"GET /api/v1/snapshot ")
                || buf[..n].windows(21).any(|w| w == b"GET /api/v1/snapshot?")
            {
                c2.snapshots.fetch_add(1, Ordering::SeqCst);
            }
            if c2.stalled.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
            c2.to_server.fetch_add(n as u64, Ordering::SeqCst);
            if sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut carried = 0u64;
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if c.stalled.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
            let limit = c.chop_after.load(Ordering::SeqCst);
            let n = if limit > 0 && carried + n as u64 > limit {
                (limit - carried.min(limit)) as usize
            } else {
                n
            };
            c.to_client.fetch_add(n as u64, Ordering::SeqCst);
            carried += n as u64;
            if cw.write_all(&buf[..n]).await.is_err() || (limit > 0 && carried >= limit) {
                return; // chopped mid-stream
            }
        }
    };
    tokio::select! {
        _ = up => {},
        _ = down => {},
        _ = cut.changed() => {},
    }
}
