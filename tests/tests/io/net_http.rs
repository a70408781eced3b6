//! The guide's `fetch(url)` against a simulated HTTP server.

use std::io::ErrorKind;
use std::time::Duration;

use sim::Sim;
use sim::net::{self, NetConfig, http};

async fn fetch(url: &str) -> std::io::Result<String> {
    Ok(http::get(url).await?.text())
}

fn start_server() -> sim::JoinHandle<std::io::Result<()>> {
    net::host("example.com").spawn(http::serve(
        "0.0.0.0:443",
        |req: http::Request| async move {
            // A slow page: the server takes 100 ms per request.
            sim::time::sleep(Duration::from_millis(100)).await;
            match req.path() {
                "/" => http::Response::ok("<html>example</html>"),
                p => http::Response::new(404, format!("no {p}")),
            }
        },
    ))
}

#[test]
fn the_guides_fetch_runs_against_a_simulated_server() {
    for seed in 0..10 {
        let mut sim = Sim::new(seed);
        let (pages, took) = sim
            .run(async {
                net::configure(
                    NetConfig::default()
                        .latency(Duration::from_millis(10)..=Duration::from_millis(10)),
                );
                start_server();
                sim::time::sleep(Duration::from_millis(1)).await;
                let t0 = sim::time::now();
                let fetches: Vec<_> = (0..10)
                    .map(|_| sim::spawn(fetch("https://example.com/")))
                    .collect();
                let mut pages = Vec::new();
                for f in fetches {
                    pages.push(f.await.unwrap().unwrap());
                }
                (pages, sim::time::now() - t0)
            })
            .unwrap();
        assert!(
            pages.iter().all(|p| p == "<html>example</html>"),
            "seed {seed}"
        );
        // Concurrent: connect (20 ms) + request (10) + handler (100) + response (10), not 10x.
        assert_eq!(took, Duration::from_millis(140), "seed {seed}");
    }
}

#[test]
fn statuses_and_failures_reach_the_client() {
    let mut sim = Sim::new(3);
    sim.run(async {
        let server = start_server();
        sim::time::sleep(Duration::from_millis(1)).await;
        let r = http::get("https://example.com/missing").await.unwrap();
        assert_eq!((r.status(), r.text()), (404, "no /missing".to_string()));
        let e = http::get("ftp://example.com/").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        // The server's host crashes while handling the request: the client sees a reset.
        let pending = sim::spawn(fetch("https://example.com/"));
        sim::time::sleep(Duration::from_millis(50)).await;
        net::host("example.com").crash();
        assert!(server.await.unwrap_err().is_cancelled());
        let e = pending.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}
