//! The server: a connection loop over hyper (axum's `serve` sets no
//! header-read timeout and cannot cap connections) on a small Tokio
//! runtime with its timers on.
//!
//! - Headers must arrive within [`HEADER_SECS`] of the connection or of the
//!   previous response (an idle keep-alive connection ends then too); a
//!   body within [`BODY_SECS`]; a whole request is answered within
//!   [`REQUEST_SECS`].
//! - At most [`max_connections`] connections at once, sized from the
//!   open-file limit, whose soft value is raised to the hard one at start;
//!   beyond, new connections wait in the kernel's backlog instead of
//!   failing `accept()` with `EMFILE`.
//! - A failed `accept()` is retried after a short sleep (which needs the
//!   timers: without them that sleep panicked and ended the portal).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use super::i18n::Texts;
use super::reply::bare_page;
use super::{WebError, WebPortal, router};

/// Seconds for a request's headers (and an idle keep-alive connection).
pub const HEADER_SECS: u64 = 10;
/// Seconds for a request's body.
pub const BODY_SECS: u64 = 10;
/// Seconds for a whole request, handler included.
pub const REQUEST_SECS: u64 = 30;
/// The largest request body (the forms are small).
pub const MAX_BODY: usize = 16 * 1024;
/// Open files kept for everything but connections (the database, its
/// journal, standard streams, the runtime).
const RESERVED_FILES: u64 = 64;
/// Connections at most, whatever the open-file limit.
const MAX_CONNECTIONS: u64 = 4096;

/// Reads the body within [`BODY_SECS`] (408 otherwise; 413 beyond
/// [`MAX_BODY`]) and answers within [`REQUEST_SECS`] (503 otherwise), so a
/// slow client holds a connection for a bounded time.
pub(super) async fn limit_request(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let headers = parts.headers.clone();
    let refused = |status, text: fn(&Texts) -> &'static str| {
        bare_page(&headers, status, text, "request-refused")
    };
    let body = match tokio::time::timeout(
        Duration::from_secs(BODY_SECS),
        axum::body::to_bytes(body, MAX_BODY),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return refused(StatusCode::PAYLOAD_TOO_LARGE, |t| t.error),
        Err(_) => return refused(StatusCode::REQUEST_TIMEOUT, |t| t.too_slow),
    };
    let req = Request::from_parts(parts, Body::from(body));
    match tokio::time::timeout(Duration::from_secs(REQUEST_SECS), next.run(req)).await {
        Ok(res) => res,
        Err(_) => refused(StatusCode::SERVICE_UNAVAILABLE, |t| t.too_slow),
    }
}

/// Raises the soft open-file limit to the hard one (capped at 65,536) and
/// returns the soft limit in force. Through rustix's safe wrapper; where
/// there is no such limit, a conventional 1,024.
pub fn raise_open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        let wanted = limit.maximum.unwrap_or(65_536).min(65_536);
        if limit.current.is_some_and(|c| c < wanted) {
            let raised = Rlimit {
                current: Some(wanted),
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return wanted;
            }
        }
        limit.current.unwrap_or(65_536)
    }
    #[cfg(not(unix))]
    {
        1024
    }
}

/// The connections served at once under an open-file limit of
/// `open_files`: what is left after [`RESERVED_FILES`], at least 16 and at
/// most 4,096.
pub fn max_connections(open_files: u64) -> usize {
    let n = open_files
        .saturating_sub(RESERVED_FILES)
        .clamp(16, MAX_CONNECTIONS);
    usize::try_from(n).unwrap_or(16)
}

/// Serves `app` on `listener` until Ctrl-C (or SIGTERM), on a small
/// multi-threaded runtime; blocking work goes to its blocking pool.
pub fn serve(listener: std::net::TcpListener, app: Arc<WebPortal>) -> Result<(), WebError> {
    let connections = max_connections(raise_open_file_limit());
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        run(listener, app, connections, shutdown()).await;
        Ok::<_, WebError>(())
    })
}

/// The connection loop: accepts while fewer than `connections` are open,
/// serves each on its own task, and on `stop` lets them finish their
/// request (5 s at most).
async fn run(
    listener: tokio::net::TcpListener,
    app: Arc<WebPortal>,
    connections: usize,
    stop: impl Future<Output = ()>,
) {
    let router = router(app);
    let open = Arc::new(Semaphore::new(connections));
    let (stopping_tx, stopping) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset
                    ) {
                        // EMFILE and the like: wait for connections to close.
                        eprintln!("error: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let router = router.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            serve_connection(stream, addr, router, &mut stopping).await;
            drop(permit);
        });
    }
    let _ = stopping_tx.send(true);
    let all = u32::try_from(connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(5), open.acquire_many(all)).await;
}

/// One connection: HTTP/1.1 with the header-read timeout; the client's
/// address goes into each request as axum's `ConnectInfo`.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    router: axum::Router,
    stopping: &mut watch::Receiver<bool>,
) {
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            router.clone().oneshot(req.map(Body::new))
        });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(HEADER_SECS))
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let stop = async {
        let _ = stopping.wait_for(|s| *s).await;
    };
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stop => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_fit_the_open_file_limit() {
        assert_eq!(max_connections(256), 192);
        assert_eq!(max_connections(1024), 960);
        assert_eq!(max_connections(20), 16);
        assert_eq!(max_connections(1 << 20), 4096);
    }
}
