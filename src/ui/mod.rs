//! The live dashboard (ratatui): `App::update` is the one place decisions are made, the views
//! only read `&App` (and through it the newest pipeline snapshot), a key map table turns keys
//! into intents, and one theme holds every style.

pub mod app;
pub mod caption;
pub mod cast;
mod charts;
pub mod density;
#[doc(hidden)]
pub mod fixture;
pub mod image;
pub mod keys;
pub mod landscape;
pub mod layout;
pub mod memories;
pub mod paint;
mod panels;
mod readout;
mod run;
pub mod screenshot;
pub mod status;
pub mod svg;
pub mod terminal;
pub mod theme;
pub mod theory;

pub use app::{App, Audience, Msg};
pub use keys::Intent;
pub(crate) use run::{Commands, InputThread, carry_out};
pub use run::{DashboardConfig, Outcome, run, startup_memories};
pub use theme::Theme;
