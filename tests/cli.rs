//! The command-line program: sums on stdout, one line on stderr and status 2 for bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: impl AsRef<[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_const-rnn"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_ref())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts a usage error: status 2, nothing on stdout, one line on stderr containing `needle`.
fn assert_usage_error(args: &[&str], stdin: &str, needle: &str) {
    let output = run(args, stdin);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{args:?}: stderr {err:?}");
    assert!(
        err.contains(needle),
        "{args:?}: stderr {err:?} lacks {needle:?}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn add_prints_the_sum_and_nothing_else() {
    let output = run(&["add", "2", "3"], "");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "5\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn add_handles_128_bit_operands_and_the_129_bit_sum() {
    let max = u128::MAX.to_string();
    let output = run(&["add", &max, &max], "");
    assert_eq!(stdout(&output), "680564733841876926926749214863536422910\n"); // 2^129 - 2
    let output = run(&["add", &max, "1"], "");
    assert_eq!(stdout(&output), "340282366920938463463374607431768211456\n"); // 2^128
    let output = run(&["add", "18446744073709551615", "18446744073709551617"], "");
    assert_eq!(stdout(&output), "36893488147419103232\n"); // 2^65
}

#[test]
fn add_without_operands_reads_pairs_from_stdin() {
    let output = run(
        &["add"],
        "1 2\n\n100 27\n  340282366920938463463374607431768211455 1  \n0 0\n",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout(&output),
        "3\n127\n340282366920938463463374607431768211456\n0\n"
    );
}

#[test]
fn bad_operands_are_one_line_errors_with_status_2() {
    assert_usage_error(&["add", "-5", "3"], "", "negative");
    assert_usage_error(&["add", "5", "abc"], "", "not a decimal integer");
    assert_usage_error(&["add", "1.5", "3"], "", "not a whole number");
    assert_usage_error(&["add", "1e3", "3"], "", "not a decimal integer");
    assert_usage_error(&["add", "++5", "3"], "", "not a decimal integer");
    assert_usage_error(&["add", "+", "3"], "", "not a decimal integer");
    assert_usage_error(&["add", "", "3"], "", "empty");
    // Operands of more than 128 bits are sums like any other: see add_adds_two_10000_digit_numbers_exactly.
    assert!(
        run(&["add", "340282366920938463463374607431768211456", "1"], "")
            .status
            .success()
    );
    assert_usage_error(&["add", "5"], "", "two operands");
    assert_usage_error(&["add", "1", "2", "3"], "", "two operands");
    assert_usage_error(&["add", "0x10", "1"], "", "not a decimal integer");
}

#[test]
fn a_leading_plus_is_accepted() {
    assert_eq!(stdout(&run(&["add", "+5", "+0"], "")), "5\n");
}

#[test]
fn invalid_utf8_on_stdin_is_a_usage_error() {
    let output = run(&["add"], b"1 2\n\xff\xfe 3\n");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "3\n");
    assert_eq!(stderr(&output), "error: line 2: not valid UTF-8\n");
}

#[test]
fn bad_stdin_lines_name_the_line() {
    let output = run(&["add"], "1 2\n3\n4 5\n");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "3\n"); // sums before the bad line are printed
    assert_eq!(
        stderr(&output).trim(),
        "error: line 2: expected two operands, got 1"
    );
    assert_usage_error(&["add"], "7 -1\n", "line 1: operand \"-1\" is negative");
}

#[test]
fn unknown_arguments_are_one_line_errors_with_status_2() {
    assert_usage_error(&["frobnicate"], "", "see const-rnn --help");
    assert_usage_error(&["--seed"], "", "a value is required for '--seed");
    assert_usage_error(&["--seed", "-1"], "", "seed");
    assert_usage_error(&["bench", "extra"], "", "see const-rnn bench --help");
}

