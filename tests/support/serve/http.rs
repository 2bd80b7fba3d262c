//! A small raw HTTP/1.1 client for the listener tests: one request per connection, with
//! the body sent whole or in chunks without `Content-Length`, so tests control exactly what
//! the server sees.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A request body: fixed (with `Content-Length`) or chunked (without).
pub enum Body {
    /// Sent whole with its length.
    Fixed(Vec<u8>),
    /// Sent in these chunks with `Transfer-Encoding: chunked`.
    Chunked(Vec<Vec<u8>>),
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    /// Status code (0: the connection failed before a status line).
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`); status 0 when the
/// connection fails.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    request_within(addr, method, path, headers, body, Duration::from_secs(60))
}

/// [`request`], giving up (status 0) when the reply has not come within `patience`.
pub fn request_within(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
    patience: Duration,
) -> Reply {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, patience) else {
        // Nothing listening (yet): status 0, which no assertion on a status accepts.
        return Reply {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
        };
    };
    stream.set_read_timeout(Some(patience)).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    match &body {
        Body::Fixed(b) => {
            let _ = write!(head, "Content-Length: {}\r\n\r\n", b.len());
        }
        Body::Chunked(_) => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    // The server may answer (413) and close before the whole body is sent: the body is
    // written from another thread while this one reads the reply, and write errors are
    // expected then.
    let mut writer = stream.try_clone().expect("clone stream");
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        match body {
            Body::Fixed(b) => {
                let _ = writer.write_all(&b);
            }
            Body::Chunked(chunks) => {
                for c in chunks {
                    if writer
                        .write_all(format!("{:x}\r\n", c.len()).as_bytes())
                        .and_then(|()| writer.write_all(&c))
                        .and_then(|()| writer.write_all(b"\r\n"))
                        .is_err()
                    {
                        return;
                    }
                }
                let _ = writer.write_all(b"0\r\n\r\n");
            }
        }
    });
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Reply {
            status: 0,
            headers: Vec::new(),
            body: raw.to_vec(),
        };
    };
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}
