//! Code with `Send` bounds of its own, as real tokio code is full of: an `#[async_trait]` trait
//! whose methods hold a `tokio::sync::Mutex` guard across an await, `BoxFuture`s handed to
//! `tokio::spawn`, and a `Pin<Box<dyn Stream + Send>>` over a `broadcast::Receiver`.
//!
//! It compiles and runs unchanged under real tokio and under `--cfg seedloop`, where the
//! simulated types are `Send` and `Sync` exactly where tokio's are.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, Stream, StreamExt};
use tokio::sync::{Mutex, broadcast};

#[async_trait]
trait Store: Send + Sync {
    async fn add(&self, key: &str, n: u64) -> u64;
}

#[derive(Default)]
struct Counters {
    map: Mutex<BTreeMap<String, u64>>,
}

#[async_trait]
impl Store for Counters {
    async fn add(&self, key: &str, n: u64) -> u64 {
        let mut map = self.map.lock().await;
        tokio::task::yield_now().await; // the guard is held across an await: Send is needed
        let v = map.entry(key.to_string()).or_default();
        *v += n;
        *v
    }
}

fn add_boxed(store: Arc<dyn Store>, n: u64) -> BoxFuture<'static, u64> {
    async move { store.add("k", n).await }.boxed()
}

type Messages = Pin<Box<dyn Stream<Item = String> + Send>>;

fn messages(rx: broadcast::Receiver<String>) -> Messages {
    Box::pin(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.ok().map(|m| (m, rx))
    }))
}

#[tokio::test]
async fn send_bounded_code_compiles_and_runs() {
    let store: Arc<dyn Store> = Arc::new(Counters::default());
    let tasks: Vec<_> = (1..=3)
        .map(|n| tokio::spawn(add_boxed(store.clone(), n)))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.add("k", 0).await, 6);

    let (tx, rx) = broadcast::channel(8);
    let reader = tokio::spawn(async move { messages(rx).collect::<Vec<_>>().await });
    tx.send("a".to_string()).unwrap();
    tx.send("b".to_string()).unwrap();
    drop(tx);
    assert_eq!(reader.await.unwrap(), ["a", "b"]);
}
