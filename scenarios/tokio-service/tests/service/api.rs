//! The service's behaviour, in plain tokio tests.

use std::io::ErrorKind;

use tokio::task::JoinSet;
use tokio::time::{Duration, Instant, sleep, timeout};
use tokio_service::{Client, Config, Server, ServerHandle};

async fn start(config: Config) -> ServerHandle {
    Server::bind("127.0.0.1:0", config)
        .await
        .expect("bind a free port")
        .spawn()
}

async fn start_default() -> ServerHandle {
    start(Config::default()).await
}

#[tokio::test]
async fn ping_pong() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    c.ping().await.unwrap();
    c.quit().await.unwrap();
    let summary = server.shutdown().await;
    assert_eq!(summary.connections, 1);
    assert_eq!(summary.commands, 2);
}

#[tokio::test]
async fn set_get_delete() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    assert_eq!(c.get("k").await.unwrap(), None);
    c.set("k", "v1").await.unwrap();
    assert_eq!(c.get("k").await.unwrap().as_deref(), Some("v1"));
    c.set("k", "v2").await.unwrap();
    assert_eq!(c.get("k").await.unwrap().as_deref(), Some("v2"));
    assert!(c.del("k").await.unwrap());
    assert!(!c.del("k").await.unwrap());
    assert_eq!(c.get("k").await.unwrap(), None);
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_command_is_an_error_not_a_disconnect() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    let reply = c.call("FLY to the moon").await.unwrap();
    assert!(reply.starts_with("ERR unknown command"), "{reply}");
    c.ping().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn concurrent_increments_add_up() {
    let server = start_default().await;
    let addr = server.addr();
    let mut clients = JoinSet::new();
    for _ in 0..4 {
        clients.spawn(async move {
            let mut c = Client::connect(addr).await.unwrap();
            for _ in 0..5 {
                c.incr("hits").await.unwrap();
            }
            c.quit().await.unwrap();
        });
    }
    while let Some(r) = clients.join_next().await {
        r.unwrap();
    }
    let mut c = Client::connect(addr).await.unwrap();
    assert_eq!(c.get("hits").await.unwrap().as_deref(), Some("20"));
    server.shutdown().await;
}

#[tokio::test]
async fn expiring_keys_are_purged() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    c.set_expiring("session", Duration::from_millis(100), "alive")
        .await
        .unwrap();
    c.set("forever", "yes").await.unwrap();
    assert_eq!(c.get("session").await.unwrap().as_deref(), Some("alive"));
    sleep(Duration::from_millis(400)).await;
    assert_eq!(c.get("session").await.unwrap(), None);
    assert_eq!(c.get("forever").await.unwrap().as_deref(), Some("yes"));
    server.shutdown().await;
}

#[tokio::test]
async fn wait_returns_once_another_client_writes() {
    let server = start_default().await;
    let addr = server.addr();
    let waiter = tokio::spawn(async move {
        let mut c = Client::connect(addr).await.unwrap();
        c.set_deadline(Duration::from_secs(5));
        c.wait("ready", Duration::from_secs(3)).await.unwrap()
    });
    sleep(Duration::from_millis(50)).await;
    let mut writer = Client::connect(addr).await.unwrap();
    writer.set("ready", "go").await.unwrap();
    assert_eq!(waiter.await.unwrap().as_deref(), Some("go"));
    server.shutdown().await;
}

