//! The command line: flags shared by the dashboard and `recall run`, and the subcommands.

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod manual;
mod placement;
pub use placement::parse_from;

pub use crate::experiment::ExperimentName;
use crate::experiment::ExperimentRequest;
use crate::experiment::capacity::{
    CAPACITY_MODELS, CapacityConfig, CapacityModel, DEFAULT_FLIP, DEFAULT_SIZES, default_loads,
    default_plan,
};
use crate::experiment::density::{DensityConfig, Preset};
use crate::model::density;
use crate::model::{ModelKind, Params};
pub use crate::runner::Format;
use crate::runner::{DEFAULT_RUN_SECS, Fixed, RunConfig, RunFiles};
use crate::stimulus::{ScenarioName, StreamConfig};
use crate::tracking::TrackerConfig;
use crate::ui::DashboardConfig;

const ABOUT: &str = "Watch associative memory at work: an input-driven-plasticity (IDP) Hopfield \
network tracks a live, morphing, noisy stream of images.";

const LONG_ABOUT: &str = "Watch associative memory at work.

recall runs the Input-Driven Plasticity Hopfield network of Betteti, Baggio, Bullo and Zampieri \
(Science Advances, 2025): the stimulus reshapes the synapses W(u), so from any state the network \
rolls into the memory the input is most about. With no subcommand it opens a live dashboard; \
`recall run` drives the same engine headless and writes JSON lines or CSV.";

/// recall: watch associative memory at work.
#[derive(Debug, Parser)]
#[command(name = "recall", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten, next_help_heading = SIM_HEADING)]
    pub sim: SimArgs,
    #[command(flatten, next_help_heading = DASHBOARD_HEADING)]
    pub dashboard: DashboardArgs,
    #[command(flatten)]
    pub capture: CaptureArgs,
}

/// Pictures of the dashboard made by recall itself (for READMEs and slides).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Screenshots")]
pub struct CaptureArgs {
    /// Instead of opening the dashboard, run its simulation headless (at speed 1, the theory
    /// solved on time) for --at model seconds and write the screen it would show as SVG.
    #[arg(long, value_name = "FILE.svg", value_parser = checked_path(check_svg_path))]
    pub screenshot: Option<PathBuf>,
    /// Record the dashboard session as an asciicast v2 file (plays with `asciinema play`, no
    /// asciinema needed to record).
    #[arg(long, value_name = "FILE.cast", conflicts_with = "screenshot")]
    pub record: Option<PathBuf>,
    /// Let --record replace a file that exists (a recording cannot be made again: without this
    /// flag an existing file is refused, as `asciinema rec` refuses it).
    #[arg(long, requires = "record")]
    pub overwrite: bool,
    /// Model seconds to run before --screenshot takes the picture.
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = 20.0, value_parser = parse_secs, requires = "screenshot")]
    pub at: f64,
    /// The screen --screenshot draws, in cells (COLSxROWS, at least 80x24).
    #[arg(long, value_name = "COLSxROWS", default_value = "120x40", value_parser = crate::ui::screenshot::parse_size, requires = "screenshot")]
    pub size: (u16, u16),
}

/// The heading of the simulation options in `recall --help`: where else they are taken.
const SIM_HEADING: &str = "Simulation options (the dashboard; before or after `run` and `serve`)";
/// The heading of the dashboard's own options in `recall --help`.
const DASHBOARD_HEADING: &str = "Dashboard options (also before or after `serve`)";

/// The subcommands; with none, recall opens the dashboard.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run headless and write samples, events and a summary to stdout.
    Run(RunArgs),
    /// Replay one of the paper's experiments and print its table.
    Experiment(ExperimentArgs),
    /// Validate a pattern directory without running anything.
    Check(CheckArgs),
    /// Print a shell completion script (e.g. `recall completions bash > ~/.local/share/bash-completion/completions/recall`).
    Completions(CompletionsArgs),
    /// Print a manual page (roff; e.g. `recall man | man -l -`, `recall man run | man -l -`).
    Man(ManArgs),
    /// Serve one live simulation over SSH: everyone who connects (`ssh -p 2222 HOST`) watches
    /// the same network, in their own terminal size; the presenter's key controls it.
    Serve(ServeArgs),
    /// Give a lesson: the paper told live, chapter by chapter, on the dashboard (→ next
    /// chapter, ← back); captions quote what the run did. With no FILE, the built-in lesson.
    Lesson(LessonArgs),
}

