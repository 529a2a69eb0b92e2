//! The key map: one table turns key presses into intents, and the help overlay is printed from
//! the same table, so the two cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the user wants, independent of the key that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quit,
    TogglePause,
    ToggleHelp,
    /// Close an overlay if one is open, otherwise quit.
    Back,
    RaiseNoise,
    LowerNoise,
    SpeedUp,
    SlowDown,
    CycleModel,
    ToggleCompare,
    InjectGlitch,
    NextStimulus,
    ResetState,
    CycleScenario,
    /// Rescan the pattern directory now (with `--patterns`).
    ReloadPatterns,
    /// Switch the primary model between IDP and IDP with the input filter.
    ToggleFilter,
    /// Show or hide every current pattern-file error in full.
    ToggleErrors,
    /// Scroll the memory table (when it has more memories than rows).
    ScrollUp,
    ScrollDown,
    /// Enter or leave paint mode (the keyboard cursor on the input image).
    TogglePaint,
    /// Store the drawing (or the state, by sign) as a new memory: opens the name prompt.
    Store,
    /// Turn every pixel of the drawing off.
    ClearDrawing,
    /// Flip every pixel of the drawing.
    InvertDrawing,
    /// Paint mode: move the cursor; flip the pixel under it.
    CursorLeft,
    CursorRight,
    CursorUp,
    CursorDown,
    TogglePixel,
    /// The name prompt: a typed character, Backspace, Ctrl-U, Enter.
    Type(char),
    Erase,
    ClearLine,
    Confirm,
    /// Explore: α of the first / second memory of the walk up or down, the others' level.
    RaiseFirst,
    LowerFirst,
    RaiseSecond,
    LowerSecond,
    RaiseRest,
    LowerRest,
    /// Density: the paper's Fig. 4a / 4b (α and σ of the panel).
    DensityFig4a,
    DensityFig4b,
    /// Density: the two-neuron network IDP ↔ idp-modern (σ, α and β kept).
    DensityModel,
    /// A lesson: the next chapter, the chapter before (`recall lesson`).
    NextChapter,
    PrevChapter,
}

/// What the keys mean now: the dashboard's map, paint mode's (arrows and space on the cursor,
/// then the dashboard's), or the name prompt's (text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    Normal,
    Paint,
    Prompt,
    /// The `explore` scenario: the arrows and < > set the saliencies.
    Explore,
    /// The `density` scenario: the arrows set α1 and α2, + - σ, a b the paper's panels.
    Density,
    /// A lesson runs: → ← turn its pages.
    Lesson,
    /// A lesson's explore chapter: the arrows set the saliencies, PgDn PgUp turn the pages.
    LessonExplore,
    /// A lesson's density chapter: the arrows set α1 and α2, PgDn PgUp turn the pages.
    LessonDensity,
}

/// One row of the key map.
pub struct Binding {
    pub code: KeyCode,
    /// Ctrl must be held (and only then does the binding match).
    pub ctrl: bool,
    pub intent: Intent,
}

const fn key(c: char, intent: Intent) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        ctrl: false,
        intent,
    }
}

/// Every binding.
pub const KEYMAP: &[Binding] = &[
    key(' ', Intent::TogglePause),
    key('q', Intent::Quit),
    Binding {
        code: KeyCode::Esc,
        ctrl: false,
        intent: Intent::Back,
    },
    Binding {
        code: KeyCode::Char('c'),
        ctrl: true,
        intent: Intent::Quit,
    },
    key('?', Intent::ToggleHelp),
    key('h', Intent::ToggleHelp),
    key('+', Intent::RaiseNoise),
    key('=', Intent::RaiseNoise),
    key('-', Intent::LowerNoise),
    key('_', Intent::LowerNoise),
    key(']', Intent::SpeedUp),
    key('[', Intent::SlowDown),
    key('m', Intent::CycleModel),
    key('c', Intent::ToggleCompare),
    key('g', Intent::InjectGlitch),
    key('n', Intent::NextStimulus),
    key('r', Intent::ResetState),
    key('s', Intent::CycleScenario),
    key('l', Intent::ReloadPatterns),
    key('f', Intent::ToggleFilter),
    key('e', Intent::ToggleErrors),
    Binding {
        code: KeyCode::Up,
        ctrl: false,
        intent: Intent::ScrollUp,
    },
    Binding {
        code: KeyCode::Down,
        ctrl: false,
        intent: Intent::ScrollDown,
    },
    key('p', Intent::TogglePaint),
    key('w', Intent::Store),
    key('x', Intent::ClearDrawing),
    key('i', Intent::InvertDrawing),
];

