//! A tiny HTTP/1.1 subset over simulated streams: enough for a `fetch(url)` against a
//! simulated server.
//!
//! One request per connection (`Connection: close`), bodies sized by `Content-Length`, no
//! chunking, no TLS: an `https://` URL is plain HTTP on port 443. The bytes on the wire are real
//! HTTP/1.1, so latency, partitions and crashes affect them like any stream.
//!
//! ```
//! use sim::net::{self, http};
//!
//! async fn fetch(url: &str) -> std::io::Result<String> {
//!     Ok(http::get(url).await?.text())
//! }
//!
//! let mut sim = sim::Sim::new(1);
//! let html = sim.run(async {
//!     net::host("example.com").spawn(http::serve("0.0.0.0:443", |req: http::Request| async move {
//!         http::Response::ok(format!("<h1>{}</h1>", req.path()))
//!     }));
//!     sim::time::sleep(std::time::Duration::from_millis(1)).await;
//!     fetch("https://example.com/index.html").await.unwrap()
//! }).unwrap();
//! assert_eq!(html, "<h1>/index.html</h1>");
//! ```

use std::fmt;
use std::future::Future;
use std::io;

use futures::{AsyncReadExt, AsyncWriteExt};

use super::{Addr, TcpListener, TcpStream, ToAddr};

/// A request as the server's handler sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    /// `GET`, `POST`, …
    ///
    /// ```
    /// # let r = sim::net::http::Request::new("GET", "/", b"");
    /// assert_eq!(r.method(), "GET");
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target, e.g. `/index.html?x=1`.
    ///
    /// ```
    /// # let r = sim::net::http::Request::new("GET", "/a", b"");
    /// assert_eq!(r.path(), "/a");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The value of header `name` (case-insensitive).
    ///
    /// ```
    /// # let r = sim::net::http::Request::new("GET", "/", b"");
    /// assert_eq!(r.header("x-missing"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body.
    ///
    /// ```
    /// # let r = sim::net::http::Request::new("POST", "/", b"data");
    /// assert_eq!(r.body(), b"data");
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// A request with no headers (the client adds `Host`, `Content-Length` and `Connection`).
    ///
    /// ```
    /// let r = sim::net::http::Request::new("PUT", "/k", b"v");
    /// assert_eq!((r.method(), r.path(), r.body()), ("PUT", "/k", &b"v"[..]));
    /// ```
    pub fn new(method: &str, path: &str, body: &[u8]) -> Request {
        Request {
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: body.to_vec(),
        }
    }
}

/// A response: status, headers and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// A response with `status` and `body`.
    ///
    /// ```
    /// let r = sim::net::http::Response::new(404, "not here");
    /// assert_eq!((r.status(), r.text()), (404, "not here".to_string()));
    /// ```
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// `200 OK` with `body`.
    ///
    /// ```
    /// assert_eq!(sim::net::http::Response::ok("hi").status(), 200);
    /// ```
    pub fn ok(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, body)
    }

    /// Adds a header.
    ///
    /// ```
    /// let r = sim::net::http::Response::ok("{}").with_header("Content-Type", "application/json");
    /// assert_eq!(r.header("content-type"), Some("application/json"));
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The status code.
    ///
    /// ```
    /// assert_eq!(sim::net::http::Response::new(500, "").status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of header `name` (case-insensitive).
    ///
    /// ```
    /// assert_eq!(sim::net::http::Response::ok("").header("x"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body.
    ///
    /// ```
    /// assert_eq!(sim::net::http::Response::ok("b").body(), b"b");
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    ///
    /// ```
    /// assert_eq!(sim::net::http::Response::ok("b").text(), "b");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn bad(what: impl fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed HTTP: {what}"),
    )
}