/// `recall lesson`.
#[derive(Debug, Clone, Args)]
pub struct LessonArgs {
    /// The lesson file (TOML, see docs/lesson.md); `paper` or none: the built-in lesson.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// List the built-in lessons and their chapters, and exit.
    #[arg(long, conflicts_with_all = ["file", "check", "print"])]
    pub list: bool,
    /// Check a lesson file (every mistake as path:line:column), and exit.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["file", "print"])]
    pub check: Option<PathBuf>,
    /// Print the built-in lesson's file (a start for your own), and exit.
    #[arg(long, conflicts_with = "file")]
    pub print: bool,
    /// Chapters that wait for the presenter move on by themselves after their `auto` seconds.
    #[arg(long)]
    pub auto: bool,
    /// Record the whole lesson as one asciicast v2 file.
    #[arg(long, value_name = "FILE.cast")]
    pub record: Option<PathBuf>,
    /// Let --record replace a file that exists (refused without it).
    #[arg(long, requires = "record")]
    pub overwrite: bool,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

impl LessonArgs {
    /// The dashboard these flags ask for (the lesson is added by the caller, who loads it).
    pub fn dashboard_config(&self) -> DashboardConfig {
        DashboardConfig {
            record: self.record.clone(),
            ..dashboard_config(&self.sim, &self.dashboard)
        }
    }
}

/// `recall serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    /// Address and port to listen on (loopback by default: nothing is exposed unless asked).
    #[arg(long, value_name = "ADDR:PORT", default_value = crate::serve::DEFAULT_LISTEN, value_parser = parse_listen)]
    pub listen: std::net::SocketAddr,
    /// Viewers' public keys, one per line (authorized_keys form): only they may watch.
    #[arg(long, value_name = "FILE")]
    pub authorized_keys: Option<PathBuf>,
    /// The presenter's public key (e.g. ~/.ssh/id_ed25519.pub): the connection authenticated
    /// with it controls the run.
    #[arg(long, value_name = "FILE")]
    pub presenter_key: Option<PathBuf>,
    /// Without --authorized-keys, let anyone who reaches a non-loopback address watch.
    #[arg(long)]
    pub allow_anonymous: bool,
    /// Viewers connected at once, at most.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = crate::serve::DEFAULT_MAX_VIEWERS, value_parser = parse_max_viewers)]
    pub max_viewers: usize,
    /// Disconnect a viewer after this many seconds without a key (0: never).
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = crate::serve::DEFAULT_IDLE_SECS, value_parser = parse_idle)]
    pub idle_timeout: u64,
    /// Bytes per second a viewer is sent at most (frames are skipped to stay within it; the
    /// default is the dashboard's own budget).
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = crate::serve::BYTE_BUDGET, value_parser = parse_byte_budget)]
    pub byte_budget: usize,
    /// The server's host key (made on first start, mode 0600) [default:
    /// $XDG_STATE_HOME/recall/ssh_host_ed25519_key or ~/.local/state/recall/…].
    #[arg(long, value_name = "FILE")]
    pub host_key: Option<PathBuf>,
    /// Give a lesson to everyone watching (`recall lesson`): the presenter turns the pages
    /// (→ ←), every screen shows the captions. FILE: a lesson file; without it, the built-in one.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = crate::lesson::BUILTIN_NAME)]
    pub lesson: Option<PathBuf>,
}

fn parse_byte_budget(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1000..=100_000_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a byte budget (1000 to 100000000 bytes per second)"
        )),
    }
}

/// `recall run`'s time between two samples when `--every` is not given (to a whole step).
pub const DEFAULT_EVERY_SECS: f64 = 0.5;

/// `--listen`: an IP address and port; `localhost:PORT` is the loopback's (127.0.0.1), and a
/// port alone is refused with the two addresses a server usually wants.
fn parse_listen(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{Ipv4Addr, SocketAddr};
    let s = s.trim();
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    match s.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => return Err(format!("{s:?} has no port: write {ip}:2222")),
        // "::1:2222" is an address too, but more likely ::1 with its port (below).
        Ok(std::net::IpAddr::V6(ip))
            if !s.rsplit_once(':').is_some_and(|(h, p)| {
                !h.is_empty() && h.parse::<std::net::Ipv6Addr>().is_ok() && p.parse::<u16>().is_ok()
            }) =>
        {
            return Err(format!("{s:?} has no port: write [{ip}]:2222"));
        }
        _ => {}
    }
    let examples = |port: &str| {
        format!("127.0.0.1:{port} (this machine only) or 0.0.0.0:{port} (every interface)")
    };
    let port = |p: &str| -> Result<u16, String> {
        match p.parse::<u64>() {
            Ok(v) => u16::try_from(v).map_err(|_| format!("port {v} is out of range: 0 to 65535")),
            Err(_) => Err(format!("{p:?} is not a port (0 to 65535)")),
        }
    };
    match s.rsplit_once(':') {
        Some((host, p)) if host.eq_ignore_ascii_case("localhost") => {
            Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port(p)?)))
        }
        Some(("", p)) => {
            port(p)?;
            Err(format!("{s:?} has no address: write {}", examples(p)))
        }
        Some((host, p)) if host.parse::<std::net::Ipv6Addr>().is_ok() => {
            port(p)?;
            Err(format!(
                "an IPv6 address takes brackets before its port: write [{host}]:{p}"
            ))
        }
        Some((host, p)) => {
            port(p)?;
            Err(format!(
                "{host:?} is not an IP address (names other than localhost are not looked up): \
                 write {}",
                examples(p)
            ))
        }
        None if port(s).is_ok() => Err(format!("{s:?} has no address: write {}", examples(s))),
        None => Err(format!(
            "{s:?} is not an address: write ADDR:PORT, e.g. {}",
            examples("2222")
        )),
    }
}

fn parse_max_viewers(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of viewers (1 to 1000)")),
    }
}

impl ServeArgs {
    /// The server these flags ask for.
    pub fn serve_config(&self) -> crate::serve::ServeConfig {
        crate::serve::ServeConfig {
            listen: self.listen,
            authorized_keys: self.authorized_keys.clone(),
            presenter_key: self.presenter_key.clone(),
            allow_anonymous: self.allow_anonymous,
            max_viewers: self.max_viewers,
            idle_timeout: (self.idle_timeout > 0)
                .then(|| std::time::Duration::from_secs(self.idle_timeout)),
            host_key: self
                .host_key
                .clone()
                .unwrap_or_else(crate::serve::access::default_host_key_path),
            byte_budget: self.byte_budget,
            dashboard: dashboard_config(&self.sim, &self.dashboard),
        }
    }
}

