//! The theory worker: solves the equilibria of the running models (`model::equilibria`: about
//! 10 ms on the built-in set, seconds at N·P = 1,048,576; docs/speed.md) on a thread of its
//! own, so that the simulator's batches never wait for a solve. The newest request of each
//! model wins.

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
}

/// Runs until either channel closes.
pub(super) fn run(requests: Receiver<TheoryRequest>, results: Sender<TheoryResult>) {
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
            let equilibria = Arc::new(request.input.solve());
            let result = TheoryResult {
                model: request.model,
                equilibria,
            };
            if results.send(result).is_err() {
                return;
            }
        }
    }
}
