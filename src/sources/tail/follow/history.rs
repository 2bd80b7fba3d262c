//! Reading the history of every followed file at once, on as many threads as the machine has,
//! so a restart is back on screen as fast as `report` reads the same files.

use std::sync::Mutex;

use super::Follower;
use crate::sources::ingest::{Closed, Tally};
use crate::sources::tail::file::Followed;

impl Follower {
    /// Reads every opened file to its current end, largest first, in parallel; each thread
    /// sends its own batches and counts into its own tallies, merged afterwards.
    pub(super) fn read_history(&mut self) -> Result<(), Closed> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 8);
        let mut work: Vec<&mut Followed> = self
            .files
            .values_mut()
            .filter(|f| f.handle.is_some())
            .collect();
        // Popped from the end: the largest files start first, so the threads end together.
        work.sort_by_key(|f| {
            f.handle
                .as_ref()
                .and_then(|h| h.metadata().ok())
                .map_or(0, |m| m.len().saturating_sub(f.position()))
        });
        let queue = Mutex::new(work);
        let sources = self.sources.len();
        let batch = &self.batch;
        let results: Vec<Result<Vec<Tally>, Closed>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut batch = batch.sibling();
                        let mut tallies = vec![Tally::default(); sources];
                        while let Some(f) = queue.lock().ok().and_then(|mut q| q.pop()) {
                            f.read_new(&mut tallies[f.source], &mut batch)?;
                        }
                        batch.flush()?;
                        Ok(tallies)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for tallies in results {
            for (tracked, tally) in self.sources.iter_mut().zip(tallies?) {
                tracked.tally.merge(tally);
            }
        }
        Ok(())
    }
}
