//! The theory worker: solves the equilibria of the running models (`model::equilibria`; what a
//! solve costs is measured in `TheoryInput::solve`'s doc and docs/speed.md: milliseconds on the
//! built-in set, up to about a second at N·P = 1,048,576) on a thread of its own, so that the
//! simulator's batches never wait for a solve. The newest request of each model wins. A solve of a set from 2^10 rows × memories
//! up (the built-in set's too) runs its memories on a pool of its own threads, one a core,
//! at the lowest priority (SCHED_IDLE on Linux): they take the cores the simulation,
//! the producer and the screen leave idle, and give them back the moment those need them.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};

use crate::model::{Equilibria, ModelKind, TheoryInput};

/// Solve the theory of `model` for `input`.
pub struct TheoryRequest {
    pub model: ModelKind,
    pub input: TheoryInput,
}

/// The equilibria of `model` for the input of a request.
pub struct TheoryResult {
    pub model: ModelKind,
    pub equilibria: Arc<Equilibria>,
    /// How long the solve took (wall clock, on the pool): what paces the next checks.
    pub took: std::time::Duration,
}

/// The niceness of the solver's pool where SCHED_IDLE is refused (0 is the default, 19 the
/// lowest priority).
const NICE: i32 = 10;

/// The pool a solve spreads its memories over: a thread a core, named `recall-theory-K`, each
/// at the lowest priority. `None` when no thread can be started (a solve then runs on the calling
/// thread, as rayon does without a pool).
fn pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|k| format!("recall-theory-{k}"))
        .start_handler(|_| lower_priority())
        .build()
        .ok()
}

/// Lowers the calling thread's priority (Linux: scheduling policy and nice value are a
/// thread's own): SCHED_IDLE, which yields to every ordinary thread at once (a wake-up of the
/// producer or the simulator does not wait for a theory thread's time slice to end), else
/// [`NICE`].
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid, sched_setscheduler and setpriority have no preconditions (the parameter
    // is a valid struct); a failure leaves the priority as it was, which is harmless.
    unsafe {
        let tid = libc::gettid();
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE);
        }
    }
}

/// Runs until either channel closes.
pub(super) fn run(requests: Receiver<TheoryRequest>, results: Sender<TheoryResult>) {
    let pool = pool();
    while let Ok(first) = requests.recv() {
        // Whatever came meanwhile replaces an older request of the same model.
        let mut newest = vec![first];
        for request in requests.try_iter() {
            match newest.iter_mut().find(|r| r.model == request.model) {
                Some(slot) => *slot = request,
                None => newest.push(request),
            }
        }
        for request in newest {
            let solve = || request.input.solve();
            let started = std::time::Instant::now();
            let equilibria = Arc::new(match &pool {
                Some(pool) => pool.install(solve),
                None => solve(),
            });
            let result = TheoryResult {
                model: request.model,
                equilibria,
                took: started.elapsed(),
            };
            if results.send(result).is_err() {
                return;
            }
        }
    }
}