const fn code(code: KeyCode, intent: Intent) -> Binding {
    Binding {
        code,
        ctrl: false,
        intent,
    }
}

/// The `explore` scenario's own keys (←/→ the first memory's α, ↑/↓ the second's, < > the
/// others'); the rest are the dashboard's.
pub const EXPLORE_KEYMAP: &[Binding] = &[
    code(KeyCode::Left, Intent::LowerFirst),
    code(KeyCode::Right, Intent::RaiseFirst),
    code(KeyCode::Up, Intent::RaiseSecond),
    code(KeyCode::Down, Intent::LowerSecond),
    key('<', Intent::LowerRest),
    key(',', Intent::LowerRest),
    key('>', Intent::RaiseRest),
    key('.', Intent::RaiseRest),
];

/// The `density` scenario's own keys (←/→ α1, ↑/↓ α2, a/b the paper's panels, m the network;
/// + - are σ as everywhere); the rest are the dashboard's.
pub const DENSITY_KEYMAP: &[Binding] = &[
    code(KeyCode::Left, Intent::LowerFirst),
    code(KeyCode::Right, Intent::RaiseFirst),
    code(KeyCode::Up, Intent::RaiseSecond),
    code(KeyCode::Down, Intent::LowerSecond),
    key('a', Intent::DensityFig4a),
    key('b', Intent::DensityFig4b),
    key('m', Intent::DensityModel),
];

/// A lesson's own keys (`recall lesson`); the rest are the dashboard's.
pub const LESSON_KEYMAP: &[Binding] = &[
    code(KeyCode::Right, Intent::NextChapter),
    code(KeyCode::PageDown, Intent::NextChapter),
    code(KeyCode::Enter, Intent::NextChapter),
    code(KeyCode::Left, Intent::PrevChapter),
    code(KeyCode::PageUp, Intent::PrevChapter),
];

/// A lesson's keys in an explore or density chapter, where the arrows set the saliencies.
pub const LESSON_PAGE_KEYMAP: &[Binding] = &[
    code(KeyCode::PageDown, Intent::NextChapter),
    code(KeyCode::Enter, Intent::NextChapter),
    code(KeyCode::PageUp, Intent::PrevChapter),
];

/// Paint mode's own keys; the rest are the dashboard's.
pub const PAINT_KEYMAP: &[Binding] = &[
    code(KeyCode::Left, Intent::CursorLeft),
    code(KeyCode::Right, Intent::CursorRight),
    code(KeyCode::Up, Intent::CursorUp),
    code(KeyCode::Down, Intent::CursorDown),
    key(' ', Intent::TogglePixel),
    code(KeyCode::Enter, Intent::TogglePixel),
    code(KeyCode::Esc, Intent::TogglePaint),
];

/// Ctrl-Z's line of the help: on the user's own terminal only (a served screen does not
/// suspend: every screen would freeze).
pub const SUSPEND: (&str, &str) = ("Ctrl-Z", "suspend (fg resumes and redraws)");

/// The help overlay's lines: keys as shown, and what they do.
pub const HELP: &[(&str, &str)] = &[
    ("space", "pause / resume"),
    ("q  Esc  Ctrl-C", "quit (Esc first closes an overlay)"),
    SUSPEND,
    ("?  h", "this help"),
    ("+  -", "noise σ up / down"),
    ("]  [", "speed (model s per wall s) up / down"),
    ("m", "cycle the model"),
    (
        "c",
        "compare: IDP beside classic-pulsed, any other beside idp",
    ),
    ("g", "inject a glitch now"),
    ("n", "jump to the next stimulus"),
    ("r", "reset the state to random"),
    ("s", "cycle the scenario"),
    ("l", "reload the pattern files now (--patterns)"),
    (
        "f",
        "input filter: idp ↔ idp-filter (τα); others → idp-filter",
    ),
    ("e", "every pattern-file error in full (--patterns)"),
    ("↑  ↓", "scroll the memory table (when it has more)"),
    ("mouse", "paint the input: left on, right off (drag)"),
    ("p", "paint mode: arrows move, space flips, p leaves"),
    ("x  i", "clear / invert the drawing"),
    ("n", "(drawing) back to the stream"),
    ("w", "store the drawing (or the state) as a memory"),
    (
        "← →  ↑ ↓  < >",
        "(explore) α of the 1st, the 2nd, the others",
    ),
    ("← →  ↑ ↓", "(density) α1 / α2 down / up by 0.25"),
    ("+  -", "(density) σ of the particles up / down by 0.1"),
    (
        "a  b",
        "(density) the paper's Fig. 4a (α 1.5, 1.5) / 4b (1.5, 2.25)",
    ),
    ("r", "(density) particles back over the wells, samples anew"),
    (
        "m",
        "(density) network: IDP (Fig. 4) ↔ idp-modern, exact exp(−2E_β/σ²)",
    ),
    (
        "→  ←  PgDn PgUp",
        "(lesson) next / previous chapter (explore, density: PgDn PgUp)",
    ),
];

