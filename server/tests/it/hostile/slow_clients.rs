//! Slowloris and friends (OWASP: denial of service through held connections):
//! headers sent a byte at a time, a body that trickles just fast enough to reset
//! an idle timer, one client opening many connections, and whether everybody
//! else is still served meanwhile.

use crate::common;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection from `from` (any 127.0.0.0/8 address works on loopback): another client.
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection (or `limit` passes): what it sent, and when it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Option<Duration>) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), Some(started.elapsed())),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), None),
        }
    }
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_at_the_header_deadline() {
    let addr = common::spawn(&[("FLUXPLAY_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    // One header byte every 100 ms: never idle for long, never done.
    let request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut closed = false;
    for byte in request {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    if !closed {
        let (_, at) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
        assert!(at.is_some(), "the connection is still open after {:?}", started.elapsed());
    }
    assert!(started.elapsed() < Duration::from_secs(3), "held for {:?}", started.elapsed());
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_deadline() {
    let addr = common::spawn(&[("FLUXPLAY_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let (_, closed_at) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let closed_at = closed_at.expect("the server closes an idle connection");
    assert!(closed_at < Duration::from_secs(3), "{closed_at:?}");
}

#[tokio::test]
async fn a_body_that_trickles_steadily_still_meets_one_deadline_for_all_of_it() {
    let addr = common::spawn(&[("FLUXPLAY_BODY_TIMEOUT_SECS", "1")]).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    writer
        .write_all(b"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{")
        .await
        .unwrap();
    // A byte every 200 ms for 8 s: a per-chunk idle timer of 1 s would never fire.
    let trickle = tokio::spawn(async move {
        for _ in 0..40 {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(8), reader.read(&mut answer)).await.expect("an answer").unwrap();
    let took = started.elapsed();
    trickle.abort();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 4"), "a 4xx at the deadline, not a held request: {answer:?}");
    assert!(took < Duration::from_millis(2500), "answered after {took:?}, while the body was still trickling");
}

#[tokio::test]
async fn one_client_cannot_hold_more_than_its_connections_and_others_are_still_served() {
    let addr =
        common::spawn(&[("FLUXPLAY_MAX_CONNECTIONS_PER_CLIENT", "8"), ("FLUXPLAY_HEADER_TIMEOUT_SECS", "10")]).await;
    // The attacker: 8 half-open requests, then more.
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut s = connect_from("127.0.0.2", addr).await;
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut ninth = connect_from("127.0.0.2", addr).await;
    let (answer, closed) = read_until_closed(&mut ninth, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer:?}");
    assert!(closed.is_some(), "the refused connection is closed");
    // Everybody else is served while the attacker holds its connections.
    let started = Instant::now();
    let other = reqwest::Client::builder().local_address("127.0.0.3".parse::<std::net::IpAddr>().unwrap()).build();
    let resp = other.unwrap().get(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // Well inside the 10 s the held connections could block for, even on a busy CI machine.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    // Closing one gives its slot back.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from("127.0.0.2", addr).await;
    again.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let (answer, _) = read_until_closed(&mut again, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
}

#[tokio::test]
async fn past_the_total_cap_new_connections_wait_instead_of_being_served_at_once() {
    let addr = common::spawn(&[("FLUXPLAY_MAX_CONNECTIONS", "4"), ("FLUXPLAY_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut held = Vec::new();
    for i in 0..4 {
        let mut s = connect_from(&format!("127.0.1.{}", i + 1), addr).await;
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The fifth is accepted by the kernel but served only once the header deadline frees a slot.
    let started = Instant::now();
    let resp = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let waited = started.elapsed();
    assert!(waited > Duration::from_millis(500) && waited < Duration::from_secs(4), "{waited:?}");
}