/// Reads one message: the start line, headers, and a `Content-Length` body (or, when `to_eof`,
/// everything until the peer closes).
async fn read_message(
    s: &mut TcpStream,
    to_eof: bool,
) -> io::Result<(String, Vec<(String, String)>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("connection closed before the end of the headers"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("non-UTF-8 headers"))?;
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    for line in lines {
        let (n, v) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("header line `{line}`")))?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    let mut body = buf[head_end + 4..].to_vec();
    match header(&headers, "content-length") {
        Some(len) => {
            let len: usize = len
                .parse()
                .map_err(|_| bad(format!("Content-Length `{len}`")))?;
            while body.len() < len {
                let n = s.read(&mut chunk).await?;
                if n == 0 {
                    return Err(bad("connection closed inside the body"));
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(len);
        }
        None if to_eof => {
            s.read_to_end(&mut body).await?;
        }
        None => {}
    }
    Ok((start, headers, body))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Serves HTTP on `addr` (of the calling task's host) forever, one task per connection, calling
/// `handler` for each request. Spawn it on the server's host.
///
/// ```
/// use sim::net::{self, http};
/// let mut sim = sim::Sim::new(1);
/// let (a, b) = sim.run(async {
///     let api = net::host("api");
///     api.spawn(http::serve("0.0.0.0:80", |req: http::Request| async move {
///         match req.method() {
///             "GET" => http::Response::ok("read"),
///             _ => http::Response::new(405, "method not allowed"),
///         }
///     }));
///     sim::time::sleep(std::time::Duration::from_millis(1)).await;
///     let a = http::get("http://api/").await.unwrap();
///     let b = http::send("http://api/", http::Request::new("DELETE", "", b"")).await.unwrap();
///     (a.text(), b.status())
/// }).unwrap();
/// assert_eq!((a.as_str(), b), ("read", 405));
/// ```
///
/// # Errors
/// When binding fails (`AddrInUse`, …) or the host crashes.
pub async fn serve<H, F>(addr: impl ToAddr, handler: H) -> io::Result<()>
where
    H: Fn(Request) -> F + Clone + 'static,
    F: Future<Output = Response> + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        let handler = handler.clone();
        crate::spawn(async move {
            let response = match read_message(&mut stream, false).await {
                Ok((start, headers, body)) => {
                    let mut parts = start.split(' ');
                    match (parts.next(), parts.next()) {
                        (Some(method), Some(path)) if !method.is_empty() => {
                            handler(Request {
                                method: method.to_string(),
                                path: path.to_string(),
                                headers,
                                body,
                            })
                            .await
                        }
                        _ => Response::new(400, "bad request line"),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    Response::new(400, e.to_string())
                }
                Err(_) => return,
            };
            let mut out = format!(
                "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                response.status,
                reason(response.status),
                response.body.len()
            );
            for (n, v) in &response.headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&response.body);
            if stream.write_all(&bytes).await.is_ok() {
                let _ = stream.close().await;
            }
        });
    }
}

/// Splits `http://host[:port]/path` (or `https://`, plain on port 443) into an address and a
/// path.
fn parse_url(url: &str) -> io::Result<(Addr, String)> {
    let invalid = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid URL `{url}`: write http://host[:port]/path"),
        )
    };
    let (rest, default_port) = if let Some(r) = url.strip_prefix("http://") {
        (r, 80)
    } else if let Some(r) = url.strip_prefix("https://") {
        (r, 443)
    } else {
        return Err(invalid());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = match authority.rsplit_once(':') {
        Some(_) => authority.to_addr().map_err(|_| invalid())?,
        None if !authority.is_empty() => Addr::new(authority, default_port),
        None => return Err(invalid()),
    };
    Ok((addr, path.to_string()))
}

/// Sends `request` to the server of `url` (whose path replaces the request's) and returns its
/// response.
///
/// ```
/// use sim::net::{self, http};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(async {
///     net::host("kv").spawn(http::serve("0.0.0.0:80", |req: http::Request| async move {
///         http::Response::new(201, req.body().to_vec())
///     }));
///     sim::time::sleep(std::time::Duration::from_millis(1)).await;
///     http::send("http://kv/key", http::Request::new("PUT", "", b"value")).await.unwrap()
/// }).unwrap();
/// assert_eq!((r.status(), r.text()), (201, "value".to_string()));
/// ```
///
/// # Errors
/// The connection's errors (`ConnectionRefused`, `TimedOut`, `ConnectionReset`, …),
/// `InvalidInput` for a bad URL, `InvalidData` for a malformed response.
pub async fn send(url: &str, request: Request) -> io::Result<Response> {
    let (addr, path) = parse_url(url)?;
    let mut s = TcpStream::connect(&addr).await?;
    let mut out = format!(
        "{} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        request.method,
        addr.host(),
        request.body.len()
    );
    for (n, v) in &request.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request.body);
    s.write_all(&bytes).await?;
    let (start, headers, body) = read_message(&mut s, true).await?;
    let status = start
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad(format!("status line `{start}`")))?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// `GET url`: the guide's `fetch`.
///
/// ```
/// use sim::net::{self, http};
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     net::host("example.com");
///     let e = http::get("http://example.com/").await.unwrap_err();
///     assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
/// }).unwrap();
/// ```
///
/// # Errors
/// As [`send`].
pub async fn get(url: &str) -> io::Result<Response> {
    send(url, Request::new("GET", "", b"")).await
}
