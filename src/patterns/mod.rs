//! Pattern I/O: the file formats (text, PBM, PNG), validation with precise errors, directory
//! loading with a per-file report, the built-in set, `recall check`, and the live watcher.
//!
//! Entry points: [`builtin`] (the embedded default set), [`load_dir`] (one set or an error),
//! [`load_report`] (every file's outcome plus the set), [`check_cli`] and [`watch::Watcher`].

mod backend;
mod bitmap;
mod builtin;
mod check;
mod error;
mod file;
mod pbm;
mod png;
mod probe;
mod reload;
mod set;
mod store;
mod text;
mod warn;
pub mod watch;

pub use bitmap::{Bitmap, GrayImage};
pub use builtin::{BUILTIN, builtin};
pub use check::{builtin_report, check_cli, check_dir, check_report};
pub use error::{
    ErrorKind, FileError, MAX_FILE_BYTES, MAX_PATTERNS, MAX_SET_PIXELS, MAX_SIDE, ParseError,
    display_name, escape_cut, escape_str,
};
pub use file::{Format, Image, Pattern, parse_pattern, pattern_name, read_pattern};
pub use pbm::parse_pbm;
pub use png::{MAX_PNG_SIDE, parse_png};
pub use probe::FileKind;
pub use reload::{Change, diff};
pub use set::{
    DEFAULT_GRID, FileReport, LoadReport, Loaded, assemble, load_dir, load_lenient, load_report,
    pattern_files,
};
pub use store::{
    MAX_NAME, StoreError, check_name, free_name, name_char, refused_char, with_memory,
    write_pattern,
};
pub use text::{parse_text, to_text};
pub use warn::{CAPACITY_PER_NEURON, CONFUSION_OVERLAP, SetWarning, new_warnings, set_warnings};
