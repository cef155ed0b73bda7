//! Which checks run: every check by default except the noisy or traffic-heavy ones, narrowed by
//! `--checks LIST` (exactly these), widened by `--check NAME`, trimmed by `--skip-checks LIST`.
//! Names are finding-kind slugs (`bola`, `injection`, `use-after-delete`, …) or groups
//! (`security`, `lifecycle`).

use std::collections::BTreeSet;

use crate::oracle::FindingKind;

/// Checks that only run when asked for by name (`--check rate-limit`): they send bursts.
pub const OFF_BY_DEFAULT: [FindingKind; 1] = [FindingKind::MissingRateLimit];

/// The check names a user may give, with their aliases resolved: `rate-limit` is
/// `missing-rate-limit`; `security` and `lifecycle` stand for their groups.
pub fn expand(name: &str) -> Option<Vec<FindingKind>> {
    let name = name.trim().to_ascii_lowercase();
    match name.as_str() {
        "security" => Some(
            FindingKind::ALL
                .into_iter()
                .filter(|k| k.is_security())
                .collect(),
        ),
        "lifecycle" => Some(
            FindingKind::ALL
                .into_iter()
                .filter(|k| k.is_lifecycle())
                .collect(),
        ),
        "rate-limit" => Some(vec![FindingKind::MissingRateLimit]),
        _ => FindingKind::ALL
            .into_iter()
            .find(|k| k.slug() == name)
            .map(|k| vec![k]),
    }
}

/// The names `--checks`, `--check` and `--skip-checks` take, for help and error messages: the
/// groups, then every security and lifecycle check, then the `rate-limit` alias.
pub fn valid_names() -> Vec<&'static str> {
    let mut names = vec!["security", "lifecycle"];
    names.extend(
        FindingKind::ALL
            .into_iter()
            .filter(|k| k.is_security() || k.is_lifecycle())
            .map(FindingKind::slug),
    );
    names.push("rate-limit");
    names
}

/// Splits comma-separated lists (`--checks bola,cors`) and drops empty items.
pub fn split_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .flat_map(|i| i.split(','))
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The selected checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSelection {
    enabled: BTreeSet<FindingKind>,
}

impl Default for CheckSelection {
    fn default() -> Self {
        CheckSelection {
            enabled: FindingKind::ALL
                .into_iter()
                .filter(|k| !OFF_BY_DEFAULT.contains(k))
                .collect(),
        }
    }
}

impl CheckSelection {
    /// `only`: exactly these (when given); then `add` switched on and `skip` off. An unknown
    /// name is returned as the error.
    pub fn from_names(
        only: Option<&[String]>,
        add: &[String],
        skip: &[String],
    ) -> Result<CheckSelection, String> {
        let kinds = |names: &[String]| -> Result<Vec<FindingKind>, String> {
            let mut out = Vec::new();
            for name in names {
                out.extend(expand(name).ok_or_else(|| name.clone())?);
            }
            Ok(out)
        };
        let mut selection = match only {
            Some(names) => CheckSelection {
                enabled: kinds(names)?.into_iter().collect(),
            },
            None => CheckSelection::default(),
        };
        selection.enabled.extend(kinds(add)?);
        for kind in kinds(skip)? {
            selection.enabled.remove(&kind);
        }
        Ok(selection)
    }

    pub fn is_enabled(&self, kind: FindingKind) -> bool {
        self.enabled.contains(&kind)
    }

    /// True when any of `kinds` is enabled (a check that reports several kinds).
    pub fn any_enabled(&self, kinds: &[FindingKind]) -> bool {
        kinds.iter().any(|k| self.is_enabled(*k))
    }

    pub fn enabled(&self) -> impl Iterator<Item = FindingKind> + '_ {
        self.enabled.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn default_is_everything_but_rate_limit() {
        let s = CheckSelection::default();
        assert!(s.is_enabled(FindingKind::BrokenObjectAuthorization));
        assert!(s.is_enabled(FindingKind::UseAfterDelete));
        assert!(!s.is_enabled(FindingKind::MissingRateLimit));
    }

    #[test]
    fn only_add_and_skip_compose() {
        let s = CheckSelection::from_names(
            Some(&names(&["security"])),
            &names(&["rate-limit"]),
            &names(&["cors"]),
        )
        .unwrap();
        assert!(s.is_enabled(FindingKind::MissingRateLimit));
        assert!(s.is_enabled(FindingKind::Injection));
        assert!(!s.is_enabled(FindingKind::CorsMisconfiguration));
        assert!(!s.is_enabled(FindingKind::UseAfterDelete));
        assert!(!s.is_enabled(FindingKind::ServerError));
    }

    #[test]
    fn every_valid_name_expands_and_lists_split() {
        for name in valid_names() {
            assert!(expand(name).is_some(), "{name}");
        }
        assert!(valid_names().contains(&"bola"));
        assert_eq!(
            split_list(&names(&["bola, cors", "", "injection"])),
            names(&["bola", "cors", "injection"])
        );
    }

    #[test]
    fn unknown_names_are_errors() {
        assert_eq!(
            CheckSelection::from_names(None, &names(&["bolla"]), &[]),
            Err("bolla".to_owned())
        );
    }
}
