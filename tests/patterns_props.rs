//! Property tests: no input makes the pattern parsers panic, and the text format round-trips.

use proptest::prelude::*;
use recall::patterns::{parse_pbm, parse_png, parse_text, to_text};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn text_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_text(&bytes);
    }

    #[test]
    fn text_parser_never_panics_on_near_valid_text(s in "[#.;\n\r \tx\u{1b}é]{0,400}") {
        if let Err(e) = parse_text(s.as_bytes()) {
            // Every error message is printable as is.
            let shown = e.to_string();
            prop_assert!(!shown.contains('\x1b'), "raw escape in {:?}", shown);
        }
    }

    #[test]
    fn pbm_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_pbm(&bytes);
    }

    #[test]
    fn pbm_parser_never_panics_on_near_valid_headers(
        magic in prop_oneof![Just("P1"), Just("P4")],
        w in 0usize..300, h in 0usize..300,
        sep in "[ \n#a]{1,3}",
        data in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = format!("{magic}{sep}{w}{sep}{h}\n").into_bytes();
        bytes.extend(data);
        let _ = parse_pbm(&bytes);
    }

    #[test]
    fn png_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut with_magic = b"\x89PNG\r\n\x1a\n".to_vec();
        with_magic.extend(&bytes);
        let _ = parse_png(&with_magic);
        let _ = parse_png(&bytes);
    }

    #[test]
    fn text_round_trips(w in 1usize..40, h in 1usize..40, seed in any::<u64>()) {
        let rows: String = (0..h)
            .map(|y| {
                let row: String = (0..w)
                    .map(|x| if (seed >> ((x * 7 + y * 13) % 64)) & 1 == 1 { '#' } else { '.' })
                    .collect();
                row + "\n"
            })
            .collect();
        let b = parse_text(rows.as_bytes()).unwrap();
        prop_assert_eq!((b.width, b.height), (w, h));
        prop_assert_eq!(to_text(&b), rows);
    }
}
