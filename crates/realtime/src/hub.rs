//! In-process fan-out: one broadcast channel per account. A subscriber that falls behind is told
//! to resync rather than silently missing messages.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::broadcast;
use yingke_app::{Live, Publisher};
use yingke_core::AccountId;

const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct Hub {
    accounts: Mutex<HashMap<AccountId, broadcast::Sender<Arc<Live>>>>,
}

impl Hub {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Live items of one account, from now on.
    pub fn subscribe(&self, account: AccountId) -> broadcast::Receiver<Arc<Live>> {
        let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(account)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }
}

impl Publisher for Hub {
    fn publish(&self, account: AccountId, live: Live) {
        let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = map.get(&account)
            && tx.send(Arc::new(live)).is_err()
        {
            // Nobody listens any more: forget the channel.
            map.remove(&account);
        }
    }
}
