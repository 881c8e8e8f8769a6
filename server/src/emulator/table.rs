//! An emulator's task table (BFL tasks, fal requests, Replicate predictions,
//! 1min.ai assets): at most `CAPACITY` entries, each forgotten after `TTL`,
//! as the providers forget theirs. So no sequence of requests grows it without bound.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Entries kept per table; the oldest goes first when a new one comes.
pub const CAPACITY: usize = 256;
/// BFL's result URLs expire after 10 minutes; the emulators forget tasks then too.
pub const TTL: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub struct Table<T> {
    entries: HashMap<String, (Instant, T)>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self { entries: HashMap::new() }
    }
}

impl<T> Table<T> {
    pub fn insert(&mut self, id: String, value: T) {
        let now = Instant::now();
        self.entries.retain(|_, (at, _)| now.duration_since(*at) < TTL);
        while self.entries.len() >= CAPACITY {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone()) else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.entries.insert(id, (now, value));
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.entries.get(id).filter(|(at, _)| at.elapsed() < TTL).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.entries.get_mut(id).filter(|(at, _)| at.elapsed() < TTL).map(|(_, v)| v)
    }

    pub fn remove(&mut self, id: &str) -> Option<T> {
        self.entries.remove(id).map(|(_, v)| v)
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.values().filter(|(at, _)| at.elapsed() < TTL).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_holds_more_than_its_capacity_and_drops_the_oldest() {
        let mut table = Table::default();
        for i in 0..CAPACITY * 4 {
            table.insert(i.to_string(), vec![0u8; 16]);
        }
        assert_eq!(table.len(), CAPACITY);
        assert!(table.get("0").is_none());
        assert!(table.get(&(CAPACITY * 4 - 1).to_string()).is_some());
    }
}