/// The help overlay's "reading the screen": every mark and word the dashboard shows, one line
/// each, in the words of docs/dashboard.md (its table "Reading the screen" says the same).
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "input u",
        "the image the network sees now; \"holds tree\": the memory the stream holds \
         (explore: \"most about tree\", the largest saliency you set)",
    ),
    (
        "glitch to bird at 17.0 s",
        "a glitch in this hold: when it comes; then \"glitch to bird\" while it shows, \"after a glitch to bird\"",
    ),
    (
        "partial sun (window)",
        "the stream shows part of sun: a window of it (a half, or its middle), or \"(46% visible)\" of its pixels at random; the network is to complete it",
    ),
    (
        "morph dog → sun",
        "the stream turns dog into sun: \"(crossfade)\" blends the two images, \"(pixels)\" swaps pixels one by one",
    ),
    (
        "flips 0% → 45%",
        "noise-ramp: the share of the stream's pixels flipped at random grows over the hold",
    ),
    (
        "GLITCH, (glitch!)",
        "a glitch shows now: the input is briefly another memory (\"shows bird\"), while the stream still holds the first",
    ),
    (
        "retrieved cat after 1.2 s",
        "event log: from the stream's change to cat, or (out of confusion) from the later of the input last coming to cat (a change, a glitch's start or end) and the model losing its memory, until |m| ≥ 0.5",
    ),
    (
        "on cat already as …",
        "event log: the model held cat before the input changed to it (no retrieval, latency 0)",
    ),
    (
        "on cat while the input …",
        "event log: out of confusion onto cat while the input shows another memory (◀; of a blend, its largest part) or none; no latency",
    ),
    (
        "… at 32.0 s corrected",
        "event log: a glitch is judged when followed or seconds after it ends; the line says when it began",
    ),
    (
        "pulsed   dog → cat",
        "event log: a line names its model while models are compared, and when that model no longer runs (a comparison turned off, a lesson's earlier chapter)",
    ),
    (
        "idp-mod…",
        "a name cut to fit (… marks the cut): idp-modern, idp-filter",
    ),
    (
        "pulsed",
        "classic-pulsed, shortened to fit (likewise constant, initial: classic-constant, classic-initial)",
    ),
    (
        "mixture bird 1.00",
        "the input is a blend: each memory's weight in it, largest first (not its α)",
    ),
    (
        "state Ψ(x)",
        "the network's state, averaged over 0.3 s of model time",
    ),
    (
        "recalled",
        "the memory whose overlap |m| is above 0.5 (none: all |m| < 0.5)",
    ),
    (
        "nearest fish",
        "nothing recalled (every |m| < 0.5): the memory nearest the state (−fish: its mirror) and its m; all |m| < 0.1: \"near no memory\"",
    ),
    (
        "✓  97%",
        "it recalls the memory the stream holds; the tracking accuracy so far",
    ),
    (
        "m  |m_μ|",
        "overlap of the state with memory μ: 1 is the memory, −1 its mirror",
    ),
    (
        "−tree",
        "the mirror −ξ of tree (a negative picture): an equilibrium too, |m| counts it",
    ),
    ("◀", "the memory the input shows now (overlaps legend)"),
    (
        "in  input",
        "strip above the overlaps: what the input showed, in its memory's colour",
    ),
    (
        "+3 lower |m|",
        "the legend leaves out 3 memories, all with a lower |m| than those listed",
    ),
    (
        "E/N",
        "energy per neuron E(x;u)/N, the unit of every energy shown; lower = deeper",
    ),
    (
        "α",
        "saliency α_μ: how much the input is about memory μ (the bar; idp-filter: filtered); \
         the bar is green for a well, yellow for a saddle, grey for none",
    ),
    (
        "1/g+Σα/N",
        "existence threshold (┃ on the bars): above it a memory has an equilibrium",
    ),
    (
        "α*",
        "stability threshold: above it that equilibrium is stable, a well",
    ),
    (
        "W = ΞΞᵀ/N",
        "classic and discrete models: W weighs each memory 1; α (the bars) is the input's",
    ),
    (
        "discrete rows",
        "exact: sign sweeps from ±ξ end at a fixed point, a well when still that memory's",
    ),
    (
        "x = Ξ softmax (no α)",
        "modern: its fixed points weigh each memory 1; α (the bars) is the input's, unused",
    ),
    (
        "m=+1.05",
        "modern models: Ψ = x is not bounded by 1, so an overlap can pass 1 (noise adds to it)",
    ),
    (
        "E/N 0.53",
        "modern models: noise adds about σ²/4 to E/N (x spreads along every direction): the \
         state sits above its well's −0.500",
    ),
    (
        "≈",
        "the thresholds are the paper's orthogonal closed forms; the memories overlap, so the \
         solved rows can disagree (just above α*, no well of its own)",
    ),
    (
        "◆ well",
        "a stable equilibrium at ±ξ: the state can rest there",
    ),
    ("× saddle", "an equilibrium the state slides off"),
    ("none", "no equilibrium of its own near ±ξ"),
    ("→sun", "where a state started at that memory goes instead"),
    (
        "−4.466  #1",
        "a well's depth E/N and its rank among the wells, deepest first (equal depths: one rank)",
    ),
    (
        "solved 0.3 s ago",
        "the rows are solved for the landscape of 0.3 s ago (closed forms before); \
         \"still current\": older, but the landscape has not moved since",
    ),
    (
        "stale (moved 0.2 s ago)",
        "the rows are over 1 s old and the landscape moved 0.2 s ago; a new solve runs",
    ),
    (
        "closed forms, not solved",
        "above 64 memories (or more memories than neurons) a solve would take seconds to \
         minutes: the rows stay the closed forms (a modern model has none: α only)",
    ),
    (
        "solving…",
        "a modern model before its first solve: no closed forms, so α only until it is back",
    ),
    (
        "a·cat + b·dog",
        "landscape plane: Ψ = a·ξ₁ + b·ξ₂ of the table's wells #1 and #2 (else, or on a tie, the most salient); \
         \"E(Ψ) cat/dog\" where the title is short",
    ),
    (
        "diamond",
        "|a| + |b| ≤ 1, the states with those activations; corners ±ξ₁, ±ξ₂",
    ),
    (
        "c  b  -",
        "a small landscape (no legend) marks a well by its memory's initial (b: +bird), \
         a mirror's well by -, a saddle by ×",
    ),
    (
        "Ξ(α⊙softmax), β",
        "modern models: the rows are their solved fixed points; β the softmax's sharpness",
    ),
    (
        "E_β on x = a·…",
        "modern models: E_β on the state plane x = a·ξ₁ + b·ξ₂ (Ψ = x, no diamond); \
         names on black mark x = ±ξ₁, ±ξ₂",
    ),
    (
        "E/N −5.0 ▇▇ 0.0",
        "colour key of the landscape: darker is lower E/N (no colour: \"█ = deep\", denser is lower)",
    ),
    (
        "● ·",
        "the state's activations on the plane, and its recent path",
    ),
    (
        "particles, cloud",
        "density: where 1000 noisy two-neuron states (the cloud) have been (after the burn-in)",
    ),
    (
        "Fokker–Planck",
        "density: the stationary density the theory predicts, same grid, same colours",
    ),
    (
        "P 0 ▇▇ 0.44%",
        "density's colour key: probability P per cell, brighter = more; blank < 1% of max",
    ),
    (
        "◆ ±ξ1 ±ξ2",
        "density: the stable wells of the two-neuron network, at ±γ·ξ",
    ),
    (
        "at (1.3, 1.3)",
        "density: where the well is, (x1, x2) (two decimals from 98 columns)",
    ),
    (
        "near 0.6",
        "density: the mass within 0.6 of a well (the authors' ball)",
    ),
    (
        "basin",
        "density: the mass whose noise-free flow ends in that well",
    ),
    (
        "0.18 ± 0.01",
        "density: measured mass ± one standard error (spread of 20 groups of particles)",
    ),
    (
        "FP  z",
        "density: the grid solve's mass; z = (measured − FP) / error, |z| < 2 mostly",
    ),
    (
        "burn-in",
        "density: 20 s (idp-modern 60 s) after a change before samples count (the cloud now, no z)",
    ),
    (
        "solving…",
        "density: the grid solve of these σ, α runs; no theory number until it is back",
    ),
    (
        "idp-modern exact",
        "density, m: idp-modern's exact exp(−2E_β/σ²) (gradient flow); wells +ξ only, near α·ξ",
    ),
    (
        "σ  ×1  dt  τα",
        "noise, speed (model s per wall s), time step, input filter time",
    ),
    (
        "1024×10  fps  steps/s",
        "N × P, neurons × memories; screens drawn per second (… for the first second); model \
         steps simulated per wall-clock second (st/s; … for the half second it is measured after \
         a start, a pause or a change of speed)",
    ),
    (
        "ssh -p … · N",
        "recall serve: how to join, and how many viewers watch (presenter, host)",
    ),
    (
        "you …",
        "the log: what a key you pressed did (models, scenario, a lesson's chapter); \
         \"left after 47 s connected\": wall-clock seconds, unlike the log's model time",
    ),
    (
        "presenter NAME …",
        "recall serve's log: who did it (\"you\" on your own screen; \"host terminal\": the server's own; \
         \"no presenter left: resumed\": the last presenter left the run paused)",
    ),
    (
        "2/7 title · Fig. 2",
        "recall lesson: the chapter, its title and the paper's figure; the caption below it",
    ),
    (
        "next when …",
        "recall lesson: what ends the chapter by itself (→ at once; \"p, then →\" while painting; \
         a viewer of recall serve sees it without keys: \"the presenter turns the pages\"); \
         the caption quotes the run",
    ),
    (
        "o idp  x pulsed",
        "energy chart without colour: each model's line drawn in its own character, named beside it",
    ),
    (
        "view only",
        "recall serve: a viewer's key that only the presenter may press (the run is theirs)",
    ),
    (
        "shared control",
        "recall serve: other screens' keys change the run too (a second presenter, the host)",
    ),
];

