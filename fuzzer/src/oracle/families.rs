//! Error families: well-known error texts that servers leak into responses — database syntax
//! errors, interpreter stack traces, template engine errors.
//!
//! Two uses: a 5xx whose body belongs to a family is one finding however its details vary (every
//! malformed SQL query that reaches SQLite is the same bug, not one per syntax error), and the
//! injection and disclosure checks take a family in a response as evidence.

/// A family of leaked error texts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorFamily {
    SqliteError,
    PostgresError,
    MysqlError,
    MssqlError,
    OracleError,
    MongoError,
    /// A database error of an engine not recognised above (a generic message or leaked SQL text).
    DatabaseError,
    TemplateError,
    StackTrace,
}

impl ErrorFamily {
    pub fn slug(self) -> &'static str {
        match self {
            ErrorFamily::SqliteError => "sqlite-error",
            ErrorFamily::PostgresError => "postgres-error",
            ErrorFamily::MysqlError => "mysql-error",
            ErrorFamily::MssqlError => "mssql-error",
            ErrorFamily::OracleError => "oracle-error",
            ErrorFamily::MongoError => "mongo-error",
            ErrorFamily::DatabaseError => "database-error",
            ErrorFamily::TemplateError => "template-error",
            ErrorFamily::StackTrace => "stack-trace",
        }
    }

    /// True for the database families (evidence of injection).
    pub fn is_database(self) -> bool {
        !matches!(self, ErrorFamily::TemplateError | ErrorFamily::StackTrace)
    }
}

/// Markers, matched case-sensitively as written (they are distinctive enough), first match wins.
const MARKERS: &[(ErrorFamily, &str)] = &[
    (ErrorFamily::SqliteError, "SQLITE_ERROR"),
    (ErrorFamily::SqliteError, "unrecognized token:"),
    (ErrorFamily::SqliteError, "SQL logic error"),
    (ErrorFamily::SqliteError, "no such column:"),
    (ErrorFamily::SqliteError, "no such table:"),
    (ErrorFamily::SqliteError, "incomplete input"),
    (ErrorFamily::SqliteError, "sqlite3."),
    (ErrorFamily::SqliteError, "SQLiteException"),
    (ErrorFamily::SqliteError, "no such function:"),
    (
        ErrorFamily::SqliteError,
        "do not have the same number of result columns",
    ),
    (ErrorFamily::SqliteError, "SQLite error"),
    (ErrorFamily::SqliteError, "ORDER BY term out of range"),
    (ErrorFamily::PostgresError, "syntax error at or near"),
    (
        ErrorFamily::PostgresError,
        "unterminated quoted string at or near",
    ),
    (ErrorFamily::PostgresError, "PSQLException"),
    (ErrorFamily::PostgresError, "psycopg2."),
    (ErrorFamily::PostgresError, "invalid input syntax for"),
    (
        ErrorFamily::MysqlError,
        "You have an error in your SQL syntax",
    ),
    (ErrorFamily::MysqlError, "MySQLSyntaxErrorException"),
    (ErrorFamily::MysqlError, "mysql_fetch_"),
    (
        ErrorFamily::MysqlError,
        "check the manual that corresponds to your MySQL",
    ),
    (
        ErrorFamily::MssqlError,
        "Unclosed quotation mark after the character string",
    ),
    (ErrorFamily::MssqlError, "Incorrect syntax near"),
    (
        ErrorFamily::MssqlError,
        "Microsoft OLE DB Provider for SQL Server",
    ),
    (ErrorFamily::OracleError, "ORA-00933"),
    (ErrorFamily::OracleError, "ORA-01756"),
    (ErrorFamily::OracleError, "ORA-00936"),
    (
        ErrorFamily::OracleError,
        "quoted string not properly terminated",
    ),
    (ErrorFamily::MongoError, "MongoServerError"),
    (ErrorFamily::MongoError, "MongoError"),
    (ErrorFamily::MongoError, "unknown operator: $"),
    (ErrorFamily::MongoError, "E11000 duplicate key"),
    (ErrorFamily::TemplateError, "TemplateSyntaxError"),
    (ErrorFamily::TemplateError, "jinja2.exceptions"),
    (ErrorFamily::TemplateError, "freemarker.core"),
    (ErrorFamily::TemplateError, "Liquid syntax error"),
    (ErrorFamily::StackTrace, "Traceback (most recent call last)"),
    (ErrorFamily::StackTrace, "Exception in thread \""),
    (ErrorFamily::StackTrace, "\tat java."),
    (ErrorFamily::StackTrace, "\\tat java."),
    (ErrorFamily::StackTrace, "panicked at "),
    (ErrorFamily::StackTrace, "goroutine 1 [running]"),
    (ErrorFamily::StackTrace, "at Object.<anonymous>"),
    (ErrorFamily::StackTrace, "System.NullReferenceException"),
];

