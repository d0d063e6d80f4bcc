//! Accepting connections: hyper configured for a service that must outlast
//! slow and hostile clients, and a graceful stop.
//!
//! `axum::serve` sets no timer, so hyper's header-read timeout never fires
//! and a client that sends half a request holds its connection for ever.
//! Here every connection must deliver a request's headers within
//! `header_timeout`, which also bounds how long an idle keep-alive
//! connection is kept.

use std::time::Duration;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

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
/// and waits for the connections to finish what they are doing. With `tls`
/// every connection is HTTPS; a client speaking plain HTTP to it gets a
/// one-line answer saying so instead of a dropped connection.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: watch::Receiver<bool>,
    header_timeout: Duration,
    tls: Option<TlsAcceptor>,
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
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let mut stopping = std::pin::pin!(async move {
        let _ = stop.wait_for(|s| *s).await.is_ok();
    });
    loop {
        let (tcp, peer) = tokio::select! {
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
        let app = app.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            // The client's address goes into every request (`ConnectInfo`), for
            // the sign-in limiter and the logs.
            let app = tower::ServiceExt::map_request(app, move |mut req: Request<_>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
            let service = TowerToHyperService::new(app);
            let ended = match tls {
                None => {
                    let conn = builder.serve_connection(TokioIo::new(tcp), service);
                    watcher.watch(conn.into_owned()).await
                }
                Some(acceptor) => {
                    let Some(stream) = handshake(&acceptor, tcp, peer, header_timeout).await else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(conn.into_owned()).await
                }
            };
            if let Err(e) = ended {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The first byte of every TLS connection is a handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

const PLAIN_HTTP_ANSWER: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\
Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 51\r\n\r\n\
This port speaks HTTPS only: use an https:// URL.\r\n";

/// The TLS handshake of one connection, bounded like a request head.
async fn handshake(
    acceptor: &TlsAcceptor,
    mut tcp: TcpStream,
    peer: SocketAddr,
    limit: Duration,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let mut first = [0u8; 1];
    match tokio::time::timeout(limit, tcp.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] == TLS_HANDSHAKE => {}
        Ok(Ok(1)) => {
            tracing::info!(%peer, "plain HTTP sent to the HTTPS port: answered 400");
            let _ = tcp.write_all(PLAIN_HTTP_ANSWER).await;
            let _ = tcp.shutdown().await;
            return None;
        }
        _ => return None,
    }
    match tokio::time::timeout(limit, acceptor.accept(tcp)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(e)) => {
            tracing::info!(%peer, "TLS handshake refused: {e}");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake not finished in time");
            None
        }
    }
}
