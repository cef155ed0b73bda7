//! The target a campaign talks to: scheme, host, port and base path, parsed once from `--target`.
//!
//! Shrike only ever opens connections to this one address (the network-safety rule), so the transport
//! takes a `Target` at construction and nothing else decides where bytes go.

use std::fmt;

use thiserror::Error;
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// A parsed target URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
    /// The path prefix every request path is appended to, without a trailing slash (`""` for none).
    pub base_path: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("target URL {url:?} is not a valid URL: {reason}")]
    Invalid { url: String, reason: String },
    #[error("target URL {url:?} uses scheme {scheme:?}; only http and https are supported")]
    Scheme { url: String, scheme: String },
    #[error("target URL {url:?} has no host")]
    NoHost { url: String },
}

impl Target {
    /// Parses `http://host[:port][/base]` or `https://...`.
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        let parsed = Url::parse(url).map_err(|e| TargetError::Invalid {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let scheme = match parsed.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(TargetError::Scheme {
                    url: url.to_string(),
                    scheme: other.to_string(),
                });
            }
        };
        let host = match parsed.host() {
            Some(url::Host::Ipv6(addr)) => addr.to_string(),
            Some(h) => h.to_string(),
            None => {
                return Err(TargetError::NoHost {
                    url: url.to_string(),
                });
            }
        };
        let port = parsed.port_or_known_default().unwrap_or(match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        });
        let base_path = parsed.path().trim_end_matches('/').to_string();
        Ok(Target {
            scheme,
            host,
            port,
            base_path,
        })
    }

    /// The value of the `Host` header.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// `host:port` for `TcpStream::connect`.
    pub fn socket_addr(&self) -> (String, u16) {
        (self.host.clone(), self.port)
    }

    /// True when the host is a loopback name or address.
    pub fn is_loopback(&self) -> bool {
        match self.host.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => self.host.eq_ignore_ascii_case("localhost"),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}{}", self.host_header(), self.base_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_host_port_and_base_path() {
        let t = Target::parse("http://127.0.0.1:8080/api/v1/").unwrap();
        assert_eq!(t.scheme, Scheme::Http);
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 8080);
        assert_eq!(t.base_path, "/api/v1");
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        assert_eq!(t.to_string(), "http://127.0.0.1:8080/api/v1");
        assert!(t.is_loopback());
    }

    #[test]
    fn default_ports_and_ipv6() {
        let t = Target::parse("https://[::1]/").unwrap();
        assert_eq!(t.port, 443);
        assert_eq!(t.base_path, "");
        assert_eq!(t.host_header(), "[::1]");
        assert!(t.is_loopback());
        let t = Target::parse("http://example.test").unwrap();
        assert_eq!(t.port, 80);
        assert!(!t.is_loopback());
    }

    #[test]
    fn rejects_other_schemes_and_garbage() {
        assert!(matches!(
            Target::parse("ftp://x/"),
            Err(TargetError::Scheme { .. })
        ));
        assert!(matches!(
            Target::parse("not a url"),
            Err(TargetError::Invalid { .. })
        ));
    }
}
