//! NumPy `.npy` files of `recall run`: a vector read for `--input` and `--init-state` (npyz),
//! and the states written as the run goes (`--save-states`) so that a killed run leaves a
//! readable file of the samples so far.
//!
//! The writer reserves a header of fixed length (128 bytes, shape padded with spaces) and
//! rewrites it after each sample's data are written: the header never counts rows that are not
//! in the file, so a run killed at any point leaves a valid array of every complete sample (a
//! partial last row, if any, lies past the array's end and is ignored by readers).

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use npyz::{DType, TypeChar};

use crate::model::Memories;
use crate::patterns::{display_name, escape_cut};
use crate::session::Session;

/// The most characters of a file's own text (its header, as the NPY reader quotes it) that a
/// message shows, escaped: a crafted header neither drives the terminal nor floods it.
pub const MAX_SHOWN_CHARS: usize = 160;

/// `text` from the file, safe and short enough for a one-line message.
fn quoted(text: impl std::fmt::Display) -> String {
    escape_cut(&text.to_string(), MAX_SHOWN_CHARS)
}

/// Reads a vector of `n` finite numbers (float32 or float64, any byte order) from `path`.
/// Errors are one line naming the file (escaped) and what was expected; what the file says
/// is escaped and cut to [`MAX_SHOWN_CHARS`].
pub fn read_vector(path: &Path, n: usize) -> Result<Vec<f32>, String> {
    let at = display_name(path);
    let file = File::open(path).map_err(|e| format!("{at}: cannot open: {e}"))?;
    let npy = npyz::NpyFile::new(BufReader::new(file)).map_err(|e| {
        format!(
            "{at}: not an NPY file ({}); expected a NumPy .npy array",
            quoted(e)
        )
    })?;
    let shape: Vec<u64> = npy.shape().to_vec();
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let shown = quoted(format!(
        "({}{})",
        dims.join(", "),
        if dims.len() == 1 { "," } else { "" }
    ));
    let len: u64 = shape.iter().product();
    let vector = shape.iter().filter(|&&d| d != 1).count() <= 1;
    if len != n as u64 || !vector {
        return Err(format!(
            "{at}: an array of shape {shown}; expected a vector of N = {n} values (shape ({n},))"
        ));
    }
    let dtype = npy.dtype();
    let size = match &dtype {
        DType::Plain(ts) if ts.type_char() == TypeChar::Float => ts.size_field(),
        _ => 0,
    };
    let values: Vec<f32> = match size {
        4 => npy.into_vec::<f32>(),
        8 => npy
            .into_vec::<f64>()
            .map(|v| v.into_iter().map(|x| x as f32).collect()),
        _ => {
            return Err(format!(
                "{at}: dtype {}; expected float32 or float64",
                quoted(dtype.descr())
            ));
        }
    }
    .map_err(|e| format!("{at}: cannot read the values ({})", quoted(e)))?;
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "{at}: value {k} is {}; expected finite numbers",
            values[k]
        ));
    }
    Ok(values)
}

/// The fixed length of the headers we write (a multiple of 64, as NPY 1.0 asks).
const HEADER_BYTES: usize = 128;

/// A float32 NPY array written row by row, its header rewritten after each row.
pub struct NpyWriter {
    file: File,
    path: PathBuf,
    /// The shape after the first (row) axis.
    tail: Vec<usize>,
    rows: u64,
}

impl NpyWriter {
    /// Creates `path` holding an empty array of rows of shape `tail`.
    pub fn create(path: &Path, tail: &[usize]) -> anyhow::Result<Self> {
        let file = File::create(path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", display_name(path)))?;
        let mut w = Self {
            file,
            path: path.to_path_buf(),
            tail: tail.to_vec(),
            rows: 0,
        };
        w.write_header()?;
        Ok(w)
    }

    fn header(&self) -> Vec<u8> {
        let mut dims = vec![self.rows.to_string()];
        dims.extend(self.tail.iter().map(ToString::to_string));
        let shape = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        let mut h = b"\x93NUMPY\x01\x00".to_vec();
        let len = (HEADER_BYTES - 10) as u16;
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(dict.as_bytes());
        h.resize(HEADER_BYTES - 1, b' ');
        h.push(b'\n');
        h
    }

    fn write_header(&mut self) -> anyhow::Result<()> {
        let header = self.header();
        let at = || format!("cannot write {}", display_name(&self.path));
        if header.len() != HEADER_BYTES {
            anyhow::bail!("{}: the shape does not fit the header", at());
        }
        (|| -> std::io::Result<()> {
            self.file.seek(SeekFrom::Start(0))?;
            self.file.write_all(&header)?;
            self.file.seek(SeekFrom::End(0))?;
            Ok(())
        })()
        .map_err(|e| anyhow::anyhow!("{}: {e}", at()))
    }

    /// Appends one row (its length is the product of the tail shape), then counts it in the
    /// header.
    pub fn append(&mut self, row: &[f32]) -> anyhow::Result<()> {
        let bytes: Vec<u8> = row.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.file
            .write_all(&bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", display_name(&self.path)))?;
        self.rows += 1;
        self.write_header()
    }
}

/// `--save-states`: every sample's full state x of every model.
pub struct StateWriter {
    npy: NpyWriter,
    row: Vec<f32>,
}

impl StateWriter {
    /// Shape (samples, N) for one model, (samples, models, N) for several.
    pub fn create(path: &Path, models: usize, n: usize) -> anyhow::Result<Self> {
        let tail = if models == 1 {
            vec![n]
        } else {
            vec![models, n]
        };
        Ok(Self {
            npy: NpyWriter::create(path, &tail)?,
            row: Vec::with_capacity(models * n),
        })
    }

    /// Appends the session's states now.
    pub fn append(&mut self, session: &Session) -> anyhow::Result<()> {
        self.row.clear();
        for running in session.models() {
            self.row.extend_from_slice(running.net().state());
        }
        let row = std::mem::take(&mut self.row);
        let result = self.npy.append(&row);
        self.row = row;
        result
    }
}

/// Writes Ξ as float32 (P, N), row μ = ξ_μ (±1).
pub fn save_memories(path: &Path, memories: &Memories) -> anyhow::Result<()> {
    let mut w = NpyWriter::create(path, &[memories.n()])?;
    for mu in 0..memories.p() {
        w.append(memories.memory(mu))?;
    }
    Ok(())
}
