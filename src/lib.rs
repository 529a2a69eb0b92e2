//! recall: watch associative memory at work. The IDP Hopfield network of Betteti et al. (2025)
//! tracking a live, morphing, noisy stream, as a library, a headless runner and a dashboard.

pub mod model;
