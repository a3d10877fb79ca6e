//! One raw HTTP/1.1 exchange with the review page on loopback: the tests speak to the
//! server byte for byte, so that a foreign `Host`, a missing cookie or an `Origin` header
//! reach it exactly as written.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends `head` (the request line and headers, without the blank line) and `body` to
/// 127.0.0.1:`port`, reads to the end: the status, the answer's header block and its body.
pub fn exchange(port: u16, head: &str, body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut text = format!("{head}\r\nConnection: close\r\n");
    if !body.is_empty() {
        text.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    text.push_str("\r\n");
    s.write_all(text.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, head.to_string(), body.to_string())
}
