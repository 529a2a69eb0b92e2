//! Independent jobs (trials, networks) on every available core, their results handed over in
//! the jobs' order as soon as those before them are done (so CSV rows stream in trial order and
//! shards concatenate byte for byte), and a stop flag (Ctrl-C) after which the finished jobs are
//! kept and the unfinished ones given up.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::progress::Progress;

/// The results of a set of jobs, in the jobs' order: `None` for those that did not finish
/// because the run was stopped.
pub struct Done<R> {
    pub results: Vec<Option<R>>,
}

impl<R> Done<R> {
    /// How many jobs finished.
    pub fn finished(&self) -> usize {
        self.results.iter().filter(|r| r.is_some()).count()
    }

    /// The finished results, in the jobs' order.
    pub fn into_finished(self) -> impl Iterator<Item = R> {
        self.results.into_iter().flatten()
    }
}

/// Runs `f` over `items` on every available core, taking them in the order `order` gives (all
/// items, each once; `None`: in order). Each finished result is handed to `emit` on the calling
/// thread in the items' order, as soon as every item before it is done. Once `stop` is set no
/// item is started, and `f` returns `Ok(None)` for an item it gave up; the finished results
/// after the first gap are then handed to `emit` too, in order. Each finished item ticks
/// `progress`. An error of `f` or `emit` stops the workers and is returned.
pub fn run_jobs<T: Sync, R: Send>(
    items: &[T],
    order: Option<&[usize]>,
    progress: &Progress,
    stop: &AtomicBool,
    f: impl Fn(&T) -> anyhow::Result<Option<R>> + Sync,
    mut emit: impl FnMut(&R) -> anyhow::Result<()>,
) -> anyhow::Result<Done<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let halt = AtomicBool::new(false);
    let pick = |k: usize| order.map_or(Some(k), |o| o.get(k).copied());
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut failure: Option<anyhow::Error> = None;
    let (tx, rx) = crossbeam_channel::unbounded::<(usize, anyhow::Result<Option<R>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, halt, f, pick) = (&next, &halt, &f, &pick);
            scope.spawn(move || {
                while !halt.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(i) = pick(k) else { break };
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    if matches!(result, Ok(Some(_))) {
                        progress.tick();
                    }
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut shown = 0;
        for (i, result) in &rx {
            match result {
                Ok(Some(r)) => results[i] = Some(r),
                Ok(None) => {}
                Err(e) => {
                    halt.store(true, Ordering::Relaxed);
                    failure.get_or_insert(e);
                }
            }
            while failure.is_none()
                && let Some(Some(r)) = results.get(shown)
            {
                if let Err(e) = emit(r) {
                    halt.store(true, Ordering::Relaxed);
                    failure = Some(e);
                }
                shown += 1;
            }
        }
        // Stopped: what finished after the first gap, still in order.
        if failure.is_none() {
            for r in results.iter().skip(shown).flatten() {
                if let Err(e) = emit(r) {
                    failure = Some(e);
                    break;
                }
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(Done { results }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> Progress {
        Progress::with_output("", "", 0, false)
    }

    #[test]
    fn results_are_handed_over_in_order_whatever_order_they_run_in() {
        let items: Vec<usize> = (0..40).collect();
        let order: Vec<usize> = (0..40).rev().collect();
        let never = AtomicBool::new(false);
        let mut seen = Vec::new();
        let done = run_jobs(
            &items,
            Some(&order),
            &quiet(),
            &never,
            |&i| Ok(Some(i * 10)),
            |&r| {
                seen.push(r);
                Ok(())
            },
        )
        .unwrap();
        let want: Vec<usize> = (0..40).map(|i| i * 10).collect();
        assert_eq!(seen, want);
        assert_eq!(done.finished(), 40);
        assert_eq!(done.into_finished().collect::<Vec<_>>(), want);
    }

    #[test]
    fn a_stop_keeps_what_finished_and_hands_it_over_in_order() {
        let items: Vec<usize> = (0..100).collect();
        let stop = AtomicBool::new(false);
        let mut seen = Vec::new();
        let done = run_jobs(
            &items,
            None,
            &quiet(),
            &stop,
            |&i| {
                if i == 7 {
                    stop.store(true, Ordering::Relaxed);
                }
                // Item 3 was given up half way.
                Ok((i != 3).then_some(i))
            },
            |&r| {
                seen.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert!(done.finished() < 100);
        assert!(!seen.contains(&3));
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(seen, done.into_finished().collect::<Vec<_>>());
    }

    #[test]
    fn an_error_is_returned() {
        let items: Vec<usize> = (0..10).collect();
        let never = AtomicBool::new(false);
        let out = run_jobs(
            &items,
            None,
            &quiet(),
            &never,
            |&i| {
                if i == 4 {
                    anyhow::bail!("job 4 failed");
                }
                Ok(Some(i))
            },
            |_| Ok(()),
        );
        assert_eq!(
            out.err().map(|e| e.to_string()),
            Some("job 4 failed".into())
        );
    }
}