/// SQLite's generic "near \"...\": syntax error", which needs two markers.
fn sqlite_near(text: &str) -> bool {
    text.contains("near \"") && text.contains("syntax error")
        || text.contains("near \\\"") && text.contains("syntax error")
}

/// Generic phrases of database errors, matched case-insensitively after the engine markers.
const GENERIC_DATABASE: &[&str] = &[
    "database error",
    "sql error",
    "sqlstate",
    "syntax error in sql",
    "query failed",
];

/// Leaked SQL statement text: a statement keyword followed by its clause keyword.
fn leaks_sql(lower: &str) -> bool {
    let has = |w: &str| lower.contains(w);
    (has("select ") && has(" from "))
        || (has("insert into ") && has("values"))
        || (has("update ") && has(" set ") && has(" where "))
}

/// The family a response body belongs to, if any.
pub fn classify(body: &[u8]) -> Option<ErrorFamily> {
    classify_by(body, true)
}

/// [`classify`] for a response that is not a 5xx: only an engine's or a framework's own error
/// words count, not SQL text, which a successful answer may carry as data (a list echoing
/// stored payloads such as `' OR 1=1 --` or `SELECT 1 FROM …`).
pub fn classify_strict(body: &[u8]) -> Option<ErrorFamily> {
    classify_by(body, false)
}

/// [`classify`] for a response of this status.
pub fn classify_status(body: &[u8], status: u16) -> Option<ErrorFamily> {
    classify_by(body, status >= 500)
}

fn classify_by(body: &[u8], sql_text: bool) -> Option<ErrorFamily> {
    let text = String::from_utf8_lossy(&body[..body.len().min(16 * 1024)]);
    if let Some((family, _)) = MARKERS.iter().find(|(_, marker)| text.contains(marker)) {
        return Some(*family);
    }
    if sqlite_near(&text) {
        return Some(ErrorFamily::SqliteError);
    }
    let lower = text.to_lowercase();
    (GENERIC_DATABASE.iter().any(|p| lower.contains(p)) || (sql_text && leaks_sql(&lower)))
        .then_some(ErrorFamily::DatabaseError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_database_errors_of_each_engine() {
        let cases: &[(&str, ErrorFamily)] = &[
            (
                r#"{"message":"unrecognized token: \"'books''\""}"#,
                ErrorFamily::SqliteError,
            ),
            (
                r#"{"message":"near \"OR\": syntax error"}"#,
                ErrorFamily::SqliteError,
            ),
            (
                "ERROR: syntax error at or near \"'\"",
                ErrorFamily::PostgresError,
            ),
            (
                "You have an error in your SQL syntax; check the manual",
                ErrorFamily::MysqlError,
            ),
            (
                "Unclosed quotation mark after the character string ''.",
                ErrorFamily::MssqlError,
            ),
            (
                "ORA-01756: quoted string not properly terminated",
                ErrorFamily::OracleError,
            ),
            (
                "MongoServerError: unknown operator: $foo",
                ErrorFamily::MongoError,
            ),
            (
                "Traceback (most recent call last):\n  File",
                ErrorFamily::StackTrace,
            ),
            (
                "jinja2.exceptions.TemplateSyntaxError: unexpected",
                ErrorFamily::TemplateError,
            ),
        ];
        for (text, family) in cases {
            assert_eq!(classify(text.as_bytes()), Some(*family), "{text}");
        }
        assert!(ErrorFamily::SqliteError.is_database());
        assert!(!ErrorFamily::StackTrace.is_database());
    }

    #[test]
    fn ordinary_errors_are_not_classified() {
        for text in [
            r#"{"error":"not_found","message":"order 3 not found"}"#,
            "syntax of the query is fine",
            "",
        ] {
            assert_eq!(classify(text.as_bytes()), None, "{text}");
        }
    }
}