/// `recall completions SHELL`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Flags of the simulation, shared by the dashboard and `recall run`.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Stimulus scenario: tour, morph, partial, mixed, glitch, noise-ramp, explore (no images:
    /// the saliencies are set by hand: the arrow keys in the dashboard, --saliencies in `recall run`),
    /// density (dashboard only: the paper's Fig. 4, particles of a two-neuron network against its
    /// stationary density; σ, α1, α2 on keys).
    #[arg(long, value_name = "NAME", default_value = "tour", value_parser = named(parse_scenario, &ScenarioName::ALL), hide_possible_values = true)]
    pub scenario: ScenarioName,
    /// Model: idp, idp-filter, classic-pulsed, classic-constant, classic-initial, discrete,
    /// modern (softmax Hopfield, the cue is x(0)), idp-modern (softmax, the input sets α).
    #[arg(long, value_name = "MODEL", default_value = "idp", value_parser = named(parse_model, &ModelKind::ALL), hide_possible_values = true)]
    pub model: ModelKind,
    /// Also run these models on the same stream (comma-separated; alone: classic-pulsed).
    #[arg(long, value_name = "MODELS", num_args = 0..=1, value_delimiter = ',',
          default_missing_value = "classic-pulsed", value_parser = named(parse_model, &ModelKind::ALL), hide_possible_values = true)]
    pub compare: Option<Vec<ModelKind>>,
    /// Stop after this many seconds: of model time in `recall run` (default 120), of wall-clock
    /// time on a screen (the dashboard, `serve`, `lesson`; default: until quit).
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", value_parser = parse_secs)]
    pub duration: Option<f64>,
    /// Integration step in model seconds.
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = Params::default().dt_secs, value_parser = parse_dt)]
    pub dt: f64,
    /// Noise σ of the network (additive, per √s).
    #[arg(long, allow_negative_numbers = true, value_name = "SIGMA", default_value_t = Params::default().noise_std, value_parser = parse_noise)]
    pub noise: f64,
    /// Input gain: the network receives u = gain · image.
    #[arg(long, allow_negative_numbers = true, value_name = "GAIN", default_value_t = StreamConfig::default().input_gain, value_parser = parse_level)]
    pub gain: f64,
    /// Activation gain g of ψ(x) = tanh(g·x).
    #[arg(long, allow_negative_numbers = true, value_name = "G", default_value_t = Params::default().gain, value_parser = parse_level)]
    pub activation_gain: f64,
    /// Time constant τ_α in seconds of the input filter of `idp-filter` (how long the
    /// saliencies take to follow the input; longer ignores longer glitches but follows real
    /// changes later; 0 makes it the plain IDP model).
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = Params::default().tau_alpha_secs, value_parser = parse_tau)]
    pub tau_alpha: f64,
    /// Inverse temperature β of modern and idp-modern: the softmax over the memories of
    /// β·α_μ·ξ_μᵀx/√N (x of order 1 a neuron), so β means the same at every N; larger is
    /// sharper (β = 1 is the attention's 1/√d; 2
    /// retrieves among a thousand memories at N = 64).
    #[arg(long, allow_negative_numbers = true, value_name = "BETA", default_value_t = Params::default().beta, value_parser = parse_beta)]
    pub beta: f64,
    /// Seed of every random choice (same seed, same run).
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true, value_parser = parse_seed)]
    pub seed: u64,
    /// Load the memories from this directory (and watch it) instead of the built-in set.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// With --patterns: watch the directory by polling every MS milliseconds (for file systems
    /// that send no change events).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", value_parser = parse_poll)]
    pub poll: Option<u64>,
}

/// Flags of the dashboard only.
#[derive(Debug, Clone, Args)]
pub struct DashboardArgs {
    /// Frames drawn per second.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: u32,
    /// Model seconds simulated per wall-clock second.
    #[arg(long, allow_negative_numbers = true, value_name = "X", default_value_t = 1.0, value_parser = parse_level)]
    pub speed: f64,
    /// Draw with plain ASCII only (no block or braille characters).
    #[arg(long)]
    pub ascii: bool,
    /// No colour (also when NO_COLOR is set).
    #[arg(long)]
    pub no_color: bool,
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        <Format as strum::VariantArray>::VARIANTS
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(<&str>::from(self)))
    }
}

/// `recall run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Model seconds between two samples, a whole number of steps of --dt [default: 0.5, or the
    /// nearest whole number of steps]
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", value_parser = parse_secs)]
    pub every: Option<f64>,
    /// A constant input vector u (NumPy .npy, float32 or float64, length N), used as given (no
    /// input gain), replacing the scenario's stream.
    #[arg(long, value_name = "FILE.npy")]
    pub input: Option<PathBuf>,
    /// The initial state x(0) (NumPy .npy, length N) instead of a random draw (also for
    /// classic-initial and discrete, which otherwise start from the input).
    #[arg(long, value_name = "FILE.npy")]
    pub init_state: Option<PathBuf>,
    /// Write every sample's full state x as float32 NumPy, shape (samples, N) ((samples, models,
    /// N) with --compare), as the run goes: a killed run leaves the samples so far.
    #[arg(long, value_name = "FILE.npy")]
    pub save_states: Option<PathBuf>,
    /// Write the memories Ξ as float32 NumPy, shape (P, N), row μ = ξ_μ (±1).
    #[arg(long, value_name = "FILE.npy")]
    pub save_memories: Option<PathBuf>,
    /// Pixel flips per frame of the stream (probability per pixel).
    #[arg(long, allow_negative_numbers = true, value_name = "F", default_value_t = StreamConfig::default().flip_prob, value_parser = parse_flip_rate)]
    pub flip_rate: f64,
    /// Keep W's diagonal (the theory's setting; by default it is zero, as in the authors' code).
    #[arg(long)]
    pub no_zero_diagonal: bool,
    /// With --scenario explore: the saliencies the input holds, as the dashboard's arrows set
    /// them: "A1,A2,REST" (α of the first memory, of the second, and of every other one; left
    /// out: 0), or one α per memory. The input is the mixture of memories with exactly these α.
    #[arg(long, allow_hyphen_values = true, value_name = "A1,A2[,REST]", value_parser = parse_saliencies)]
    pub saliencies: Option<Saliencies>,
    /// Draw the overlaps over time into this figure (.svg or .png).
    #[arg(long, value_name = "FILE", value_parser = checked_path(crate::plot::check_plot_path))]
    pub plot: Option<PathBuf>,
}

