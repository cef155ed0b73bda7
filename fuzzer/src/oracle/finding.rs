//! What an oracle reports: a [`Finding`] with its kind and a stable [`Signature`].
//!
//! The signature (kind + operation + status + error signature) decides deduplication: the campaign
//! keeps the first input per signature and counts the rest; the case store names folders by it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::spec::OperationId;

/// The closed set of things Shrike reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A 5xx response.
    ServerError,
    /// A response body or header that violates the spec's schema for its status.
    SchemaViolation,
    /// A status code the operation does not document.
    UndocumentedStatus,
    /// A response far slower than `--slow-ms` or the operation's usual latency, confirmed by a re-run.
    SlowResponse,
    /// No response within the request timeout.
    Timeout,
    /// The connection was reset or closed mid-exchange.
    ConnectionDropped,
    /// The target stopped accepting connections after it had been up: it crashed.
    TargetCrash,
    // Lifecycle oracles (multi-request, see `probe`).
    /// A resource is still served, or changed, after a successful DELETE.
    UseAfterDelete,
    /// A create succeeded (2xx) but the created resource cannot be read back.
    CreateNotReadable,
    /// A create failed, yet the resource it would have made exists afterwards.
    LeakAfterFailedCreate,
    /// An update was accepted but reading the resource back shows the old values.
    UpdateNotReadBack,
    // Security checks (see `security`).
    /// An operation whose spec requires credentials succeeds without or with forged ones.
    BrokenAuthentication,
    /// One identity reads, changes or deletes another identity's object (BOLA / IDOR).
    BrokenObjectAuthorization,
    /// A lower-privileged identity succeeds on an operation reserved to a higher role.
    BrokenFunctionAuthorization,
    /// An undeclared or read-only field sent in a write is accepted and reflected.
    MassAssignment,
    /// An injection payload shows its effect: an interpreter error signature, or a boolean or
    /// timing differential.
    Injection,
    /// A response carries secrets (passwords, hashes, tokens, keys) or undeclared fields.
    DataExposure,
    /// Authentication answers tell an unknown user apart from a wrong password.
    UserEnumeration,
    /// A bounded burst on a sensitive operation is never answered 429.
    MissingRateLimit,
    /// A foreign `Origin` is trusted with credentials.
    CorsMisconfiguration,
    /// Version banners or stack traces disclose implementation details.
    InformationDisclosure,
}

impl FindingKind {
    /// The short name used in signatures, reports and `--checks`.
    pub fn slug(self) -> &'static str {
        match self {
            FindingKind::ServerError => "server-error",
            FindingKind::SchemaViolation => "schema-violation",
            FindingKind::UndocumentedStatus => "undocumented-status",
            FindingKind::SlowResponse => "slow-response",
            FindingKind::Timeout => "timeout",
            FindingKind::ConnectionDropped => "connection-dropped",
            FindingKind::TargetCrash => "target-crash",
            FindingKind::UseAfterDelete => "use-after-delete",
            FindingKind::CreateNotReadable => "create-not-readable",
            FindingKind::LeakAfterFailedCreate => "leak-after-failed-create",
            FindingKind::UpdateNotReadBack => "update-not-read-back",
            FindingKind::BrokenAuthentication => "broken-authentication",
            FindingKind::BrokenObjectAuthorization => "bola",
            FindingKind::BrokenFunctionAuthorization => "broken-function-authorization",
            FindingKind::MassAssignment => "mass-assignment",
            FindingKind::Injection => "injection",
            FindingKind::DataExposure => "data-exposure",
            FindingKind::UserEnumeration => "user-enumeration",
            FindingKind::MissingRateLimit => "missing-rate-limit",
            FindingKind::CorsMisconfiguration => "cors",
            FindingKind::InformationDisclosure => "information-disclosure",
        }
    }

    pub const ALL: [FindingKind; 21] = [
        FindingKind::ServerError,
        FindingKind::SchemaViolation,
        FindingKind::UndocumentedStatus,
        FindingKind::SlowResponse,
        FindingKind::Timeout,
        FindingKind::ConnectionDropped,
        FindingKind::TargetCrash,
        FindingKind::UseAfterDelete,
        FindingKind::CreateNotReadable,
        FindingKind::LeakAfterFailedCreate,
        FindingKind::UpdateNotReadBack,
        FindingKind::BrokenAuthentication,
        FindingKind::BrokenObjectAuthorization,
        FindingKind::BrokenFunctionAuthorization,
        FindingKind::MassAssignment,
        FindingKind::Injection,
        FindingKind::DataExposure,
        FindingKind::UserEnumeration,
        FindingKind::MissingRateLimit,
        FindingKind::CorsMisconfiguration,
        FindingKind::InformationDisclosure,
    ];

    /// True for the kinds the lifecycle oracles report.
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            FindingKind::UseAfterDelete
                | FindingKind::CreateNotReadable
                | FindingKind::LeakAfterFailedCreate
                | FindingKind::UpdateNotReadBack
        )
    }

    /// True for the kinds the security checks report.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            FindingKind::BrokenAuthentication
                | FindingKind::BrokenObjectAuthorization
                | FindingKind::BrokenFunctionAuthorization
                | FindingKind::MassAssignment
                | FindingKind::Injection
                | FindingKind::DataExposure
                | FindingKind::UserEnumeration
                | FindingKind::MissingRateLimit
                | FindingKind::CorsMisconfiguration
                | FindingKind::InformationDisclosure
        )
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A file-system-safe identity of a finding, e.g. `server-error.createOrder.500.9f3a1c2b7d4e5f60`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Signature(pub String);

impl Signature {
    pub fn new(
        kind: FindingKind,
        operation: &OperationId,
        status: Option<u16>,
        error_sig: u64,
    ) -> Self {
        let op: String = operation
            .as_str()
            .chars()
            .take(80)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let status = status.map_or_else(|| "none".to_string(), |s| s.to_string());
        Signature(format!("{}.{op}.{status}.{error_sig:016x}", kind.slug()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One finding on one exchange (or one sequence, for the multi-request checks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub operation: OperationId,
    /// The status that showed it, when there was a response.
    pub status: Option<u16>,
    /// The error signature of the response body (0 when it does not take part).
    pub error_sig: u64,
    /// One sentence for a person: what is wrong.
    pub detail: String,
    pub signature: Signature,
    /// For a slow response: the latency limit it crossed (the operation's own limit, see
    /// [`super::latency`]), so a replay judges it by the same limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_limit_ms: Option<u64>,
}

impl Finding {
    pub fn new(
        kind: FindingKind,
        operation: &OperationId,
        status: Option<u16>,
        error_sig: u64,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            kind,
            operation: operation.clone(),
            status,
            error_sig,
            detail: detail.into(),
            signature: Signature::new(kind, operation, status, error_sig),
            slow_limit_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_path_safe_and_stable() {
        let op = OperationId("get /orders/{id}".into());
        let s = Signature::new(FindingKind::ServerError, &op, Some(500), 0xabc);
        assert_eq!(
            s.as_str(),
            "server-error.get__orders__id_.500.0000000000000abc"
        );
        let t = Signature::new(FindingKind::Timeout, &op, None, 0);
        assert_eq!(t.as_str(), "timeout.get__orders__id_.none.0000000000000000");
    }
}
