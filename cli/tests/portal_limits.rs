//! `tessera portal` under a connection flood, as the real binary under a
//! low open-file limit (`ulimit -n 256`): idle and slow connections are
//! closed after the header-read timeout, connections beyond what the limit
//! allows wait instead of failing `accept()`, and the portal keeps
//! serving. (Before: the runtime had no timers, so axum's back-off sleep
//! after `EMFILE` panicked and the portal exited; no header timeout
//! applied, so idle sockets were held forever.)

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tessera portal` on a free port with at most 256 open files (soft and
/// hard, so it cannot raise them); its address.
fn start_portal(dir: &std::path::Path) -> (Reaped, SocketAddr) {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "ulimit -n 256 && exec \"$0\" portal --port 0 --quiet --db \"$1\"",
        ])
        .arg(env!("CARGO_BIN_EXE_tessera"))
        .arg(dir.join("portal.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Reaped(child);
    let mut addr = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Tessera portal: http://") {
            addr = Some(u.trim_end_matches('/').parse().unwrap());
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    (child, addr.expect("the portal printed its address"))
}

/// GET / with the portal's Host: the status line.
fn get_home(addr: SocketAddr) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = String::new();
    BufReader::new(s).read_line(&mut head)?;
    Ok(head.trim_end().to_owned())
}

#[test]
fn idle_and_slow_connections_do_not_take_the_portal_down() {
    let dir = scratch("portal-limits");
    let (mut portal, addr) = start_portal(&dir);
    assert_eq!(get_home(addr).unwrap(), "HTTP/1.1 200 OK");

    // A slow client: one header line a second, never the end of the headers.
    let slow = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        let start = Instant::now();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .unwrap();
        for i in 0..40 {
            std::thread::sleep(Duration::from_secs(1));
            if write!(s, "X-Slow-{i}: y\r\n").is_err() {
                return start.elapsed();
            }
        }
        start.elapsed()
    });

    // 400 idle connections: more than 256 open files allow.
    let mut idle = Vec::new();
    for _ in 0..400 {
        if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            idle.push(s);
        }
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        portal.0.try_wait().unwrap().is_none(),
        "the portal exited under {} idle connections",
        idle.len()
    );

    // The server closes an idle connection after its header timeout.
    // The header timeout is 10 s; the bounds below leave room for a loaded
    // machine and stay well under what no timeout gives (an idle socket
    // open for ever, a slow client served for all its 40 s).
    let first = &mut idle[0];
    first
        .set_read_timeout(Some(Duration::from_secs(35)))
        .unwrap();
    let start = Instant::now();
    let mut byte = [0u8; 1];
    let read = first.read(&mut byte);
    let closed = match &read {
        Ok(n) => *n == 0,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed, "{read:?} after {:?}", start.elapsed());
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    let slow = slow.join().unwrap();
    assert!(slow < Duration::from_secs(30), "slow headers held {slow:?}");

    // Once the flood is gone, the portal serves again.
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match get_home(addr) {
            Ok(status) if status == "HTTP/1.1 200 OK" => break,
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(portal.0.try_wait().unwrap().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}