/// `recall experiment NAME`.
#[derive(Debug, Clone, Args)]
pub struct ExperimentArgs {
    /// Which experiment: mixed (three mixed stimuli at σ = 8), glitch (the 25-s schedule with a
    /// 2-s glitch), noise-sweep (the mixed protocol over --sigmas), capacity (P random memories
    /// in N neurons cued with corrupted copies, retrieval against P/N), density (the paper's
    /// Fig. 4: particles of a two-neuron network against its stationary density).
    #[arg(value_name = "NAME", value_parser = named(parse_experiment, &ExperimentName::ALL), hide_possible_values = true)]
    pub name: ExperimentName,
    /// Independent trials (each with its own random memories and stimuli), per σ; for capacity,
    /// networks per N and load [default: 20; capacity: 2].
    #[arg(long, allow_negative_numbers = true, value_parser = parse_trials)]
    pub trials: Option<usize>,
    /// Number of the first trial: runs trials K..K+N−1 (N = --trials) with exactly the numbers a
    /// full run gives them, so shards of a sweep can run anywhere and be merged.
    #[arg(long, value_name = "K", default_value_t = 0, allow_negative_numbers = true, value_parser = parse_first_trial)]
    pub first_trial: usize,
    /// Seed of the run. Trial k of mixed, glitch, noise-sweep and density uses seed + k; a
    /// capacity network (trial, N, P) uses a seed made from all four (its CSV's `seed` column,
    /// not itself a --seed value).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = parse_seed)]
    pub seed: u64,
    /// Noise levels σ, comma-separated (default: 8 for mixed and glitch, 0,2,4,8 for
    /// noise-sweep).
    #[arg(long, allow_hyphen_values = true, value_name = "LIST", value_delimiter = ',', value_parser = parse_noise)]
    pub sigmas: Option<Vec<f64>>,
    /// Print raw numbers as CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
    /// With --csv: leave out the header line (for shards appended to a first one).
    #[arg(long)]
    pub no_header: bool,
    /// Draw the experiment's figure into this file (.svg or .png).
    #[arg(long, value_name = "FILE", value_parser = checked_path(crate::plot::check_plot_path))]
    pub plot: Option<PathBuf>,
    /// Mixed and glitch: the trial drawn on its own in the figure [default: the first run].
    #[arg(long, allow_negative_numbers = true, value_name = "K", value_parser = parse_first_trial)]
    pub plot_trial: Option<usize>,
    /// Capacity: loads P/N, comma-separated, up to 1000 [default: 0.02,0.04,…,0.30]. Without
    /// --loads, --sizes, --flip(s) and --models the sweep is the default plan: the classic
    /// models over these loads at N = 256, 1024, 4096, IDP at P/N 0.5–45 at N = 32–256, every
    /// model against the flips at N = 256, P/N = 0.05, the modern models at N = 16–64
    /// (modern at P/N 0.5–512, idp-modern at 0.0625–2) and dense3 at N = 16–256 (P/N
    /// 0.25–32).
    #[arg(long, allow_hyphen_values = true, value_name = "LIST", value_delimiter = ',', value_parser = parse_load)]
    pub loads: Option<Vec<f64>>,
    /// Capacity: network sizes N, comma-separated [default: 256,1024,4096]. A network may take
    /// at most 2 GiB (about 0.5 bytes per neuron and memory, so N·P ≤ 4294967296); a larger
    /// one is refused.
    #[arg(long, allow_hyphen_values = true, value_name = "LIST", value_delimiter = ',', value_parser = parse_size)]
    pub sizes: Option<Vec<usize>>,
    /// Capacity: fraction of a cue's pixels flipped (exactly round(F·N) of them) [default: 0.1].
    #[arg(long, allow_negative_numbers = true, value_name = "F", value_parser = parse_flip, conflicts_with = "flips")]
    pub flip: Option<f64>,
    /// Capacity: flip fractions, comma-separated and increasing (retrieval against the flips,
    /// a second axis).
    #[arg(long, allow_hyphen_values = true, value_name = "LIST", value_delimiter = ',', value_parser = parse_flip)]
    pub flips: Option<Vec<f64>>,
    /// Capacity: the models swept, comma-separated
    /// [default: discrete,classic-initial,classic-constant,idp,modern,idp-modern,dense3].
    /// dense3 is Krotov & Hopfield's dense memory with F(z) = z³, which only this sweep runs.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_capacity_model)]
    pub models: Option<Vec<CapacityModel>>,
    /// Capacity: memories cued per network (all of them when P is smaller).
    #[arg(long, allow_negative_numbers = true, value_name = "K", default_value_t = CapacityConfig::default().cues, value_parser = parse_cues)]
    pub cues: usize,
    /// Capacity: |m| of the cued memory at the end at or above which it is retrieved.
    #[arg(long, allow_negative_numbers = true, value_name = "M", default_value_t = CapacityConfig::default().threshold, value_parser = parse_threshold)]
    pub threshold: f64,
    /// Capacity: the longest a cue is run, in model seconds (it stops once settled).
    #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = CapacityConfig::default().max_secs, value_parser = parse_cue_secs)]
    pub cue_secs: f64,
    /// Density: the paper's panel, fig4a (α = 3/2, 3/2) or fig4b (α = 3/2, 9/4); sets the α
    /// and the σ list [default: fig4b].
    #[arg(long, value_name = "NAME", value_parser = parse_preset)]
    pub preset: Option<Preset>,
    /// Density: the saliencies α1,α2 of the two memories (instead of the preset's).
    #[arg(long, allow_hyphen_values = true, value_name = "A1,A2", value_delimiter = ',', value_parser = parse_density_alpha)]
    pub alphas: Option<Vec<f64>>,
    /// Density: the gain g of ψ(x) = tanh(g·x).
    #[arg(long, allow_negative_numbers = true, value_name = "G", default_value_t = DensityConfig::default().gain, value_parser = parse_density_gain)]
    pub gain: f64,
    /// Density: cells per axis of the grid (the histogram and the Fokker–Planck solve).
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = DensityConfig::default().cells, value_parser = parse_density_grid)]
    pub grid: usize,
    /// Density: particles per ensemble (one ensemble per trial and σ).
    #[arg(long, allow_negative_numbers = true, value_name = "K", default_value_t = DensityConfig::default().particles, value_parser = parse_particles)]
    pub particles: usize,
    /// Density: the two-neuron network, idp (the paper's Fig. 4) or idp-modern (a gradient
    /// flow: its table also gives the exact exp(−2E_β/σ²)) [default: idp].
    #[arg(long, value_name = "MODEL", value_parser = parse_density_model)]
    pub model: Option<density::DensityModel>,
    /// Density, idp-modern: the softmax's sharpness β (logits β·α·ξᵀx/√2).
    #[arg(long, allow_negative_numbers = true, value_name = "BETA", default_value_t = DensityConfig::default().beta, value_parser = parse_density_beta)]
    pub beta: f64,
}

