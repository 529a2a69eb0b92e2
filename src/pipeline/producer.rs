//! The producer thread: owns the stimulus stream and pushes its frames, in order, into a small
//! bounded channel; applies the simulator's stream controls between frames. Each frame goes with
//! its projection (1/N) Ξᵀu over the stream's set, computed here so that the simulator's thread
//! does not (`session::ProjectedFrame`). Frames go in batches whose size the simulator sets from
//! its speed (`frames_ahead`): one frame at the speeds people watch, more at full speed, where
//! waking the simulator for every frame held it back. A control that starts another stream (a
//! scenario, the next stimulus) starts a new generation: the frames made before it, here or in
//! the channel, are of a stream the user has left, and the simulator passes them over, so the
//! switch shows at once (a glitch or a new memory set acts on the frames as they come).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError};

use crate::session::ProjectedFrame;
use crate::stimulus::Stream;

use super::StreamControl;

/// Frames of one generation of the stream (see the module's documentation).
pub struct FrameBatch {
    /// How many controls that start another stream came before these frames.
    pub generation: u64,
    pub frames: Vec<ProjectedFrame>,
}

/// The stream and the generation of its next frame.
struct Source {
    stream: Stream,
    generation: u64,
}

impl Source {
    fn apply(&mut self, control: StreamControl) {
        // A new stream starts where the simulator shows its first frame: the frames made
        // before it are passed over, and the clock goes back to the model's.
        match control {
            StreamControl::SetMemories(memories) => self.stream.set_memories(memories),
            StreamControl::InjectGlitch => {
                let _ = self.stream.inject_glitch();
            }
            StreamControl::SkipToNext { at_secs } => {
                self.generation += 1;
                self.stream.resync(at_secs);
                self.stream.skip_to_next();
            }
            StreamControl::SetScenario { name, at_secs } => {
                self.generation += 1;
                self.stream.resync(at_secs);
                self.stream.set_scenario(name);
            }
            StreamControl::Resync { at_secs } => {
                self.generation += 1;
                self.stream.resync(at_secs);
            }
        }
    }

    /// Applies every control waiting; `None` when the simulator is gone.
    fn apply_pending(&mut self, controls: &Receiver<StreamControl>) -> Option<()> {
        loop {
            match controls.try_recv() {
                Ok(control) => self.apply(control),
                Err(TryRecvError::Empty) => return Some(()),
                Err(TryRecvError::Disconnected) => return None,
            }
        }
    }

    /// A batch of `size` frames, the controls that came meanwhile applied between frames (a
    /// new generation drops the frames before it); `None` when the simulator is gone.
    fn batch(&mut self, size: usize, controls: &Receiver<StreamControl>) -> Option<FrameBatch> {
        'fresh: loop {
            let mut frames = Vec::with_capacity(size);
            let generation = self.generation;
            for k in 0..size {
                if k > 0 {
                    self.apply_pending(controls)?;
                    if self.generation != generation {
                        continue 'fresh;
                    }
                }
                let frame = self.stream.next_frame();
                frames.push(ProjectedFrame::new(frame, self.stream.memories()));
            }
            return Some(FrameBatch { generation, frames });
        }
    }
}

/// Runs until the simulator drops its end of either channel.
pub(super) fn run(
    stream: Stream,
    frames: Sender<FrameBatch>,
    controls: Receiver<StreamControl>,
    batch: Arc<AtomicUsize>,
) {
    let size = || batch.load(Ordering::Relaxed).max(1);
    let mut source = Source {
        stream,
        generation: 0,
    };
    let Some(mut next) = source.batch(size(), &controls) else {
        return;
    };
    loop {
        // Controls first, so that a glitch or a skip is in the very next frame generated. A
        // pending batch of an older generation is made again; otherwise it predates the
        // controls and is still sent, so that a glitch or a new set acts a batch later.
        if source.apply_pending(&controls).is_none() {
            return;
        }
        if next.generation != source.generation {
            let Some(fresh) = source.batch(size(), &controls) else {
                return;
            };
            next = fresh;
            continue;
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
                let Some(batch) = source.batch(size(), &controls) else {
                    return;
                };
                next = batch;
            }
            i if i == control_op => match op.recv(&controls) {
                Ok(control) => source.apply(control),
                Err(_) => return,
            },
            _ => return,
        }
    }
}
