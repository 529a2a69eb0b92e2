//! The producer thread: owns the stimulus stream and pushes its frames, in order and never
//! dropped, into a small bounded channel; applies the simulator's stream controls between frames.
//! Each frame goes with its projection (1/N) Ξᵀu over the stream's set, computed here so that
//! the simulator's thread does not (`session::ProjectedFrame`).

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError};

use crate::session::ProjectedFrame;
use crate::stimulus::Stream;

use super::StreamControl;

/// Runs until the simulator drops its end of either channel.
pub(super) fn run(
    mut stream: Stream,
    frames: Sender<ProjectedFrame>,
    controls: Receiver<StreamControl>,
) {
    let next_frame = |stream: &mut Stream| {
        let frame = stream.next_frame();
        ProjectedFrame::new(frame, stream.memories())
    };
    let mut next = next_frame(&mut stream);
    loop {
        // Controls first, so that a glitch or a skip is in the very next frame generated.
        loop {
            match controls.try_recv() {
                // The pending frame predates the control and is still sent: nothing the
                // stream generated is ever dropped, so the control acts one frame later.
                Ok(control) => apply(&mut stream, control),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
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
                next = next_frame(&mut stream);
            }
            i if i == control_op => match op.recv(&controls) {
                Ok(control) => apply(&mut stream, control),
                Err(_) => return,
            },
            _ => return,
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