/// The default number of capacity networks per (N, load).
pub const CAPACITY_TRIALS: usize = 2;
/// The default number of trials of the paper's protocols.
pub const PROTOCOL_TRIALS: usize = 20;

/// `recall check [DIR]`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The pattern directory to validate (default: ./patterns).
    #[arg(value_name = "DIR", default_value = "patterns")]
    pub dir: PathBuf,
    /// Check the built-in set instead of a directory.
    #[arg(long, conflicts_with = "dir")]
    pub builtin: bool,
    /// Write the memories Ξ of the valid set as float32 NumPy, shape (P, N), row μ = ξ_μ (±1),
    /// in the order of the set (the order of `recall run --save-memories`).
    #[arg(long, value_name = "FILE.npy")]
    pub save_memories: Option<PathBuf>,
}

/// `recall man [SUBCOMMAND]`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (recall-NAME(1)); without it, recall(1).
    #[arg(value_name = "SUBCOMMAND", value_parser = clap::builder::PossibleValuesParser::new(manual::PAGES))]
    pub page: Option<String>,
}

/// Parses one of `all` by its name; the error lists the names.
fn parse_named<T: Copy + Into<&'static str>>(what: &str, all: &[T], s: &str) -> Result<T, String> {
    let names: Vec<&str> = all.iter().map(|&t| t.into()).collect();
    all.iter().copied().find(|&t| t.into() == s).ok_or_else(|| {
        format!(
            "unknown {what} {s:?} (expected one of: {})",
            names.join(", ")
        )
    })
}

/// A parser of one of `all` by name that also lists the names, so that help and the shell
/// completions offer them; its error is `parse`'s one line.
#[derive(Clone)]
struct Named<T: 'static> {
    parse: fn(&str) -> Result<T, String>,
    all: &'static [T],
}

fn named<T: Copy + Into<&'static str>>(
    parse: fn(&str) -> Result<T, String>,
    all: &'static [T],
) -> Named<T> {
    Named { parse, all }
}

impl<T: Copy + Into<&'static str> + Send + Sync + Clone + 'static> TypedValueParser for Named<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        self.parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.all
                .iter()
                .map(|&t| PossibleValue::new(Into::<&'static str>::into(t))),
        ))
    }
}

fn parse_scenario(s: &str) -> Result<ScenarioName, String> {
    parse_named("scenario", &ScenarioName::ALL, s)
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    if s.trim() == crate::experiment::capacity_model::DENSE3_NAME {
        return Err(format!(
            "{s:?} is a model of the capacity sweep only: recall experiment capacity --models {s}"
        ));
    }
    parse_named("model", &ModelKind::ALL, s)
}

fn parse_experiment(s: &str) -> Result<ExperimentName, String> {
    parse_named("experiment", &ExperimentName::ALL, s)
}

fn parse_preset(s: &str) -> Result<Preset, String> {
    parse_named("preset", &Preset::ALL, s)
}

fn parse_density_model(s: &str) -> Result<density::DensityModel, String> {
    parse_named("model", &density::DensityModel::ALL, s)
}

fn parse_density_beta(s: &str) -> Result<f64, String> {
    let (lo, hi) = density::BETA_RANGE;
    parse_in(s, false, lo, hi).map_err(|e| format!("β {e} ({lo} ≤ β ≤ {hi})"))
}

fn parse_density_alpha(s: &str) -> Result<f64, String> {
    let (lo, hi) = density::ALPHA_RANGE;
    parse_in(s, false, lo, hi).map_err(|e| format!("saliency {e} (0 < α ≤ {hi})"))
}

fn parse_density_gain(s: &str) -> Result<f64, String> {
    let (lo, hi) = density::GAIN_RANGE;
    parse_in(s, false, lo, hi).map_err(|e| format!("gain {e} ({lo} ≤ g ≤ {hi})"))
}

fn parse_density_grid(s: &str) -> Result<usize, String> {
    let (lo, hi) = density::CELLS_RANGE;
    match s.trim().parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a grid size (cells per axis, {lo} to {hi})"
        )),
    }
}