#[tokio::test]
async fn wait_times_out_when_nobody_writes() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    let started = Instant::now();
    assert_eq!(
        c.wait("never", Duration::from_millis(100)).await.unwrap(),
        None
    );
    assert!(started.elapsed() >= Duration::from_millis(100));
    c.ping().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn published_messages_reach_every_subscriber_of_the_topic() {
    let server = start_default().await;
    let addr = server.addr();
    let mut subs = Vec::new();
    for _ in 0..2 {
        let mut s = Client::connect(addr).await.unwrap();
        s.subscribe("news").await.unwrap();
        subs.push(s);
    }
    let mut other = Client::connect(addr).await.unwrap();
    other.subscribe("sports").await.unwrap();
    let mut publisher = Client::connect(addr).await.unwrap();
    let reached = publisher.publish("news", "hello world").await.unwrap();
    assert!(
        reached >= 3,
        "every subscribed connection gets the broadcast: {reached}"
    );
    for s in &mut subs {
        let msg = s.next_message().await.unwrap();
        assert_eq!(msg, Some(("news".into(), "hello world".into())));
    }
    other.set_deadline(Duration::from_millis(100));
    let err = other.next_message().await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::TimedOut,
        "no message on another topic"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn read_only_mode_reaches_every_connection() {
    let server = start_default().await;
    let mut admin = Client::connect(server.addr()).await.unwrap();
    let mut user = Client::connect(server.addr()).await.unwrap();
    user.set("a", "1").await.unwrap();
    admin.read_only(true).await.unwrap();
    let err = user.set("a", "2").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(user.get("a").await.unwrap().as_deref(), Some("1"));
    admin.read_only(false).await.unwrap();
    user.set("a", "3").await.unwrap();
    assert_eq!(user.get("a").await.unwrap().as_deref(), Some("3"));
    server.shutdown().await;
}

#[tokio::test]
async fn connection_limit_queues_extra_clients() {
    let config = Config {
        max_connections: 2,
        ..Config::default()
    };
    let server = start(config).await;
    let mut a = Client::connect(server.addr()).await.unwrap();
    let mut b = Client::connect(server.addr()).await.unwrap();
    a.ping().await.unwrap();
    b.ping().await.unwrap();
    // The third connects (the listen queue takes it) but is not served while two are.
    let mut c = Client::connect(server.addr()).await.unwrap();
    c.set_deadline(Duration::from_millis(200));
    assert_eq!(c.ping().await.unwrap_err().kind(), ErrorKind::TimedOut);
    a.quit().await.unwrap();
    // Its PING was queued on the socket: the reply comes once a permit frees.
    c.set_deadline(Duration::from_secs(2));
    assert_eq!(c.read_line().await.unwrap().as_deref(), Some("PONG"));
    c.ping().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let config = Config {
        idle_timeout: Duration::from_millis(150),
        ..Config::default()
    };
    let server = start(config).await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    c.ping().await.unwrap();
    assert_eq!(c.read_line().await.unwrap().as_deref(), Some("BYE idle"));
    assert_eq!(c.read_line().await.unwrap(), None, "then end of stream");
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_says_goodbye_to_every_client() {
    let server = start_default().await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut c = Client::connect(server.addr()).await.unwrap();
        c.ping().await.unwrap();
        clients.push(c);
    }
    let summary = server.shutdown().await;
    assert_eq!(summary.connections, 3);
    assert_eq!(summary.aborted, 0);
    for mut c in clients {
        assert_eq!(
            c.read_line().await.unwrap().as_deref(),
            Some("BYE shutdown")
        );
        assert_eq!(c.read_line().await.unwrap(), None);
    }
}

#[tokio::test]
async fn stats_count_connections_and_commands() {
    let server = start_default().await;
    let mut a = Client::connect(server.addr()).await.unwrap();
    a.ping().await.unwrap();
    a.set("x", "1").await.unwrap();
    let mut b = Client::connect(server.addr()).await.unwrap();
    b.ping().await.unwrap();
    // STATS itself is the fourth command; both connections were accepted before it.
    assert_eq!(b.stats().await.unwrap(), (2, 4));
    server.shutdown().await;
}

#[tokio::test]
async fn a_slow_server_makes_requests_time_out_not_hang() {
    let server = start_default().await;
    let mut c = Client::connect(server.addr()).await.unwrap();
    c.set_deadline(Duration::from_millis(50));
    let r = timeout(Duration::from_secs(5), c.call("WAIT nothing 1000"))
        .await
        .expect("the client's own deadline fires first");
    assert_eq!(r.unwrap_err().kind(), ErrorKind::TimedOut);
    server.shutdown().await;
}

#[tokio::test]
async fn a_tokio_util_codec_speaks_the_protocol() {
    use futures::{SinkExt, StreamExt};
    use tokio_util::codec::{Framed, LinesCodec};

    let server = start_default().await;
    let stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut framed = Framed::new(stream, LinesCodec::new());
    framed.send("SET codec works").await.unwrap();
    assert_eq!(framed.next().await.unwrap().unwrap(), "OK");
    framed.send("GET codec").await.unwrap();
    assert_eq!(framed.next().await.unwrap().unwrap(), "VALUE works");
    server.shutdown().await;
}
