//! Turning validated settings into live parts: the filtered model, the target, the transport, the
//! identities and the generation context. Shared by `fuzz`, `demo` and `repro`.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::CommandError;
use crate::auth::{self, AuthFile};
use crate::config::{OperationFilter, Settings};
use crate::generate::{Dictionary, Generator};
use crate::input::{Credentials, Identities};
use crate::minimize::Relogin;
use crate::mutate::SeqContext;
use crate::spec::{self, Model};
use crate::transport::{Target, TcpTransport, Throttled, Transport, TransportConfig};

/// The transport every command uses: HTTP/1.1 keep-alive with rate limiting and 429/503 backoff.
pub type LiveTransport = Throttled<TcpTransport>;

/// Loads the spec and keeps only the operations the filter allows.
pub fn load_model(spec_path: &Path, filter: &OperationFilter) -> Result<Arc<Model>, CommandError> {
    filter_model(&*load_spec(spec_path)?, filter)
}

/// Loads the whole spec (the auth file's login operation may be one the filter leaves out).
pub fn load_spec(spec_path: &Path) -> Result<Arc<Model>, CommandError> {
    let model = spec::load(spec_path)?;
    for warning in &model.warnings {
        tracing::warn!("{warning}");
    }
    Ok(Arc::new(model))
}

/// The operations of `full` the filter allows.
pub fn filter_model(full: &Model, filter: &OperationFilter) -> Result<Arc<Model>, CommandError> {
    let mut model = full.clone();
    let keep = filter.apply(&model.operations);
    if keep.is_empty() {
        return Err(CommandError::NoOperations);
    }
    let ops = std::mem::take(&mut model.operations);
    model.operations = ops
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, op)| op)
        .collect();
    Ok(Arc::new(model))
}

/// The target URL: the one given, else the spec's first absolute `http(s)` server.
pub fn target(given: Option<&str>, model: &Model) -> Result<Target, CommandError> {
    let url = match given {
        Some(url) => url.to_string(),
        None => model
            .servers
            .iter()
            .find(|s| s.starts_with("http://") || s.starts_with("https://"))
            .cloned()
            .ok_or(CommandError::NoTarget)?,
    };
    Target::parse(&url).map_err(|e| CommandError::Usage(e.to_string()))
}

/// Fails with [`CommandError::Unreachable`] when nothing accepts connections at the target.
pub fn check_reachable(target: &Target) -> Result<(), CommandError> {
    let unreachable = |reason: String| CommandError::Unreachable {
        target: target.to_string(),
        reason,
    };
    let addrs = target
        .socket_addr()
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?;
    let mut last = "no address".to_string();
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(unreachable(last))
}

/// The transport for a run. For an https target it connects once now, so an untrusted
/// certificate is reported at start (exit 3) with the flags that fix it.
pub fn transport(target: &Target, settings: &Settings) -> Result<LiveTransport, CommandError> {
    let config = TransportConfig {
        timeout: settings.timeout,
        ..TransportConfig::default()
    };
    let mut tcp = TcpTransport::for_target(target.clone(), config, &settings.tls)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    if target.scheme == crate::transport::Scheme::Https {
        tcp.open().map_err(|reason| CommandError::Unreachable {
            target: target.to_string(),
            reason,
        })?;
    }
    Ok(Throttled::new(tcp, settings.throttle_config()))
}

/// The identities of a run: from the auth file (logging in), or one anonymous default identity.
/// `model` is the whole spec: a login operation is found by its id even when `--exclude` keeps it
/// out of the campaign (the returned file names its method and path).
pub fn identities<T: Transport>(
    auth_path: Option<&Path>,
    model: &Model,
    target: &Target,
    transport: &mut T,
) -> Result<(Identities, Option<AuthFile>), CommandError> {
    match auth_path {
        Some(path) => {
            let mut file = AuthFile::load(path)?;
            file.bind_login_routes(model);
            let ids = auth::establish(&file, model, &target.base_path, transport)?;
            Ok((ids, Some(file)))
        }
        None => Ok((Identities::single("default", Credentials::none()), None)),
    }
}

/// Logs the identities of `auth` in again, over a transport of their own made by `connect`, for
/// runs and replays after a target restart (a restarted target has forgotten its sessions).
pub fn relogin<C>(target: &Target, auth: Option<PathBuf>, model: &Arc<Model>, connect: C) -> Relogin
where
    C: Fn(&Target) -> Option<LiveTransport> + Send + Sync + 'static,
{
    let (target, model) = (target.clone(), Arc::clone(model));
    Relogin(Arc::new(move || {
        let mut transport = connect(&target)?;
        identities(auth.as_deref(), &model, &target, &mut transport)
            .map_err(|e| tracing::warn!("logging in again after a target restart failed: {e}"))
            .ok()
            .map(|(identities, _)| identities)
    }))
}

/// The generation and mutation context (with the user's dictionary, if any).
pub fn seq_context(
    model: &Arc<Model>,
    dict: Option<&Path>,
) -> Result<Arc<SeqContext>, CommandError> {
    let mut generator = Generator::new(model.defs.clone());
    if let Some(path) = dict {
        let extra = Dictionary::from_file(path).map_err(|e| CommandError::Usage(e.to_string()))?;
        generator = generator.with_dictionary(extra);
    }
    Ok(Arc::new(SeqContext::with_generator(
        Arc::clone(model),
        generator,
    )))
}

/// The sha256 of a file, hex-encoded (empty when unreadable).
pub fn file_sha256(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        Err(_) => String::new(),
    }
}

/// A seed for runs that were not given one: from the clock and the process id, printed so the run
/// can be repeated.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    crate::oracle::errsig::fnv1a(
        &[
            nanos.to_le_bytes(),
            u64::from(std::process::id()).to_le_bytes(),
        ]
        .concat(),
    )
}
