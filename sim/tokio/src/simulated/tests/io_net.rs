//! Networking, files, the standard streams, signals and processes.

use std::io::ErrorKind;
use std::net::SocketAddr;

use super::run;
use crate::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use crate::net::{TcpListener, TcpStream, UdpSocket};
use crate::time::{Duration, Instant, timeout};

#[test]
fn a_client_and_a_server_in_one_test_connect_as_under_tokio() {
    run(1, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.ip().to_string(), "127.0.0.1");
        assert!(addr.port() >= 49152, "an ephemeral port: {addr}");
        let server = crate::spawn(async move {
            let (stream, peer) = listener.accept().await.unwrap();
            assert_eq!(peer, stream.peer_addr().unwrap());
            let (rd, mut wr) = stream.into_split();
            let mut lines = BufReader::new(rd).lines();
            while let Some(line) = lines.next_line().await.unwrap() {
                wr.write_all(format!("{}\n", line.to_uppercase()).as_bytes())
                    .await
                    .unwrap();
            }
            peer
        });
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.set_nodelay(true).unwrap();
        assert_eq!(c.peer_addr().unwrap(), addr);
        c.write_all(b"hello\nworld\n").await.unwrap();
        c.shutdown().await.unwrap();
        let mut all = String::new();
        c.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "HELLO\nWORLD\n");
        assert_eq!(server.await.unwrap(), c.local_addr().unwrap());
    });
}

#[test]
fn refused_and_unknown_addresses_fail_like_sockets() {
    run(2, async {
        let e = TcpStream::connect("127.0.0.1:1").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
        let e = TcpStream::connect("10.9.9.9:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string().contains("sim::host::host(\"10.9.9.9\")"),
            "{e}"
        );
        let e = TcpListener::bind("not an address").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let _l = TcpListener::bind("127.0.0.1:7000").await.unwrap();
        let e = TcpListener::bind("0.0.0.0:7000").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn hosts_named_by_ip_or_by_name_are_reachable_by_address() {
    run(3, async {
        let db = sim::host::host("10.0.0.2");
        db.spawn(async {
            let l = TcpListener::bind("0.0.0.0:5432").await.unwrap();
            let (mut s, peer) = l.accept().await.unwrap();
            s.write_all(peer.to_string().as_bytes()).await.unwrap();
        });
        let named = sim::host::host("cache");
        named.spawn(async {
            let l = TcpListener::bind("0.0.0.0:6379").await.unwrap();
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"+PONG").await.unwrap();
        });
        crate::time::sleep(Duration::from_millis(1)).await;
        let mut c = TcpStream::connect("10.0.0.2:5432").await.unwrap();
        let mut seen = String::new();
        c.read_to_string(&mut seen).await.unwrap();
        let seen: SocketAddr = seen.parse().unwrap();
        assert_eq!(
            seen,
            SocketAddr::new(c.local_addr().unwrap().ip(), seen.port())
        );
        assert!(
            seen.ip().to_string().starts_with("100."),
            "main seen from elsewhere: {seen}"
        );
        let cache: Vec<SocketAddr> = crate::net::lookup_host("cache:6379")
            .await
            .unwrap()
            .collect();
        let mut c = TcpStream::connect(cache[0]).await.unwrap();
        let mut pong = [0; 5];
        c.read_exact(&mut pong).await.unwrap();
        assert_eq!(&pong, b"+PONG");
    });
}

#[test]
fn udp_datagrams_between_two_sockets() {
    run(4, async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        a.send(b"ping").await.unwrap();
        let mut buf = [0; 16];
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr().unwrap()));
        b.send_to(b"pong", from).await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"pong");
        let lone = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_eq!(
            lone.send(b"x").await.unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}

#[test]
fn files_and_directories_on_the_simulated_disk() {
    run(5, async {
        crate::fs::create_dir_all("app/logs").await.unwrap();
        crate::fs::write("app/config", b"x=1").await.unwrap();
        crate::fs::write("app/logs/1", b"a").await.unwrap();
        let mut names = Vec::new();
        let mut dir = crate::fs::read_dir("app").await.unwrap();
        while let Some(e) = dir.next_entry().await.unwrap() {
            names.push((
                e.file_name().into_string().unwrap(),
                e.file_type().await.unwrap().is_dir(),
            ));
        }
        assert_eq!(names, [("config".into(), false), ("logs".into(), true)]);
        assert_eq!(
            crate::fs::read_to_string("app/config").await.unwrap(),
            "x=1"
        );
        assert!(crate::fs::metadata("app/logs").await.unwrap().is_dir());
        assert_eq!(crate::fs::copy("app/config", "app/copy").await.unwrap(), 3);
        crate::fs::rename("app/copy", "app/moved").await.unwrap();
        assert!(!crate::fs::try_exists("app/copy").await.unwrap());
        let mut f = crate::fs::OpenOptions::new()
            .append(true)
            .open("app/moved")
            .await
            .unwrap();
        f.write_all(b";y=2").await.unwrap();
        f.sync_all().await.unwrap();
        assert_eq!(crate::fs::read("app/moved").await.unwrap(), b"x=1;y=2");
        assert_eq!(
            crate::fs::remove_dir("app").await.unwrap_err().kind(),
            ErrorKind::DirectoryNotEmpty
        );
        crate::fs::remove_dir_all("app").await.unwrap();
        assert!(crate::fs::metadata("app/config").await.is_err());
    });
}

#[test]
fn what_is_not_simulated_fails_at_the_call_and_says_so() {
    run(6, async {
        let e = crate::process::Command::new("ls")
            .arg("-l")
            .spawn()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(
            e.to_string()
                .contains("tokio::process::Command::spawn is not simulated")
        );
        let mut buf = [0; 1];
        let e = crate::io::stdin().read(&mut buf).await.unwrap_err();
        assert!(
            e.to_string().contains("tokio::io::stdin is not simulated"),
            "{e}"
        );
        let t = Instant::now();
        assert!(
            timeout(Duration::from_secs(3600), crate::signal::ctrl_c())
                .await
                .is_err()
        );
        assert_eq!(t.elapsed(), Duration::from_secs(3600));
        let e =
            TcpListener::from_std(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap_err();
        assert!(
            e.to_string()
                .contains("TcpListener::from_std is not simulated"),
            "{e}"
        );
    });
}

#[test]
fn real_tokio_io_helpers_work_on_simulated_streams() {
    run(7, async {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        crate::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let (mut r, mut w) = s.split();
            crate::io::copy(&mut r, &mut w).await.unwrap();
        });
        let c = TcpStream::connect(addr).await.unwrap();
        let (r, w) = crate::io::split(c);
        let mut w = crate::io::BufWriter::new(w);
        w.write_u32(7).await.unwrap();
        w.flush().await.unwrap();
        let mut r = BufReader::new(r);
        assert_eq!(r.read_u32().await.unwrap(), 7);
        let (mut d1, mut d2) = crate::io::duplex(64);
        d1.write_all(b"dup").await.unwrap();
        let mut got = [0; 3];
        d2.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"dup");
    });
}

