//! The producer thread: owns the stimulus stream and pushes its frames, in order and never
//! dropped, into a small bounded channel; applies the simulator's stream controls between frames.
//! Each frame goes with its projection (1/N) Ξᵀu over the stream's set, computed here so that
//! the simulator's thread does not (`session::ProjectedFrame`). Frames go in batches whose size
//! the simulator sets from its speed (`frames_ahead`): one frame at the speeds people watch, so
//! that a control acts within a few frames; more at full speed, where waking the simulator for
//! every frame held it back, so that a control acts within tens of milliseconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError};

use crate::session::ProjectedFrame;
use crate::stimulus::Stream;

use super::StreamControl;

/// Runs until the simulator drops its end of either channel.
pub(super) fn run(
    mut stream: Stream,
    frames: Sender<Vec<ProjectedFrame>>,
    controls: Receiver<StreamControl>,
    batch: Arc<AtomicUsize>,
) {
    // A batch of the size asked for, the controls that came meanwhile applied between frames;
    // `None` when the simulator is gone.
    let next_batch = |stream: &mut Stream| -> Option<Vec<ProjectedFrame>> {
        let size = batch.load(Ordering::Relaxed).max(1);
        let mut frames = Vec::with_capacity(size);
        for k in 0..size {
            if k > 0 {
                apply_pending(stream, &controls)?;
            }
            let frame = stream.next_frame();
            frames.push(ProjectedFrame::new(frame, stream.memories()));
        }
        Some(frames)
    };
    let Some(mut next) = next_batch(&mut stream) else {
        return;
    };
    loop {
        // Controls first, so that a glitch or a skip is in the very next frame generated. The
        // pending batch predates them and is still sent: nothing the stream generated is ever
        // dropped, so a control acts a batch later.
        if apply_pending(&mut stream, &controls).is_none() {
            return;
        }
        let mut select = Select::new();
        let send_op = select.send(&frames);
        let control_op = select.recv(&controls);
        let op = select.select();
        match op.index() {
            i if i == send_op => {
                if op.send(&frames, next).is_err() {
                    return;
                }
                let Some(batch) = next_batch(&mut stream) else {
                    return;
                };
                next = batch;
            }
            i if i == control_op => match op.recv(&controls) {
                Ok(control) => apply(&mut stream, control),
                Err(_) => return,
            },
            _ => return,
        }
    }
}

/// Applies every control waiting; `None` when the simulator is gone.
fn apply_pending(stream: &mut Stream, controls: &Receiver<StreamControl>) -> Option<()> {
    loop {
        match controls.try_recv() {
            Ok(control) => apply(stream, control),
            Err(TryRecvError::Empty) => return Some(()),
            Err(TryRecvError::Disconnected) => return None,
        }
    }
}

fn apply(stream: &mut Stream, control: StreamControl) {
    match control {
        StreamControl::SetMemories(memories) => stream.set_memories(memories),
        StreamControl::InjectGlitch => {
            let _ = stream.inject_glitch();
        }
        StreamControl::SkipToNext => stream.skip_to_next(),
        StreamControl::SetScenario(name) => stream.set_scenario(name),
    }
}
