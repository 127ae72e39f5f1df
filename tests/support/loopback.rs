//! A tiny_http server on 127.0.0.1 that answers without Nagle's delay.
//!
//! tiny_http writes a response's head and body separately; on a kept-alive connection
//! Nagle's algorithm holds the body until the client acknowledges the head, and the
//! client's delayed acknowledgement makes that ~40 ms a request (measured: 42 ms against
//! 0.2 ms). Linux passes TCP_NODELAY from the listening socket to every accepted one.
//! Shared by the tests, the benchmarks and the news module's unit tests through `#[path]`.

/// A server on a free loopback port.
pub fn loopback_server() -> tiny_http::Server {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("a TCP socket");
    socket.set_tcp_nodelay(true).expect("TCP_NODELAY");
    let address: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    socket.bind(&address.into()).expect("a loopback port");
    socket.listen(128).expect("listening");
    tiny_http::Server::from_listener(std::net::TcpListener::from(socket), None)
        .expect("a tiny_http server")
}
