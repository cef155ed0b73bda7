//! Operation coverage of a run, for the JSON report and the console summary: how many operations
//! got a 2xx, when each first did, and why the others never did.

use serde_json::{Value, json};

/// What a run reached.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    pub operations: usize,
    pub with_2xx: usize,
    /// `(operation, most likely reason)` for each operation without a 2xx.
    pub never_2xx: Vec<(String, String)>,
    /// `(milliseconds since the first response, operations with a 2xx by then, the operation that
    /// just got its first)` at each first 2xx.
    pub series: Vec<(u64, usize, String)>,
}

impl Coverage {
    /// The JSON form: `{"operations", "with_2xx", "never_2xx": [{"operation", "reason"}],
    /// "series": [[seconds, count, operation], ...]}`.
    pub fn to_value(&self) -> Value {
        json!({
            "operations": self.operations,
            "with_2xx": self.with_2xx,
            "never_2xx": self.never_2xx.iter()
                .map(|(op, reason)| json!({"operation": op, "reason": reason}))
                .collect::<Vec<_>>(),
            "series": self.series.iter()
                .map(|(ms, n, op)| json!([*ms as f64 / 1000.0, n, op]))
                .collect::<Vec<_>>(),
        })
    }

    /// Console lines: one per operation without a 2xx.
    pub fn render(&self) -> String {
        if self.never_2xx.is_empty() {
            return String::new();
        }
        let mut out = format!(
            "operations without a 2xx ({} of {}):\n",
            self.never_2xx.len(),
            self.operations
        );
        for (op, reason) in &self.never_2xx {
            out.push_str(&format!("  {op}: {reason}\n"));
        }
        out
    }
}
