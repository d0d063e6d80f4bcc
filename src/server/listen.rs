//! Accepting connections: hyper configured for a service that must outlast
//! slow and hostile clients, and a graceful stop.
//!
//! `axum::serve` sets no timer, so hyper's header-read timeout never fires
//! and a client that sends half a request holds its connection for ever.
//! Here every connection must deliver a request's headers within
//! `header_timeout`, which also bounds how long an idle keep-alive
//! connection is kept.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A peer that has vanished (a console whose link died without a reset) is
/// found within about a minute, so its event streams and their places in the
/// officer's stream allowance do not linger for TCP's default quarter hour.
const DEAD_PEER: Duration = Duration::from_secs(60);

fn tune(tcp: &tokio::net::TcpStream) {
    // Small writes (an SSE event, a 201) must leave at once: with Nagle's
    // algorithm a write behind an unacknowledged one waits for the peer's
    // delayed ACK, up to 40 ms.
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!("TCP_NODELAY on an accepted connection: {e}");
    }
    let sock = socket2::SockRef::from(tcp);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(30))
        .with_interval(Duration::from_secs(10))
        .with_retries(3);
    if let Err(e) = sock.set_tcp_keepalive(&keepalive) {
        tracing::warn!("TCP keepalive on an accepted connection: {e}");
    }
    // Data unacknowledged this long (heartbeats to a dead peer) ends the connection.
    #[cfg(target_os = "linux")]
    if let Err(e) = sock.set_tcp_user_timeout(Some(DEAD_PEER)) {
        tracing::warn!("TCP_USER_TIMEOUT on an accepted connection: {e}");
    }
}

/// Largest request head hyper buffers. Our own limits on the URI and the
/// headers (`limits`) are far below it, so they answer problem+json first.
const MAX_HEAD: usize = 256 * 1024;

/// Serves `app` on `listener` until `stop` turns true, then stops accepting
/// and waits for the connections to finish what they are doing.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: watch::Receiver<bool>,
    header_timeout: Duration,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(20)))
        .keep_alive_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let mut stopping = std::pin::pin!(async move {
        let _ = stop.wait_for(|s| *s).await.is_ok();
    });
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause, never spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stopping => break,
        };
        tune(&tcp);
        let service = TowerToHyperService::new(app.clone());
        let conn = builder
            .serve_connection(TokioIo::new(tcp), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
