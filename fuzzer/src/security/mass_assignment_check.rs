//! The mass-assignment oracle's judgement (see the parent module).

use serde_json::Value;

use super::MassAssignmentOracle;
use crate::campaign::runner::{Exchange, SeqRun};
use crate::input::{Node, RequestSeq};
use crate::oracle::{Finding, FindingKind};
use crate::probe::{SeqFinding, SeqOracle};
use crate::security::success;
use crate::spec::{Method, ParamLocation};

impl MassAssignmentOracle {
    /// The probe fields (name, sentinel) a write's body carries.
    fn sent(&self, seq: &RequestSeq, exchange: &Exchange) -> Vec<(String, Value)> {
        let (Some(fields), Some(call)) =
            (self.fields.get(&exchange.op), seq.calls.get(exchange.call))
        else {
            return Vec::new();
        };
        let Some(Node::Object(members)) = call.body.as_ref().map(|b| &b.value) else {
            return Vec::new();
        };
        fields
            .iter()
            .filter(|(name, value)| {
                members
                    .iter()
                    .any(|(n, v)| n == name && v.to_value() == *value)
            })
            .cloned()
            .collect()
    }

    /// Where a sent field came back: the write's own answer (when it is the stored object) or
    /// a later read of the written object; returns the exchange index and how it is described.
    fn reflected(
        &self,
        seq: &RequestSeq,
        run: &SeqRun,
        w: usize,
        field: &(String, Value),
    ) -> Option<(usize, &'static str)> {
        let write = &run.exchanges[w];
        let response = success(write)?;
        let op = self.ctx.model.operations.get(write.op)?;
        let stored = response.status == 201
            || response.header("location").is_some()
            || matches!(op.method, Method::Put | Method::Patch);
        let shows = |body: &[u8]| {
            serde_json::from_slice::<Value>(body)
                .ok()
                .is_some_and(|v| v.get(&field.0) == Some(&field.1))
        };
        if stored && shows(&response.body) {
            return Some((w, "the write's answer"));
        }
        run.exchanges
            .iter()
            .enumerate()
            .skip(w + 1)
            .find_map(|(r, e)| {
                let call = seq.calls.get(e.call)?;
                let reads_it = self.ctx.model.operations.get(e.op)?.method == Method::Get
                    && call.params.iter().any(|p| {
                        p.location == ParamLocation::Path
                            && matches!(&p.value, Some(Node::Ref(x)) if x.call == write.call)
                    });
                (reads_it && success(e).is_some_and(|ok| shows(&ok.body)))
                    .then_some((r, "the object read back"))
            })
    }
}

impl SeqOracle for MassAssignmentOracle {
    fn name(&self) -> &'static str {
        "mass-assignment"
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut out: Vec<SeqFinding> = Vec::new();
        for (w, exchange) in run.exchanges.iter().enumerate() {
            let Some(call) = seq.calls.get(exchange.call) else {
                continue;
            };
            if self.roles.is_admin(self.roles.resolve(call)) {
                continue;
            }
            let Some(op) = self.ctx.model.operations.get(exchange.op) else {
                continue;
            };
            for field in self.sent(seq, exchange) {
                let Some((at, place)) = self.reflected(seq, run, w, &field) else {
                    continue;
                };
                if out.iter().any(|f| f.finding.operation == op.id) {
                    break;
                }
                let status = success(exchange).map(|r| r.status);
                let detail = format!(
                    "{} {} accepted the field `{}` = {} that its request schema does not allow; \
                     {place} shows it",
                    op.method.as_str(),
                    op.path,
                    field.0,
                    field.1
                );
                out.push(SeqFinding {
                    finding: Finding::new(FindingKind::MassAssignment, &op.id, status, 0, detail),
                    at,
                });
            }
        }
        out
    }
}