/// tokio's readiness API on a stream and its halves: `readable`/`writable`/`ready`, the
/// non-blocking `try_read`/`try_write`, and `peek`, which leaves the bytes to read.
#[test]
fn readiness_try_read_try_write_and_peek() {
    use crate::io::{Interest, Ready};
    for seed in 0..16 {
        run(seed, async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = crate::spawn(async move {
                let c = TcpStream::connect(addr).await.unwrap();
                c.writable().await.unwrap();
                assert_eq!(c.try_write(b"ping").unwrap(), 4);
                // Nothing to read yet: a non-blocking read says so.
                let mut buf = [0; 8];
                let e = c.try_read(&mut buf).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::WouldBlock);
                let ready = c.ready(Interest::READABLE).await.unwrap();
                assert!(ready.is_readable());
                let n = c.try_read(&mut buf).unwrap();
                assert_eq!(&buf[..n], b"pong");
                c
            });
            let (mut s, _) = listener.accept().await.unwrap();
            s.readable().await.unwrap();
            let mut buf = [0; 8];
            // peek twice: the bytes stay.
            let n = s.peek(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"ping");
            let n = s.peek(&mut buf[..2]).await.unwrap();
            assert_eq!(&buf[..n], b"pi");
            let mut got = [0; 4];
            s.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"ping");
            let (rd, wr) = s.into_split();
            assert!(wr.writable().await.is_ok());
            assert_eq!(wr.try_write(b"pong").unwrap(), 4);
            let c = client.await.unwrap();
            // End of stream: readable, and a read of 0.
            drop(c);
            rd.readable().await.unwrap();
            assert_eq!(rd.try_read(&mut buf).unwrap(), 0);
            let both = Interest::READABLE | Interest::WRITABLE;
            let ready = rd.ready(both).await.unwrap();
            assert!(ready.is_readable());
            assert_ne!(ready, Ready::EMPTY);
        });
    }
}

/// tokio's `TcpSocket`: options set before `listen` or `connect`, a listener from `listen`, a
/// stream from `connect`; a port in use is refused at `listen`.
#[test]
fn a_tcp_socket_listens_and_connects() {
    use crate::net::TcpSocket;
    run(5, async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        assert!(socket.reuseaddr().unwrap());
        socket.set_nodelay(true).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1024).unwrap();
        let addr = listener.local_addr().unwrap();
        assert!(addr.port() >= 49152, "{addr}");
        let server = crate::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0; 2];
            s.read_exact(&mut buf).await.unwrap();
            buf
        });
        let client = TcpSocket::new_v4().unwrap();
        client.set_send_buffer_size(1 << 16).unwrap();
        assert_eq!(client.send_buffer_size().unwrap(), 1 << 16);
        let mut c = client.connect(addr).await.unwrap();
        assert!(c.nodelay().is_ok());
        c.write_all(b"ok").await.unwrap();
        assert_eq!(&server.await.unwrap(), b"ok");

        let _l = TcpListener::bind("127.0.0.1:7100").await.unwrap();
        let again = TcpSocket::new_v4().unwrap();
        again.bind("127.0.0.1:7100".parse().unwrap()).unwrap();
        assert_eq!(again.listen(8).unwrap_err().kind(), ErrorKind::AddrInUse);
        let v6 = TcpSocket::new_v6().unwrap();
        assert!(
            v6.bind("127.0.0.1:0".parse().unwrap()).is_err(),
            "a v4 address on a v6 socket"
        );
    });
}