/// The help overlay's sentences under the glossary.
pub const HELP_NOTES: &[&str] = &[
    "IDP: the input sets the synapses W(u); the state rolls into the memory the input is most about.",
    "\"none\" beside an α far above the threshold is the theory of correlated memories: the \
     thresholds are closed forms for orthogonal memories, while the rows are solved for the \
     actual, overlapping pictures; there a more salient memory that it overlaps takes its pull, \
     so it has no equilibrium of its own, and → names where a state started at it goes.",
    "In explore the plane is the two memories the arrows set, as long as they are the ones set.",
    "Density (s to it, or --scenario density) is the paper's Fig. 4: two neurons, ξ1 = (1, 1), \
     ξ2 = (1, −1), dx = (−x + W(α)tanh x)dt + σ dB. Noise lets the cloud cross between wells; \
     the memory with the larger α takes the mass, more so at lower σ. The network waits. m \
     switches to idp-modern, ẋ = −∇E_β: there the density exp(−2E_β/σ²) is exact.",
];

/// What the key line is showing keys for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintMode {
    Normal,
    /// Paint mode: the keyboard cursor on the input image.
    Paint,
    /// A mouse drawing is the input (no cursor).
    Drawing,
    Explore,
    Density,
    /// The help overlay is open.
    Help,
    /// The pattern-error overlay is open.
    Errors,
    /// A viewer of `recall serve` (view only).
    Viewer,
    /// A viewer of `recall serve` while the run shows the density view (no memories, no
    /// compared models there).
    ViewerDensity,
    /// A lesson runs (`recall lesson`).
    Lesson,
    /// A lesson's explore chapter.
    LessonExplore,
    /// A lesson's density chapter.
    LessonDensity,
}

