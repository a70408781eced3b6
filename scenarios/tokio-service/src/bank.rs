//! The planted race of seedloop's tokio chapter: a deposit that reads the balance under one
//! `lock().await` and writes it under another. On tokio's runtime an uncontended `lock().await`
//! never yields, so two concurrent deposits never interleave between the read and the write and
//! the bug never shows; under seedloop every `lock().await` is a preemption point, and a sweep
//! finds the lost update.

use std::sync::Arc;

use tokio::sync::Mutex;

/// An account whose deposits are racy.
#[derive(Clone, Debug, Default)]
pub struct Account {
    balance: Arc<Mutex<u64>>,
}

impl Account {
    /// An empty account.
    pub fn new() -> Account {
        Account::default()
    }

    /// The balance.
    pub async fn balance(&self) -> u64 {
        *self.balance.lock().await
    }

    /// Adds `amount`, wrongly: the balance read under one lock is written back under another,
    /// so a deposit that runs in between is lost.
    pub async fn deposit(&self, amount: u64) {
        let read = *self.balance.lock().await;
        *self.balance.lock().await = read + amount;
    }
}

/// Two concurrent deposits of 1 into an empty account; returns the final balance (2, unless
/// an update was lost).
pub async fn two_deposits() -> u64 {
    let account = Account::new();
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let a = account.clone();
            tokio::spawn(async move { a.deposit(1).await })
        })
        .collect();
    for t in tasks {
        t.await.expect("a deposit task panicked");
    }
    account.balance().await
}
