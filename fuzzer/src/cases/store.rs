//! The case store: one folder per distinct finding under `OUT/cases/<signature>/`, each written
//! atomically (temp file, fsync, rename) before the finding is reported anywhere.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

pub use crate::fsutil::write_atomic;

use super::curl;
use super::format::{AuthRef, CaseFile, ConcreteExchange, FORMAT_VERSION, SpecRef};
use crate::campaign::feedback::{FindingSink, NewFinding};
use crate::minimize::MinimizeStats;
use crate::oracle::Signature;
use crate::spec::Model;

/// What every case of a campaign shares.
#[derive(Debug, Clone)]
pub struct CaseContext {
    pub model: Arc<Model>,
    pub seed: u64,
    pub spec: SpecRef,
    pub target: String,
    pub auth: Option<AuthRef>,
    /// Extra header names to redact (from the auth configuration).
    pub secret_headers: Vec<String>,
    /// Headers added to every request (`--header`), saved with secret values redacted.
    pub headers: Vec<(String, String)>,
    /// The slow-response threshold of the campaign (recorded so replays judge latency alike).
    pub slow_ms: Option<u64>,
}

#[derive(Debug, Error)]
pub enum CaseError {
    #[error("cannot read case {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("case {path} is not a valid Shrike case (truncated or corrupt?): {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "case {path} has format version {found}; this Shrike reads up to version {FORMAT_VERSION}"
    )]
    Version { path: PathBuf, found: u32 },
}

pub struct CaseStore {
    dir: PathBuf,
    ctx: CaseContext,
}

impl CaseStore {
    /// Opens (creating) `out/cases`.
    pub fn open(out: &Path, ctx: CaseContext) -> io::Result<Self> {
        let dir = out.join("cases");
        fs::create_dir_all(&dir)?;
        Ok(CaseStore { dir, ctx })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder of a signature's case.
    pub fn case_dir(&self, signature: &Signature) -> PathBuf {
        self.dir.join(signature.as_str())
    }

    /// Signatures (with hit counts) of the cases already on disk; unreadable ones are skipped.
    pub fn known(&self) -> Vec<(Signature, u64)> {
        list_cases(&self.dir)
            .into_iter()
            .filter_map(|dir| load_case(&dir).ok())
            .map(|case| (case.signature, case.hits))
            .collect()
    }

    /// Builds the case file of a new finding.
    pub fn case_file(&self, new: &NewFinding, hits: u64) -> CaseFile {
        let exchanges = self.exchanges(&new.run);
        let f = &new.finding;
        CaseFile {
            format_version: FORMAT_VERSION,
            shrike_version: env!("CARGO_PKG_VERSION").to_string(),
            kind: f.kind,
            signature: f.signature.clone(),
            operation: f.operation.clone(),
            status: f.status,
            detail: f.detail.clone(),
            error_sig: format!("{:016x}", f.error_sig),
            seed: self.ctx.seed,
            spec: self.ctx.spec.clone(),
            target: self.ctx.target.clone(),
            auth: self.ctx.auth.clone(),
            hits,
            headers: super::format::redact(&self.ctx.headers, &self.ctx.secret_headers),
            slow_ms: f.slow_limit_ms.or(self.ctx.slow_ms),
            found_after_s: new.found_after_s,
            sequence: new.seq.clone(),
            exchanges,
            minimized: None,
        }
    }

    /// The concrete exchanges of a run, secrets redacted.
    pub fn exchanges(&self, run: &crate::campaign::runner::SeqRun) -> Vec<ConcreteExchange> {
        let ops = &self.ctx.model.operations;
        run.exchanges
            .iter()
            .map(|ex| ConcreteExchange::from_exchange(ex, &ops[ex.op].id, &self.ctx.secret_headers))
            .collect()
    }

    /// Writes a case folder: `case.json`, `repro.sh`, `summary.txt`.
    pub fn write(&self, case: &CaseFile) -> io::Result<PathBuf> {
        let dir = self.case_dir(&case.signature);
        write_case_dir(&dir, case)?;
        Ok(dir)
    }

    /// Rewrites the hit counts of the cases at the end of a run.
    pub fn update_hits(&self, hits: &BTreeMap<Signature, u64>) -> io::Result<()> {
        for (signature, count) in hits {
            let dir = self.case_dir(signature);
            if let Ok(mut case) = load_case(&dir)
                && case.hits != *count
            {
                case.hits = *count;
                write_atomic(&dir.join("case.json"), &case_json(&case)?)?;
            }
        }
        Ok(())
    }
}

impl FindingSink for CaseStore {
    fn record(&mut self, finding: &NewFinding) -> io::Result<()> {
        let case = self.case_file(finding, 1);
        self.write(&case).map(|_| ())
    }

    fn withdraw(&mut self, finding: &NewFinding) -> io::Result<()> {
        match fs::remove_dir_all(self.case_dir(&finding.finding.signature)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn record_minimized(
        &mut self,
        original: &NewFinding,
        minimized: &NewFinding,
        stats: &MinimizeStats,
    ) -> io::Result<()> {
        let mut case = self.case_file(original, 1);
        case.replace_minimized(
            minimized.seq.clone(),
            self.exchanges(&minimized.run),
            stats.replays,
            stats.bounded,
        );
        self.write(&case).map(|_| ())
    }
}

/// Writes the three files of a case folder, each atomically; `case.json` last, so a folder with a
/// `case.json` is complete.
pub fn write_case_dir(dir: &Path, case: &CaseFile) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    write_atomic(&dir.join("repro.sh"), curl::script(case).as_bytes())?;
    set_executable(&dir.join("repro.sh"));
    write_atomic(&dir.join("summary.txt"), curl::summary(case).as_bytes())?;
    write_atomic(&dir.join("case.json"), &case_json(case)?)
}

fn case_json(case: &CaseFile) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(case).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) {}

/// Case folders under a `cases` folder, sorted.
pub fn list_cases(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Loads a case from its folder or its `case.json`.
pub fn load_case(path: &Path) -> Result<CaseFile, CaseError> {
    let file = if path.is_dir() {
        path.join("case.json")
    } else {
        path.to_path_buf()
    };
    let text = fs::read(&file).map_err(|source| CaseError::Read {
        path: file.clone(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| CaseError::Corrupt {
            path: file.clone(),
            reason: e.to_string(),
        })?;
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if version > u64::from(FORMAT_VERSION) {
        return Err(CaseError::Version {
            path: file,
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    serde_json::from_value(value).map_err(|e| CaseError::Corrupt {
        path: file,
        reason: e.to_string(),
    })
}