/// The key line of `mode` at `width` columns: (keys, what), most important first.
pub fn hints(mode: HintMode, width: u16) -> &'static [(&'static str, &'static str)] {
    let wide = width >= 120;
    let medium = width >= 100;
    match mode {
        HintMode::Normal if wide => &[
            ("?", "help"),
            ("space", "pause"),
            ("+/-", "noise"),
            ("[/]", "speed"),
            ("m", "model"),
            ("f", "filter"),
            ("c", "compare"),
            ("g", "glitch"),
            ("n", "next"),
            ("r", "reset"),
            ("s", "scenario"),
            ("q", "quit"),
        ],
        HintMode::Normal if medium => &[
            ("?", "help"),
            ("space", "pause"),
            ("+/-", "noise"),
            ("g", "glitch"),
            ("c", "compare"),
            ("q", "quit"),
        ],
        // Room for what the layout leaves out; the help lists every key.
        HintMode::Normal => &[
            ("?", "help"),
            ("space", "pause"),
            ("g", "glitch"),
            ("c", "compare"),
            ("q", "quit"),
        ],
        HintMode::Paint if medium => &[
            ("←↑↓→", "move"),
            ("space", "flip pixel"),
            ("x/i", "clear/invert"),
            ("w", "store"),
            ("n", "back to stream"),
            ("p/Esc", "cursor off"),
            ("?", "help"),
        ],
        HintMode::Paint => &[
            ("←↑↓→", "move"),
            ("space", "flip"),
            ("w", "store"),
            ("n", "stream"),
            ("p", "cursor off"),
        ],
        HintMode::Drawing if medium => &[
            ("mouse", "left on, right off"),
            ("p", "cursor"),
            ("x/i", "clear/invert"),
            ("w", "store"),
            ("n", "back to stream"),
            ("space", "pause"),
            ("?", "help"),
        ],
        HintMode::Drawing => &[
            ("mouse", "paint"),
            ("p", "cursor"),
            ("w", "store"),
            ("n", "stream"),
            ("?", "help"),
        ],
        HintMode::Explore if medium => &[
            ("←/→", "α 1st"),
            ("↑/↓", "α 2nd"),
            ("</>", "α others"),
            ("+/-", "noise"),
            ("space", "pause"),
            ("s", "scenario"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Explore => &[
            ("←/→", "α 1st"),
            ("↑/↓", "α 2nd"),
            ("</>", "others"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Density if medium => &[
            ("←/→", "α1"),
            ("↑/↓", "α2"),
            ("+/-", "σ"),
            ("a/b", "Fig. 4a/4b"),
            ("m", "model"),
            ("r", "restart"),
            ("[/]", "speed"),
            ("s", "scenario"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Density => &[
            ("←/→", "α1"),
            ("↑/↓", "α2"),
            ("+/-", "σ"),
            ("a/b", "4a/4b"),
            ("m", "model"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Lesson if medium => &[
            ("→/←", "next/back"),
            ("space", "pause"),
            ("+/-", "noise"),
            ("[/]", "speed"),
            ("g", "glitch"),
            ("c", "compare"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Lesson => &[
            ("→/←", "chapter"),
            ("space", "pause"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::LessonExplore => &[
            ("PgDn/PgUp", "chapter"),
            ("←/→", "α 1st"),
            ("↑/↓", "α 2nd"),
            ("space", "pause"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::LessonDensity => &[
            ("PgDn/PgUp", "chapter"),
            ("←/→", "α1"),
            ("↑/↓", "α2"),
            ("+/-", "σ"),
            ("?", "help"),
            ("q", "quit"),
        ],
        HintMode::Help => &[("↑/↓", "scroll"), ("?/Esc", "close help"), ("q", "quit")],
        HintMode::Errors => &[("e/Esc", "close"), ("q", "quit")],
        HintMode::Viewer if medium => &[
            ("?", "help"),
            ("space", "pause this screen"),
            ("c", "compare shown"),
            ("↑/↓", "memories"),
            ("q", "leave"),
        ],
        // Narrow: no memory table to scroll, and room for what the layout leaves out.
        HintMode::Viewer => &[
            ("?", "help"),
            ("space", "pause screen"),
            ("c", "compare"),
            ("q", "leave"),
        ],
        HintMode::ViewerDensity => &[
            ("?", "help"),
            ("space", "pause this screen"),
            ("q", "leave"),
        ],
    }
}

/// The help overlay of a viewer of `recall serve`: the keys that change only its own screen.
pub const VIEWER_HELP: &[(&str, &str)] = &[
    ("space", "pause / resume this screen (the run goes on)"),
    ("?  h", "this help"),
    (
        "c",
        "show / hide the compared models (when the run has them)",
    ),
    ("↑  ↓", "scroll the memory table (when it has more)"),
    ("e", "every pattern-file error in full (--patterns)"),
    ("q  Esc  Ctrl-C", "leave (Esc first closes an overlay)"),
];

/// The intent of a key press on the dashboard, if it has one. Releases are ignored.
pub fn intent_for(event: KeyEvent) -> Option<Intent> {
    lookup(KEYMAP, event)
}

/// The intent of a key press in `mode`.
pub fn intent_in(mode: KeyMode, event: KeyEvent) -> Option<Intent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match mode {
        KeyMode::Normal => intent_for(event),
        KeyMode::Paint => lookup(PAINT_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::Explore => lookup(EXPLORE_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::Density => lookup(DENSITY_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::Lesson => lookup(LESSON_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::LessonExplore => lookup(LESSON_PAGE_KEYMAP, event)
            .or_else(|| lookup(EXPLORE_KEYMAP, event))
            .or_else(|| intent_for(event)),
        KeyMode::LessonDensity => lookup(LESSON_PAGE_KEYMAP, event)
            .or_else(|| lookup(DENSITY_KEYMAP, event))
            .or_else(|| intent_for(event)),
        KeyMode::Prompt => match event.code {
            KeyCode::Char('c') if ctrl => Some(Intent::Quit),
            KeyCode::Char('u') if ctrl => Some(Intent::ClearLine),
            KeyCode::Char(c) if !ctrl => Some(Intent::Type(c)),
            KeyCode::Backspace => Some(Intent::Erase),
            KeyCode::Enter => Some(Intent::Confirm),
            KeyCode::Esc => Some(Intent::Back),
            _ => None,
        },
    }
}

fn lookup(map: &[Binding], event: KeyEvent) -> Option<Intent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    map.iter()
        .find(|b| b.code == event.code && b.ctrl == ctrl)
        .map(|b| b.intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_c_quits_but_c_compares() {
        assert_eq!(
            intent_for(press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Intent::Quit)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Intent::ToggleCompare)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn shifted_symbols_still_match() {
        // Terminals report '?' and '+' with SHIFT held.
        assert_eq!(
            intent_for(press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Intent::ToggleHelp)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('+'), KeyModifiers::SHIFT)),
            Some(Intent::RaiseNoise)
        );
    }

    #[test]
    fn every_intent_has_a_key() {
        use Intent::*;
        for intent in [
            Quit,
            TogglePause,
            ToggleHelp,
            Back,
            RaiseNoise,
            LowerNoise,
            SpeedUp,
            SlowDown,
            CycleModel,
            ToggleCompare,
            InjectGlitch,
            NextStimulus,
            ResetState,
            CycleScenario,
            ReloadPatterns,
            ToggleFilter,
            ToggleErrors,
            ScrollUp,
            ScrollDown,
            TogglePaint,
            Store,
            ClearDrawing,
            InvertDrawing,
        ] {
            assert!(
                KEYMAP.iter().any(|b| b.intent == intent),
                "{intent:?} has no key"
            );
        }
        for intent in [CursorLeft, CursorRight, CursorUp, CursorDown, TogglePixel] {
            assert!(PAINT_KEYMAP.iter().any(|b| b.intent == intent));
        }
        for intent in [
            RaiseFirst,
            LowerFirst,
            RaiseSecond,
            LowerSecond,
            RaiseRest,
            LowerRest,
        ] {
            assert!(EXPLORE_KEYMAP.iter().any(|b| b.intent == intent));
        }
        for intent in [
            RaiseFirst,
            LowerFirst,
            RaiseSecond,
            LowerSecond,
            DensityFig4a,
            DensityFig4b,
            DensityModel,
        ] {
            assert!(DENSITY_KEYMAP.iter().any(|b| b.intent == intent));
        }
    }

    #[test]
    fn paint_mode_takes_the_arrows_and_space_and_the_prompt_takes_text() {
        let up = press(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Normal, up), Some(Intent::ScrollUp));
        assert_eq!(intent_in(KeyMode::Paint, up), Some(Intent::CursorUp));
        let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Paint, space), Some(Intent::TogglePixel));
        // Other keys keep their meaning while painting.
        let plus = press(KeyCode::Char('+'), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Paint, plus), Some(Intent::RaiseNoise));
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Prompt, q), Some(Intent::Type('q')));
        let ctrl_u = press(KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(intent_in(KeyMode::Prompt, ctrl_u), Some(Intent::ClearLine));
        let esc = press(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Prompt, esc), Some(Intent::Back));
    }
}
