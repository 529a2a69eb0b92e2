//! The live pipeline: producer, simulator and pattern-watcher threads and the messages between
//! them, over bounded crossbeam channels.
