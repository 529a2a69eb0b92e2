//! recall: watch associative memory at work. The IDP Hopfield network of Betteti et al. (2025)
//! tracking a live, morphing, noisy stream, as a library, a headless runner and a dashboard.
//!
//! Dependencies point one way: `model` ← `stimulus`, `patterns`, `tracking` ← `runner`,
//! `experiment`, `pipeline` ← `ui` ← `app`.

pub mod app;
pub mod cli;
pub mod experiment;
pub mod lesson;
pub mod model;
pub mod patterns;
pub mod pipeline;
pub mod plot;
pub mod runner;
pub mod serve;
pub mod session;
pub mod stimulus;
pub mod tracking;
pub mod ui;
