//! An HTTP server on 127.0.0.1 that answers every request on a thread of its own, over a
//! connection closed after the answer, so that no request ever waits behind another.
//!
//! tiny_http hands each connection to a pool that starts with four threads and grows only
//! when none is idle; connections queued while those four wake up wait behind them, and a
//! kept-alive connection holds its thread until the client lets it go. A client fetching
//! many feeds at once then saw its fifth and later requests go unanswered past their 15 s
//! timeout (the ingest daemon's test and the store benchmark both did). Shared by the tests
//! and the benchmarks that fetch many feeds at once, through `#[path]`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// Serves `answer(path)` as each request's body; returns the port.
pub fn serve_each(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || {
                // The request's head, byte by byte up to its blank line: requests here are GETs.
                let mut head = Vec::new();
                let mut byte = [0];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let path = head.split_whitespace().nth(1).unwrap_or("/");
                let body = answer(path);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}