fn parse_particles(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of particles (1 to 100000)")),
    }
}

fn parse_trials(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of trials (1 to 100000)")),
    }
}

/// The saliencies of `--saliencies`, as given (their meaning depends on the set's size).
#[derive(Debug, Clone, PartialEq)]
pub struct Saliencies(pub Vec<f64>);

impl Saliencies {
    /// One α per memory of a set of `p`: a list of `p` values as given, else up to three
    /// levels (first, second, every other memory).
    pub fn per_memory(&self, p: usize) -> Result<Vec<f64>, String> {
        let v = &self.0;
        if v.len() == p {
            return Ok(v.clone());
        }
        if v.len() > 3 {
            return Err(format!(
                "--saliencies has {} values: give up to 3 (first memory, second, every other) \
                 or one per memory ({p})",
                v.len()
            ));
        }
        let level = |i: usize| v.get(i).copied().unwrap_or(0.0);
        Ok(crate::stimulus::held::walk_saliencies(
            level(0),
            level(1),
            level(2),
            p,
        ))
    }
}

fn parse_saliencies(s: &str) -> Result<Saliencies, String> {
    let values = s
        .split(',')
        .map(|item| {
            parse_in(item.trim(), true, 0.0, MAX_LEVEL).map_err(|e| format!("saliency {e}"))
        })
        .collect::<Result<Vec<f64>, String>>()?;
    Ok(Saliencies(values))
}

fn parse_flip_rate(s: &str) -> Result<f64, String> {
    parse_in(s, true, 0.0, 1.0).map_err(|e| format!("flip rate {e}"))
}

fn parse_cues(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a number of cues per network (1 to 100000)"
        )),
    }
}

fn parse_idle(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("{s:?} is not a number of seconds (a whole number, 0 for never)"))
}

fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim().parse::<u64>().map_err(|_| {
        format!(
            "{s:?} is not a seed (a whole number from 0 to {})",
            u64::MAX
        )
    })
}

fn parse_poll(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(ms) if (10..=60_000).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "{s:?} is not a polling interval (whole milliseconds, 10 to 60000)"
        )),
    }
}

fn parse_first_trial(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= 1_000_000_000 => Ok(n),
        _ => Err(format!("{s:?} is not a trial number (0 to 1000000000)")),
    }
}

/// The largest network of the capacity sweep.
pub const MAX_CAPACITY_N: usize = 65_536;

fn parse_size(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (16..=MAX_CAPACITY_N).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not a network size N (a whole number of neurons, 16 to {MAX_CAPACITY_N})"
        )),
    }
}

fn parse_load(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, 1000.0).map_err(|e| format!("load P/N {e}"))
}

fn parse_capacity_model(s: &str) -> Result<CapacityModel, String> {
    parse_named("capacity model", &CAPACITY_MODELS, s.trim())
}

fn parse_flip(s: &str) -> Result<f64, String> {
    parse_in(s, true, 0.0, 0.5).map_err(|e| format!("flip fraction {e}"))
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, 1.0).map_err(|e| format!("threshold {e}"))
}

fn parse_cue_secs(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, 1000.0)
}

fn parse_number(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{s:?} is not a finite number"))
    }
}

/// The largest gain, noise and speed accepted: far beyond any useful value, and small enough
/// that no product in the step overflows f32.
pub const MAX_LEVEL: f64 = 1e3;
/// The longest time constant and duration accepted, in seconds.
pub const MAX_SECS: f64 = 1e6;
/// The smallest step accepted, in model seconds (smaller steps change nothing at time
/// constants of a second, and a second of model time would take hours).
pub const MIN_DT_SECS: f64 = 1e-6;

/// A number in [lo, hi] (lo = 0 with `zero` false: in (0, hi]).
fn parse_in(s: &str, zero: bool, lo: f64, hi: f64) -> Result<f64, String> {
    let v = parse_number(s)?;
    if zero && v < 0.0 {
        Err(format!("{s} must be 0 or more"))
    } else if !zero && v <= 0.0 {
        Err(format!("{s} must be greater than 0"))
    } else if v < lo {
        Err(format!("{s} is too small: at least {lo}"))
    } else if v > hi {
        Err(format!("{s} is too large: at most {hi}"))
    } else {
        Ok(v)
    }
}

fn parse_level(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, MAX_LEVEL)
}

fn parse_noise(s: &str) -> Result<f64, String> {
    parse_in(s, true, 0.0, MAX_LEVEL)
}

/// A file name argument checked by `check`. Its bytes are taken as they are: a name that is not
/// UTF-8 is a name like another (clap's `&str` parsers refuse it with a message naming no flag).
fn checked_path(check: fn(&Path) -> Result<(), String>) -> impl TypedValueParser<Value = PathBuf> {
    clap::builder::OsStringValueParser::new().try_map(move |s| {
        let path = PathBuf::from(s);
        check(&path).map(|()| path)
    })
}

fn check_svg_path(path: &Path) -> Result<(), String> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    {
        Ok(())
    } else {
        Err(format!(
            "'{}': a screenshot is written as SVG; name the file .svg",
            path.display()
        ))
    }
}

fn parse_secs(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, MAX_SECS)
}

fn parse_tau(s: &str) -> Result<f64, String> {
    parse_in(s, true, 0.0, MAX_SECS)
}

fn parse_beta(s: &str) -> Result<f64, String> {
    parse_in(s, false, 0.0, MAX_LEVEL).map_err(|e| format!("β {e}"))
}

fn parse_dt(s: &str) -> Result<f64, String> {
    parse_in(s, false, MIN_DT_SECS, f64::INFINITY)
}