#[test]
fn experiment_reports_progress_and_summary() {
    let output = run(&["--seed", "0"], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert_eq!(text.matches("\nsample ").count(), 10, "{text}");
    assert!(text.contains("sample 10000\n"));
    assert!(text.contains(" = "));
    assert!(text.contains("16384/16384"), "{text}");
    assert!(text.contains(" us/sample"));
    assert_eq!(text.matches("64-bit: ").count(), 3);
    assert_eq!(text.matches("128-bit: ").count(), 7);
    // The seed's network sums every 8-bit pair, yet the verifier finds a wrong sum ...
    assert!(text.contains("\ncounterexample: "), "{text}");
    // ... the default recipe trains on until it finds none and proves the
    // network, and the wide sums use that network.
    assert!(text.contains("proven after "), "{text}");
    assert!(
        text.lines().last().unwrap().starts_with(
            "proven: every output bit is right for every input of every length (512 cells"
        ),
        "{text}"
    );
    assert!(
        text.contains("128-bit: 0 + 340282366920938463463374607431768211455 = "),
        "{text}"
    );
    assert_eq!(text.matches("exact)").count(), 10, "{text}");
    assert_eq!(text.matches("WRONG").count(), 0, "{text}");
}

/// The operands, the network's sum and the expected sum of a line
/// `counterexample: A + B = X (W bits), expected Y`.
fn parse_counterexample(line: &str) -> (u128, u128, u128, usize, u128) {
    let rest = line.strip_prefix("counterexample: ").unwrap();
    let (a, rest) = rest.split_once(" + ").unwrap();
    let (b, rest) = rest.split_once(" = ").unwrap();
    let (sum, rest) = rest.split_once(" (").unwrap();
    let (width, expected) = rest.split_once(" bits), expected ").unwrap();
    let number = |text: &str| text.parse::<u128>().unwrap();
    (
        number(a),
        number(b),
        number(sum),
        width.parse().unwrap(),
        number(expected),
    )
}

#[test]
fn verify_plain_finds_a_real_counterexample_and_exits_1() {
    let output = run(
        &["verify", "--plain", "--seed", "0", "--samples", "10000"],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    let line = text.lines().next().unwrap();
    let (a, b, sum, width, expected) = parse_counterexample(line);
    assert!(width < 128 && a >> width == 0 && b >> width == 0, "{line}");
    assert_eq!(expected, a + b, "{line}");
    assert_ne!(sum, expected, "{line}");
    // The network's sum is what the library's adder computes.
    let adder = const_rnn::train_plain(&const_rnn::AdderConfig::default()).unwrap();
    assert_eq!(
        const_rnn::decimal_sum(width, adder.add_width(width, a, b).unwrap()),
        sum.to_string()
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn verify_passes_the_default_network_and_exits_0() {
    let output = run(&["verify"], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("verified: "), "{text}");
    assert!(text.contains("22369620 exhaustive"), "{text}");
    assert!(text.contains("100000 random"), "{text}");
}

#[test]
fn seeds_reports_each_seed_and_a_summary() {
    let output = run(&["seeds", "0..1"], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("seed 0: proven after 15000 samples"),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("proven 1/1, verified 1/1, median 15000 samples, worst 15000"),
        "{text}"
    );
}

#[test]
fn prove_proves_the_default_network_within_seconds_and_exits_0() {
    let output = run(&["prove"], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with(
            "proven: every output bit is right for every input of every length (512 cells, "
        ),
        "{text}"
    );
}

/// A fresh path in the temporary directory for this test.
fn temporary(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("const-rnn-cli-{}-{name}", std::process::id()))
}

#[test]
fn certificates_written_by_prove_are_accepted_by_check_and_altered_ones_refused() {
    let (model, certificate) = (temporary("model.json"), temporary("certificate.json"));
    let (model_arg, certificate_arg) = (model.to_str().unwrap(), certificate.to_str().unwrap());
    let output = run(&["train", "--save", model_arg], "");
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).contains("proven: every output bit"),
        "{output:?}"
    );
    let output = run(
        &[
            "prove",
            "--model",
            model_arg,
            "--certificate",
            certificate_arg,
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let output = run(
        &[
            "check",
            "--model",
            model_arg,
            "--certificate",
            certificate_arg,
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).starts_with("certificate holds: 512 cells"),
        "{output:?}"
    );

    // A model saved with its certificate adds as a proven model.
    assert_eq!(
        stdout(&run(&["add", "--model", model_arg, "3", "508"], "")),
        "511
"
    );

    // One digit of one bound changed: refused, in one line, with status 1.
    let text = std::fs::read_to_string(&certificate).unwrap();
    let at = text.find("\"low\": [").unwrap() + 30;
    let mut altered = text.into_bytes();
    altered[at] = if altered[at] == b'3' { b'4' } else { b'3' };
    std::fs::write(&certificate, altered).unwrap();
    let output = run(
        &[
            "check",
            "--model",
            model_arg,
            "--certificate",
            certificate_arg,
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(stderr(&output).lines().count(), 1, "{output:?}");

    // The certificate of one model, checked against another.
    let output = run(
        &[
            "prove",
            "--model",
            model_arg,
            "--certificate",
            certificate_arg,
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let plain = temporary("plain.json");
    let plain_arg = plain.to_str().unwrap();
    assert!(
        run(&["train", "--plain", "--save", plain_arg], "")
            .status
            .success()
    );
    let output = run(
        &[
            "check",
            "--model",
            plain_arg,
            "--certificate",
            certificate_arg,
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr(&output).contains("not this one"), "{output:?}");

    // The seed's plain network is wrong on 3 + 508: never proven.
    let output = run(&["prove", "--model", plain_arg], "");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with("not proven: ") || text.starts_with("counterexample: "),
        "{text}"
    );
    for path in [model, certificate, plain] {
        std::fs::remove_file(path).ok();
    }
}

#[test]
fn add_adds_two_10000_digit_numbers_exactly() {
    let nines = "9".repeat(10_000);
    let output = run(&["add", &nines, "1"], "");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), format!("1{}\n", "0".repeat(10_000)));
    // Random digits, against big-integer arithmetic.
    let digits = |seed: u64| -> String {
        let mut state = seed;
        (0..10_000)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let digit = (state >> 60) % 10;
                char::from(
                    b'0' + if i == 0 {
                        1 + digit as u8 % 9
                    } else {
                        digit as u8
                    },
                )
            })
            .collect()
    };
    let (a, b) = (digits(1), digits(2));
    let output = run(&["add", &a, &b], "");
    assert!(output.status.success(), "{output:?}");
    let expected =
        a.parse::<const_rnn::BigUint>().unwrap() + b.parse::<const_rnn::BigUint>().unwrap();
    assert_eq!(stdout(&output), format!("{expected}\n"));
}

#[test]
fn add_gets_the_long_runs_the_seeds_recipe_gets_wrong() {
    for (a, b, sum) in [("3", "508", "511"), ("0", "2047", "2047")] {
        let output = run(&["add", a, b], "");
        assert!(output.status.success(), "{output:?}");
        assert_eq!(stdout(&output), format!("{sum}\n"));
    }
    let ones = u128::MAX.to_string();
    assert_eq!(stdout(&run(&["add", "0", &ones], "")), format!("{ones}\n"));
}

#[test]
fn bad_verify_and_seeds_arguments_are_usage_errors() {
    assert_usage_error(&["verify", "--seed"], "", "a value is required for '--seed");
    assert_usage_error(&["verify", "--samples", "x"], "", "--samples");
    assert_usage_error(&["verify", "--frobnicate"], "", "unexpected argument");
    assert_usage_error(&["seeds", "5..2"], "", "A..B");
    assert_usage_error(&["seeds", "0-2"], "", "A..B");
    assert_usage_error(&["seeds"], "", "see const-rnn seeds --help");
    // The seeds come from A..B; the training options are the train command's.
    assert_usage_error(&["seeds", "0..2", "--seed", "3"], "", "--seed");
    assert_usage_error(&["seeds", "0..2", "--lr", "nan"], "", "--lr");
    assert_usage_error(&["seeds", "0..2", "--hidden", "0"], "", "--hidden");
}

#[test]
fn seeds_takes_the_training_options_and_measures_the_seeds_recipe_with_plain() {
    // The seed's recipe alone: seed 1's network is wrong, seed 2's proven.
    let output = run(&["seeds", "1..3", "--plain"], "");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("seed 1: wrong after 10000 samples, ")
            && lines[0].contains("counterexample: 104 + 8 = 240 (7 bits), expected 112"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("seed 2: proven after 10000 samples (512 cells), "),
        "{text}"
    );
    assert!(
        lines[2].starts_with("proven 1/2, verified 1/2, median 10000 samples, worst 10000"),
        "{text}"
    );
    // The options reach the recipe: a run-time size, few samples.
    let output = run(
        &[
            "seeds",
            "0..1",
            "--plain",
            "--hidden",
            "5",
            "--samples",
            "100",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with("seed 0: wrong after 100 samples, "),
        "{text}"
    );
}

/// Runs the binary on raw arguments (any bytes) and asserts a usage error:
/// status 2, one line on stderr of at most 160 characters, no panic.
fn assert_bad_input(args: &[&[u8]], stdin: &[u8]) {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let mut child = Command::new(env!("CARGO_BIN_EXE_const-rnn"))
        .args(args.iter().map(|arg| OsStr::from_bytes(arg)))
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().unwrap();
    // The program may stop reading at the first bad line: a closed pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    let output = child.wait_with_output().unwrap();
    let shown: Vec<String> = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).chars().take(30).collect())
        .collect();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{shown:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{shown:?}: {err:?}");
    assert!(
        err.len() <= 160,
        "{shown:?}: {} characters: {err:?}",
        err.len()
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{shown:?}: {err}"
    );
}

#[test]
fn every_bad_input_is_one_short_line_and_status_2() {
    // An argument can hold at most 128 KiB on Linux; a line of stdin has no limit.
    // Digits of any number are an operand: a huge one ends in a letter.
    let huge = format!("{}x", "9".repeat(100_000));
    let bad_args: Vec<Vec<&[u8]>> = vec![
        vec![b"add", b"\xff", b"1"],
        vec![b"--seed", b"\xff"],
        vec![b"\xff"],
        vec![b"verify", b"--seed", b"\xfe\xff"],
        vec![b"add", huge.as_bytes(), b"1"],
        vec![b"add", b"1", huge.as_bytes()],
        vec![b"--seed", huge.as_bytes()],
        vec![b"seeds", huge.as_bytes()],
        vec![b"verify", b"--samples", huge.as_bytes()],
        vec![b"verify", huge.as_bytes()],
        vec![b"add", b"-0", b"1"],
        vec![b"add", b"NaN", b"1"],
        vec![b"add", b"inf", b"1"],
        vec![b"add", b"2.0", b"1"],
        vec![b"add", b"1e3", b"1"],
        vec![b"add", b"0b101", b"1"],
        vec![b"add", b"", b""],
        vec![b"add", b"1", b"2", b"3"],
        vec![b"verify", b"--lr", b"0"],
        vec![b"verify", b"--lr", b"-1"],
        vec![b"verify", b"--lr", b"NaN"],
        vec![b"verify", b"--lr", b"inf"],
        vec![b"verify", b"--lr", b"fast"],
        vec![b"verify", b"--lr"],
        vec![b"verify", b"--samples", b"0"],
        vec![b"verify", b"--samples", b"-5"],
        vec![b"seeds", b"3..3"],
        vec![b"seeds", b".."],
        vec![b"bench", b"now"],
        vec![b"--seed", b"1", b"extra"],
        vec![b"train", b"--save"],
        vec![b"train", b"--model", b"m.json"],
        vec![b"train", b"--samples", b"0"],
        vec![b"add", b"--model"],
        vec![
            b"add",
            b"--model",
            b"/nonexistent/const-rnn.json",
            b"1",
            b"2",
        ],
        vec![b"verify", b"--model", b"/nonexistent/const-rnn.json"],
        vec![b"export", b"--rust", b"/nonexistent/const-rnn.json"],
        vec![b"export", b"--rust"],
    ];
    for args in &bad_args {
        assert_bad_input(args, b"");
    }
    let bad_lines: [&[u8]; 6] = [
        b"1 2 3\n",
        b"1\n",
        b"\xff\xfe 1\n",
        b"-1 1\n",
        b"1.5 1\n",
        b"a b\n",
    ];
    for line in bad_lines {
        assert_bad_input(&[b"add"], line);
    }
    assert_bad_input(
        &[b"add"],
        format!("1 {}x\n", "9".repeat(10_000_000)).as_bytes(),
    );
}

#[test]
fn operands_may_be_surrounded_by_blanks_as_on_stdin() {
    let output = run(&["add", " 1", "2 "], "");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "3\n");
}

#[test]
fn a_huge_learning_rate_diverges_with_status_1() {
    let output = run(&["verify", "--plain", "--lr", "1e6"], "");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(err.starts_with("diverged at sample "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_saved_model_adds_without_retraining_and_a_damaged_one_is_refused() {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("const-rnn-cli-{}-model.json", std::process::id()));
    let path_text = path.to_str().unwrap();
    let output = run(&["train", "--save", path_text], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("solved at sample "), "{text}");
    assert!(text.contains("\nverified: "), "{text}");
    // A 100-bit sum from the file.
    let (a, b) = ((1_u128 << 100) - 1, 1_u128 << 99);
    let output = run(
        &["add", "--model", path_text, &a.to_string(), &b.to_string()],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), format!("{}\n", a + b));
    let output = run(&["verify", "--model", path_text], "");
    assert!(output.status.success(), "{output:?}");
    // Every pair of 10-bit operands, from the file.
    let output = run(&["eval", "--model", path_text, "--bits", "10"], "");
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).starts_with("1048576/1048576 exact"),
        "{output:?}"
    );
    // One addition, step by step, and its heatmap.
    let picture = dir.join(format!("const-rnn-cli-{}-show.svg", std::process::id()));
    let output = run(
        &[
            "show",
            "--model",
            path_text,
            "--plot",
            picture.to_str().unwrap(),
            "11",
            "5",
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("11 + 5 = 16 by Rnn<2, 16, 1>"), "{text}");
    // 4-bit operands: 5 steps, each with its bits and the true carry.
    assert!(text.contains("\n   0  1 1     0  "), "{text}");
    assert!(text.contains("\n   4  0 0     1  "), "{text}");
    let svg = std::fs::read_to_string(&picture).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("true carry in"),
        "{svg}"
    );
    // 16 units of 5 steps and 4 rows of bits of 5 steps, each cell framed
    // and filled in its row's colour (a cell of 0 has nothing to fill).
    assert_eq!(svg.matches(r##"stroke="#DDDDDD""##).count(), 16 * 5 + 4 * 5);
    assert_eq!(svg.matches(r##"fill="#7D3C98""##).count(), 16 * 5);
    // The ones of 11 (1101 from the low bit, then 0) and 5 (1010, 0), the 4
    // carries in (01111) and 5 outputs, none exactly 0.
    assert_eq!(svg.matches(r##"fill="#1A5276""##).count(), 3 + 2 + 4 + 5);
    std::fs::remove_file(&picture).unwrap();
    // A truncated file is refused with status 2.
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    assert_usage_error(
        &["add", "--model", path_text, "1", "2"],
        "",
        "not a valid model file",
    );
    std::fs::remove_file(&path).unwrap();
    assert_usage_error(&["add", "--model", path_text, "1", "2"], "", "No such file");
}

#[test]
fn a_diverging_training_saves_nothing() {
    let path = std::env::temp_dir().join(format!(
        "const-rnn-cli-{}-diverged.json",
        std::process::id()
    ));
    let output = run(
        &[
            "train",
            "--plain",
            "--lr",
            "1e6",
            "--save",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stderr(&output).starts_with("diverged at sample "),
        "{output:?}"
    );
    assert!(!path.exists());
}

#[test]
fn every_command_answers_help() {
    let output = run(&["--help"], "");
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).contains("Commands:"));
    for command in [
        "add",
        "train",
        "eval",
        "verify",
        "show",
        "export",
        "convergence",
        "seeds",
        "bench",
    ] {
        let output = run(&[command, "--help"], "");
        assert!(output.status.success(), "{command}: {output:?}");
        let text = stdout(&output);
        assert!(
            text.contains(&format!("Usage: const-rnn {command}")),
            "{command}: {text}"
        );
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn train_runs_static_hidden_sizes_on_rnn_and_others_on_dynrnn() {
    let dir = std::env::temp_dir();
    for (hidden, network) in [("4", "Rnn<2, 4, 1>"), ("3", "DynRnn of 2x3x1")] {
        let path = dir.join(format!(
            "const-rnn-cli-{}-hidden-{hidden}.json",
            std::process::id()
        ));
        let path_text = path.to_str().unwrap();
        let output = run(
            &[
                "train",
                "--plain",
                "--hidden",
                hidden,
                "--samples",
                "3000",
                "--optimizer",
                "adam",
                "--save",
                path_text,
            ],
            "",
        );
        assert!(output.status.success(), "{output:?}");
        let text = stdout(&output);
        assert!(text.contains(&format!("trained {network} ")), "{text}");
        // The saved network loads as the same type, and adds.
        let output = run(&["show", "--model", path_text, "1", "1"], "");
        assert!(
            stdout(&output).contains(&format!("by {network}")),
            "{output:?}"
        );
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn adam_solves_the_seeds_task_within_1000_samples_and_plots_its_curve() {
    let picture =
        std::env::temp_dir().join(format!("const-rnn-cli-{}-curve.svg", std::process::id()));
    let output = run(
        &[
            "train",
            "--optimizer",
            "adam",
            "--lr",
            "0.1",
            "--samples",
            "2000",
            "--plot",
            picture.to_str().unwrap(),
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let solved: usize = text
        .strip_prefix("solved at sample ")
        .and_then(|rest| rest.lines().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(solved <= 1000, "{text}");
    assert!(text.contains("\nverified: "), "{text}");
    let svg = std::fs::read_to_string(&picture).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    // The error's line and the exact rate's.
    for colour in ["#C0392B", "#2471A3"] {
        let line = format!(r#"<polyline fill="none" opacity="1" stroke="{colour}""#);
        assert_eq!(svg.matches(&line).count(), 1, "{colour}");
    }
    assert!(svg.contains(&format!("solved ({solved})")), "{svg}");
    assert!(svg.contains("verified ("), "{svg}");
    std::fs::remove_file(&picture).unwrap();
}

#[test]
fn eval_of_wide_operands_counts_random_pairs_and_carry_chains() {
    let output = run(&["eval", "--bits", "64"], "");
    assert!(output.status.success(), "{output:?}");
    // 100,000 random pairs and 5 carry chains per length from 1 to 64.
    assert!(
        stdout(&output).starts_with("100320/100320 exact: 100000/100000 random pairs"),
        "{output:?}"
    );
}

#[test]
fn convergence_measures_the_configuration_asked_for() {
    let output = run(
        &[
            "convergence",
            "--seeds",
            "0..1",
            "--optimizer",
            "adam",
            "--hidden",
            "8",
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    // The header, the one optimiser asked for, and no sweep over sizes.
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("recipe: hidden 8 on Rnn<2, 8, 1> (sizes fixed at compile time),"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("adam (lr 0.03, beta1 0.8, beta2 0.99, epsilon 1e-8, batch 1): "),
        "{text}"
    );
    assert!(lines[1].contains("verified 1/1"), "{text}");
    // The training options reach the recipe: a run-time size, a rate, a batch.
    let output = run(
        &[
            "convergence",
            "--seeds",
            "0..1",
            "--optimizer",
            "sgd",
            "--hidden",
            "12",
            "--lr",
            "0.2",
            "--batch",
            "2",
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("hidden 12 on DynRnn of 2x12x1"), "{text}");
    assert!(
        text.contains("sgd (lr 0.2, the seed's, batch 2): "),
        "{text}"
    );
    // Bad values are refused before any training.
    for (bad, needle) in [
        (["--hidden", "0"], "invalid --hidden"),
        (["--lr", "nan"], "invalid --lr"),
        (["--optimizer", "rmsprop"], "invalid value 'rmsprop'"),
    ] {
        assert_usage_error(
            &["convergence", "--seeds", "0..1", bad[0], bad[1]],
            "",
            needle,
        );
    }
}

#[test]
fn convergence_reports_every_optimiser() {
    let output = run(&["convergence", "--seeds", "0..1", "--no-sweep"], "");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    for optimizer in ["sgd", "momentum", "nesterov", "adam"] {
        let line = text
            .lines()
            .find(|line| line.starts_with(&format!("{optimizer} (")))
            .unwrap_or_else(|| panic!("{optimizer}: {text}"));
        assert!(line.contains("solved-at median "), "{line}");
    }
    // Seed 0: the seed's SGD solves at 9713, Adam within 1000.
    assert!(
        text.contains("sgd (lr 0.1, the seed's, batch 1): solved-at median 9713"),
        "{text}"
    );
}

#[test]
fn train_below_the_smallest_proven_size_says_so_at_once() {
    let messages = [
        (
            "2",
            "hidden 2: no network of this size adds; the smallest adder has 3 hidden units, the smallest the recipe has proven 4",
        ),
        (
            "3",
            "hidden 3: the recipe has proven no network of this size; the smallest it has proven has 4 hidden units",
        ),
    ];
    for (hidden, message) in messages {
        assert_usage_error(&["train", "--hidden", hidden], "", message);
    }
    // The seed's recipe alone takes any size.
    let output = run(
        &["train", "--plain", "--hidden", "3", "--samples", "100"],
        "",
    );
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn export_writes_the_default_model_as_the_constant_the_tests_compile() {
    let model = temporary("export-model.json");
    let model_arg = model.to_str().unwrap();
    let output = run(&["train", "--save", model_arg], "");
    assert!(output.status.success(), "{output:?}");
    let output = run(&["export", "--rust", model_arg], "");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stderr(&output), "");
    // tests/data/adder.rs is compiled into the tests (tests/export.rs) and
    // into the no_std crate: it must be what the program writes today.
    assert_eq!(stdout(&output), include_str!("data/adder.rs"));
    let output = run(&["export", "--rust", "--name", "SEED_0", model_arg], "");
    assert!(stdout(&output).contains("pub const SEED_0: const_rnn::Rnn<2, 16, 1> ="));

    assert_usage_error(&["export", model_arg], "", "export needs --rust");
    assert_usage_error(
        &["export", "--rust", "--name", "seed-0", model_arg],
        "",
        "\"seed-0\" is not a constant's name",
    );
    std::fs::write(&model, "{ \"format\": ").unwrap();
    assert_usage_error(
        &["export", "--rust", model_arg],
        "",
        "not a valid model file",
    );
    let _ = std::fs::remove_file(&model);
}
