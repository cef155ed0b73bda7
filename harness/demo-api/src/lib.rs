//! `shrike-demo-api`: a small shop API (users, products, reviews, orders, attachments) on axum
//! and SQLite, with planted bugs of every class an API fuzzer should find (catalogued in
//! `BUGS.md`). `Options { fixed: true }` turns every bug off, giving a correct service that
//! conforms to its own spec (`schemas/demo-api.yaml`), for counting false positives.
//!
//! Three ways to run it: [`serve`] on a listener inside an existing runtime, [`spawn_background`]
//! on its own thread (tests, other crates), and [`run`] (the binary, and Shrike re-executing
//! itself as the demo server).

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

mod auth;
mod cors;
mod db;
mod error;
mod extract;
mod nesting;
mod ratelimit;
mod routes;
mod spam;
pub mod spec;
mod state;
mod stats;

pub use cors::ALLOWED_ORIGIN;
pub use db::{SEED_USERS, SeedUser};
pub use state::SetupError;

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Turn every planted bug off.
    pub fixed: bool,
}

/// Stack size of the runtime's threads; BUG-15's crash depth depends on it.
const THREAD_STACK: usize = 2 * 1024 * 1024;
/// How long a stopping server waits for slow requests to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Serves the API on `listener` until the task is dropped or the listener fails.
pub async fn serve(listener: TcpListener, options: Options) -> std::io::Result<()> {
    serve_until(listener, options, std::future::pending()).await
}

/// Serves the API on `listener` until `shutdown` completes, then drains connections.
pub async fn serve_until(
    listener: TcpListener,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = state::AppState::new(&options).map_err(std::io::Error::other)?;
    serve_state(listener, state, shutdown).await
}

async fn serve_state(
    listener: TcpListener,
    state: state::AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = routes::router(state);
    let listener = listener.tap_io(|stream| {
        // Without TCP_NODELAY small responses wait for delayed ACKs.
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK)
        .thread_name("demo-api")
        .build()
}

/// A server running on its own thread; stops when dropped or on [`RunningServer::stop`].
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// The bound address (always 127.0.0.1 and an ephemeral port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for its thread, returning how serving ended.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| std::io::Error::other("the demo server thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Starts a server on `127.0.0.1:0` on a background thread with its own runtime.
pub fn spawn_background(options: Options) -> std::io::Result<RunningServer> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    // Build state here so a setup error is reported to the caller, not lost in the thread.
    let state = state::AppState::new(&options).map_err(std::io::Error::other)?;
    let (shutdown, signal) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("demo-api-main".into())
        .spawn(move || {
            let runtime = runtime()?;
            let result = runtime.block_on(async move {
                let listener = TcpListener::from_std(listener)?;
                let (stopping, stopped) = watch::channel(false);
                let mut graceful = stopped.clone();
                let serving = serve_state(listener, state, async move {
                    let _ = graceful.wait_for(|&stop| stop).await;
                });
                // Connections still busy SHUTDOWN_GRACE after the stop signal are abandoned.
                let deadline = async move {
                    let mut stopped = stopped;
                    let _ = stopped.wait_for(|&stop| stop).await;
                    tokio::time::sleep(SHUTDOWN_GRACE).await;
                };
                tokio::spawn(async move {
                    let _ = signal.await;
                    let _ = stopping.send(true);
                });
                tokio::select! {
                    result = serving => result,
                    () = deadline => Ok(()),
                }
            });
            runtime.shutdown_timeout(SHUTDOWN_GRACE);
            result
        })?;
    Ok(RunningServer {
        addr,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

/// Binds `host:port` (port 0 picks a free one), prints `listening on http://HOST:PORT` as the
/// first line of stdout, and serves until the process ends.
pub fn run(host: &str, port: u16, options: Options) -> anyhow::Result<()> {
    let runtime = runtime()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind((host, port)).await?;
        let addr = listener.local_addr()?;
        {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "listening on http://{addr}")?;
            stdout.flush()?;
        }
        serve(listener, options).await?;
        Ok(())
    })
}