impl SimArgs {
    /// The model parameters these flags ask for (validated by the model when used).
    pub fn params(&self) -> Params {
        Params {
            gain: self.activation_gain,
            dt_secs: self.dt,
            noise_std: self.noise,
            tau_alpha_secs: self.tau_alpha,
            beta: self.beta,
            ..Params::default()
        }
    }

    /// The stream configuration these flags ask for.
    pub fn stream_config(&self) -> StreamConfig {
        StreamConfig {
            input_gain: self.gain,
            ..StreamConfig::default()
        }
    }

    /// `--compare` names each model once, and not the one `--model` runs (a row of the table
    /// would silently go missing).
    pub fn check_models(&self) -> Result<(), String> {
        let listed = self.compare.iter().flatten();
        for (k, &m) in listed.clone().enumerate() {
            if m == self.model {
                return Err(format!(
                    "--compare {}: {} is the model --model runs already; compare it with others \
                     (--compare {})",
                    m.name(),
                    m.name(),
                    if m == ModelKind::ClassicPulsed {
                        "idp"
                    } else {
                        "classic-pulsed"
                    }
                ));
            }
            if listed.clone().take(k).any(|&n| n == m) {
                return Err(format!("--compare names {} twice", m.name()));
            }
        }
        Ok(())
    }

    /// The models to run: `--model` first, then those of `--compare`.
    pub fn models(&self) -> Vec<ModelKind> {
        let mut models = vec![self.model];
        for &k in self.compare.iter().flatten() {
            if !models.contains(&k) {
                models.push(k);
            }
        }
        models
    }
}

impl RunArgs {
    /// The run these flags ask for (the arrays of --input and --init-state are read by the
    /// caller, who knows N).
    pub fn run_config(&self) -> RunConfig {
        let sim = &self.sim;
        RunConfig {
            scenario: sim.scenario,
            models: sim.models(),
            params: Params {
                zero_diagonal: !self.no_zero_diagonal,
                ..sim.params()
            },
            stream: StreamConfig {
                flip_prob: self.flip_rate,
                ..sim.stream_config()
            },
            tracker: TrackerConfig::default(),
            duration_secs: sim.duration.unwrap_or(DEFAULT_RUN_SECS),
            // Given, it must be whole steps (`RunConfig::sample_steps`); the default is made so.
            every_secs: self.every.unwrap_or_else(|| {
                let dt = sim.dt;
                // Rounded to 12 decimals, so that the header records 0.49, not the product's
                // 0.49000000000000005 (still whole steps to the check's 1e-9).
                ((DEFAULT_EVERY_SECS / dt).round().max(1.0) * dt * 1e12).round() / 1e12
            }),
            seed: sim.seed,
            fixed: Fixed::default(),
            files: RunFiles {
                save_states: self.save_states.clone(),
                save_memories: self.save_memories.clone(),
                plot: self.plot.clone(),
            },
            patterns: sim.patterns.clone(),
            stop: None,
        }
    }
}

/// "--sigmas gives 8 twice": a list flag's first value given more than once.
fn repeated<T: PartialEq + std::fmt::Display>(
    flag: &str,
    list: Option<&[T]>,
) -> Result<(), String> {
    let list = list.unwrap_or_default();
    match (0..list.len()).find(|&i| list[..i].contains(&list[i])) {
        Some(i) => Err(format!(
            "{flag} gives {} twice: each value is run once (its trials would be counted twice)",
            list[i]
        )),
        None => Ok(()),
    }
}

