//! Walking `paths`: every (path template, method) with its operation object, path items resolved.

use serde_json::Value;

use super::docs::DocId;
use super::error::SpecError;
use super::model::Method;
use super::ops::{Ctx, METHODS, escape};

/// Where one operation object is and what its path item declares for all its operations.
pub(crate) struct OperationSource<'d> {
    pub method: Method,
    pub path: String,
    /// The document holding the path item (another file when the path item is a `$ref`).
    pub doc: DocId,
    pub item_pointer: String,
    /// JSON pointer of the operation object in `doc`.
    pub pointer: String,
    pub op: &'d Value,
    /// The path item's `parameters`, shared by its operations.
    pub path_params: Option<&'d Value>,
}

/// Every operation under `paths`, in document order. A missing `paths` gives none; a `paths` that
/// is not an object is an error; a path item that is not an object is skipped with a warning.
pub(crate) fn walk_paths<'d>(ctx: &mut Ctx<'d>) -> Result<Vec<OperationSource<'d>>, SpecError> {
    let root = ctx.docs.root();
    let Some(paths) = root.get("paths") else {
        return Ok(Vec::new());
    };
    let Some(paths) = paths.as_object() else {
        return Err(SpecError::Invalid {
            file: ctx.docs.doc(0).path.clone(),
            pointer: "/paths".to_owned(),
            message: "`paths` must be an object mapping path templates to path items".to_owned(),
        });
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        let at = format!("/paths/{}", escape(path));
        let (doc, item_pointer, item) = ctx.deref(0, &at, item)?;
        let Some(map) = item.as_object() else {
            ctx.warn(
                Some(path),
                doc,
                &item_pointer,
                "path item is not an object; skipped".into(),
            );
            continue;
        };
        for (key, method) in METHODS {
            if let Some(op) = map.get(key) {
                out.push(OperationSource {
                    method,
                    path: path.clone(),
                    doc,
                    pointer: format!("{item_pointer}/{key}"),
                    item_pointer: item_pointer.clone(),
                    op,
                    path_params: map.get("parameters"),
                });
            }
        }
    }
    Ok(out)
}
