//! HTTP/1.1 response framing: the status line and headers (via `httparse`), then the body by
//! `Content-Length`, chunked transfer coding, or until the connection closes.
//!
//! Pure functions over byte slices, so they are unit-tested without sockets.

/// The parsed head of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Bytes the head occupied, so the body starts at this offset.
    pub len: usize,
}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(usize),
    Chunked,
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    Malformed,
}

const MAX_HEADERS: usize = 128;

/// Parses a response head; `Ok(None)` means more bytes are needed.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, ParseError> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut storage);
    match resp.parse(buf) {
        Ok(httparse::Status::Complete(len)) => {
            let status = resp.code.ok_or(ParseError::Malformed)?;
            let headers = resp
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_string(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect();
            Ok(Some(Head {
                status,
                headers,
                len,
            }))
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(_) => Err(ParseError::Malformed),
    }
}

/// Decides the body framing from the request method, the status and the headers (RFC 9112 §6.3).
pub fn framing(is_head_request: bool, head: &Head) -> Result<Framing, ParseError> {
    if is_head_request
        || (100..200).contains(&head.status)
        || head.status == 204
        || head.status == 304
    {
        return Ok(Framing::None);
    }
    let mut length = None;
    for (name, value) in &head.headers {
        if name.eq_ignore_ascii_case("transfer-encoding") {
            if value
                .to_ascii_lowercase()
                .split(',')
                .any(|v| v.trim() == "chunked")
            {
                return Ok(Framing::Chunked);
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            let n: usize = value.trim().parse().map_err(|_| ParseError::Malformed)?;
            if length.is_some_and(|l| l != n) {
                return Err(ParseError::Malformed);
            }
            length = Some(n);
        }
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// True when the response asks to close the connection after it.
pub fn wants_close(head: &Head) -> bool {
    head.headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("connection")
            && v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))
    })
}

/// Result of decoding a chunked body from the bytes received so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunked {
    /// Complete: the decoded body (at most `max` bytes kept), whether it was cut, and the bytes consumed.
    Done {
        body: Vec<u8>,
        truncated: bool,
        consumed: usize,
    },
    /// More bytes are needed.
    Partial,
}

/// Decodes a chunked body, keeping at most `max` bytes of it.
pub fn decode_chunked(buf: &[u8], max: usize) -> Result<Chunked, ParseError> {
    let mut pos = 0;
    let mut body = Vec::new();
    let mut truncated = false;
    loop {
        let Some(line_end) = find_crlf(&buf[pos..]) else {
            return Ok(Chunked::Partial);
        };
        let line = &buf[pos..pos + line_end];
        let size_text = line.split(|&b| b == b';').next().unwrap_or(line);
        let size_text = std::str::from_utf8(size_text).map_err(|_| ParseError::Malformed)?;
        let size =
            usize::from_str_radix(size_text.trim(), 16).map_err(|_| ParseError::Malformed)?;
        pos += line_end + 2;
        if size == 0 {
            // Trailer section: header lines until an empty line.
            loop {
                let Some(end) = find_crlf(&buf[pos..]) else {
                    return Ok(Chunked::Partial);
                };
                pos += end + 2;
                if end == 0 {
                    return Ok(Chunked::Done {
                        body,
                        truncated,
                        consumed: pos,
                    });
                }
            }
        }
        let end = pos.checked_add(size).ok_or(ParseError::Malformed)?;
        if buf.len() < end + 2 {
            return Ok(Chunked::Partial);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(ParseError::Malformed);
        }
        let room = max.saturating_sub(body.len());
        body.extend_from_slice(&buf[pos..pos + size.min(room)]);
        truncated |= size > room;
        pos = end + 2;
    }
}

fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Head {
        parse_head(raw.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn parses_head_and_length_framing() {
        let h = head("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nLocation: /x/1\r\n\r\nhello");
        assert_eq!(h.status, 201);
        assert_eq!(h.len, 59);
        assert_eq!(framing(false, &h), Ok(Framing::Length(5)));
        assert_eq!(framing(true, &h), Ok(Framing::None));
        assert!(!wants_close(&h));
    }

    #[test]
    fn partial_head_needs_more() {
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Le"), Ok(None));
        assert_eq!(parse_head(b"NOT HTTP\r\n\r\n"), Err(ParseError::Malformed));
    }

    #[test]
    fn chunked_and_close_and_no_body_statuses() {
        let h = head(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(framing(false, &h), Ok(Framing::Chunked));
        assert!(wants_close(&h));
        let h = head("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n");
        assert_eq!(framing(false, &h), Ok(Framing::None));
        let h = head("HTTP/1.0 200 OK\r\n\r\n");
        assert_eq!(framing(false, &h), Ok(Framing::UntilClose));
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
        assert_eq!(framing(false, &h), Err(ParseError::Malformed));
    }

    #[test]
    fn decodes_chunks_with_extensions_and_trailers() {
        let raw = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
        let done = decode_chunked(raw, 1024).unwrap();
        assert_eq!(
            done,
            Chunked::Done {
                body: b"Wikipedia".to_vec(),
                truncated: false,
                consumed: raw.len() - 4
            }
        );
        assert_eq!(decode_chunked(b"4\r\nWi", 1024), Ok(Chunked::Partial));
        assert_eq!(
            decode_chunked(b"4\r\nWiki\r\n0\r\n", 1024),
            Ok(Chunked::Partial)
        );
        assert_eq!(decode_chunked(b"zz\r\n", 1024), Err(ParseError::Malformed));
        let Chunked::Done {
            body, truncated, ..
        } = decode_chunked(raw, 3).unwrap()
        else {
            panic!("complete")
        };
        assert_eq!((body.as_slice(), truncated), (&b"Wik"[..], true));
    }
}