impl ExperimentArgs {
    /// Flags that are valid alone but not together, as one line.
    pub fn check(&self) -> Result<(), String> {
        if self.no_header && !self.csv {
            return Err("--no-header applies to --csv output only".into());
        }
        // A value given twice would run (and count) its trials twice.
        repeated("--sigmas", self.sigmas.as_deref())?;
        repeated("--loads", self.loads.as_deref())?;
        repeated("--sizes", self.sizes.as_deref())?;
        repeated("--models", self.models.as_deref())?;
        if let Some(flips) = &self.flips
            && let Some(w) = flips.windows(2).find(|w| w[1] <= w[0])
        {
            return Err(format!(
                "--flips must increase: {} comes after {}",
                w[1], w[0]
            ));
        }
        if self.name == ExperimentName::Density {
            if let Some(a) = &self.alphas
                && a.len() != 2
            {
                return Err(format!(
                    "--alphas takes two saliencies, α1,α2 (got {})",
                    a.len()
                ));
            }
            let (lo, hi) = density::SIGMA_RANGE;
            for &s in self.sigmas.iter().flatten() {
                if !(lo..=hi).contains(&s) {
                    return Err(format!(
                        "σ = {s} is outside {lo}..={hi}: the stationary density needs noise"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The experiment these arguments ask for.
    pub fn request(&self) -> ExperimentRequest {
        let default_trials = match self.name {
            ExperimentName::Capacity => CAPACITY_TRIALS,
            _ => PROTOCOL_TRIALS,
        };
        ExperimentRequest {
            trials: self.trials.unwrap_or(default_trials),
            first_trial: self.first_trial,
            seed: self.seed,
            sigmas: self.sigmas.clone(),
            csv: self.csv,
            csv_header: !self.no_header,
            plot: self.plot.clone(),
            plot_trial: self.plot_trial,
            capacity: self.capacity_plan(),
            density: self.density_config(),
            ..ExperimentRequest::new(self.name)
        }
    }
}

impl ExperimentArgs {
    /// The capacity sweep's parts: one from the axis options, or the default plan without
    /// any; --cues, --threshold and --cue-secs apply to every part.
    fn capacity_plan(&self) -> Vec<CapacityConfig> {
        let common = |part: CapacityConfig| CapacityConfig {
            cues: self.cues,
            threshold: self.threshold,
            max_secs: self.cue_secs,
            ..part
        };
        let custom = self.sizes.is_some()
            || self.loads.is_some()
            || self.flip.is_some()
            || self.flips.is_some()
            || self.models.is_some();
        if !custom {
            return default_plan().into_iter().map(common).collect();
        }
        vec![common(CapacityConfig {
            models: self
                .models
                .clone()
                .unwrap_or_else(|| CAPACITY_MODELS.to_vec()),
            sizes: self.sizes.clone().unwrap_or_else(|| DEFAULT_SIZES.to_vec()),
            loads: self.loads.clone().unwrap_or_else(default_loads),
            flips: match (&self.flips, self.flip) {
                (Some(flips), _) => flips.clone(),
                (None, Some(flip)) => vec![flip],
                (None, None) => vec![DEFAULT_FLIP],
            },
            ..CapacityConfig::default()
        })]
    }

    /// The density experiment's settings from its flags.
    fn density_config(&self) -> DensityConfig {
        let preset = self.preset.unwrap_or(DensityConfig::default().preset);
        let alphas = match self.alphas.as_deref() {
            Some(&[a1, a2]) => [a1, a2],
            _ => preset.alphas(),
        };
        DensityConfig {
            preset,
            alphas,
            model: self.model.unwrap_or_default(),
            beta: self.beta,
            gain: self.gain,
            cells: self.grid,
            particles: self.particles,
            ..DensityConfig::default()
        }
    }
}

impl Cli {
    /// The dashboard these flags ask for.
    pub fn dashboard_config(&self) -> DashboardConfig {
        DashboardConfig {
            record: self.capture.record.clone(),
            ..dashboard_config(&self.sim, &self.dashboard)
        }
    }
}

/// The dashboard (or the screens of `recall serve`) these flags ask for.
fn dashboard_config(sim: &SimArgs, dash: &DashboardArgs) -> DashboardConfig {
    DashboardConfig {
        patterns: sim.patterns.clone(),
        poll: sim.poll.map(std::time::Duration::from_millis),
        model: sim.model,
        compare: sim.compare.clone(),
        scenario: sim.scenario,
        stream: sim.stream_config(),
        params: sim.params(),
        seed: sim.seed,
        speed: dash.speed,
        fps: dash.fps,
        ascii: dash.ascii,
        no_color: dash.no_color,
        duration_secs: sim.duration,
        record: None,
        lesson: None,
    }
}

/// A recording may be written to `path`: a file there is replaced only with `--overwrite` (an
/// empty one, a FIFO or /dev/null holds no recording); not a directory. The message says what
/// to do.
pub fn check_record(path: &std::path::Path, overwrite: bool) -> Result<(), String> {
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(format!(
            "{} is a directory: give a file name",
            path.display()
        ));
    }
    // A FIFO or /dev/null holds no take to lose.
    let exists = meta.is_some_and(|m| m.is_file() && m.len() > 0);
    if exists && !overwrite {
        Err(format!(
            "{} exists: a recording is not replaced without --overwrite (or choose another name)",
            path.display()
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn compare_alone_means_classic_pulsed() {
        let cli = Cli::try_parse_from(["recall", "run", "--compare"]).unwrap();
        let Some(Command::Run(run)) = cli.command else {
            panic!("not run")
        };
        assert_eq!(
            run.sim.models(),
            vec![ModelKind::Idp, ModelKind::ClassicPulsed]
        );
        let cli = Cli::try_parse_from(["recall", "--compare", "discrete,idp-filter"]).unwrap();
        assert_eq!(
            cli.sim.models(),
            vec![ModelKind::Idp, ModelKind::Discrete, ModelKind::IdpFilter]
        );
    }

    #[test]
    fn listen_takes_an_address_or_localhost_and_says_what_is_missing() {
        let ok = |s: &str| parse_listen(s).unwrap().to_string();
        assert_eq!(ok("127.0.0.1:2222"), "127.0.0.1:2222");
        assert_eq!(ok("0.0.0.0:0"), "0.0.0.0:0");
        assert_eq!(ok("[::1]:2222"), "[::1]:2222");
        assert_eq!(ok("localhost:2222"), "127.0.0.1:2222");
        assert_eq!(ok("LocalHost:7"), "127.0.0.1:7");
        for (bad, says) in [
            ("2222", "\"2222\" has no address: write 127.0.0.1:2222"),
            (":2222", "\":2222\" has no address: write 127.0.0.1:2222"),
            ("127.0.0.1:99999", "port 99999 is out of range: 0 to 65535"),
            ("localhost:99999", "port 99999 is out of range"),
            ("example.org:22", "\"example.org\" is not an IP address"),
            ("127.0.0.1:ssh", "\"ssh\" is not a port"),
            (
                "::1:2222",
                "an IPv6 address takes brackets before its port: write [::1]:2222",
            ),
            ("0.0.0.0", "\"0.0.0.0\" has no port: write 0.0.0.0:2222"),
            ("::1", "\"::1\" has no port: write [::1]:2222"),
            (
                "loopback",
                "\"loopback\" is not an address: write ADDR:PORT",
            ),
        ] {
            let e = parse_listen(bad).unwrap_err();
            assert!(e.starts_with(says), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_values_are_refused() {
        for args in [
            vec!["recall", "run", "--scenario", "nope"],
            vec!["recall", "run", "--model", "nope"],
            vec!["recall", "run", "--duration", "-1"],
            vec!["recall", "run", "--noise", "nan"],
            vec!["recall", "experiment", "noise-sweep", "--sigmas", "0,x"],
        ] {
            assert!(Cli::try_parse_from(&args).is_err(), "{args:?} was accepted");
        }
    }
}
