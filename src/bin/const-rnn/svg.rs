//! The program's two pictures, written as plain SVG: the training curve of
//! `train --plot` and the hidden-state heatmap of `show --plot`.

use std::fmt::Write as _;

use const_rnn::TraceStep;

/// The training curve: the error and the exact rate, each averaged over a
/// window of `window` samples, against the sample number, with the points
/// where the seed's task was solved and where the network was verified.
pub struct Curve<'a> {
    /// Per sample: the seed's error and whether the sum was exact.
    pub samples: &'a [(f64, bool)],
    /// Samples averaged per point.
    pub window: usize,
    /// The first sample ending 100 exact in a row.
    pub solved_at: Option<usize>,
    /// The sample after which the verifier found no wrong sum.
    pub verified_at: Option<usize>,
    /// Where the seed's samples end and the verify-and-train rounds begin.
    pub rounds_from: Option<usize>,
    /// A title line.
    pub title: String,
}

const WIDTH: f64 = 760.0;
const PANEL: f64 = 170.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
const STYLE: &str = "font-family:sans-serif;font-size:12px";

impl Curve<'_> {
    /// The SVG document.
    pub fn to_svg(&self) -> String {
        let n = self.samples.len().max(1);
        let window = self.window.clamp(1, n);
        // Rolling means, one point per `step` samples, at most ~700 points.
        let step = (n / 700).max(1);
        let (mut errors, mut rates) = (Vec::new(), Vec::new());
        let (mut error_sum, mut exact_sum) = (0.0, 0usize);
        for (index, &(error, exact)) in self.samples.iter().enumerate() {
            error_sum += error;
            exact_sum += usize::from(exact);
            if index >= window {
                let (old_error, old_exact) = self.samples[index - window];
                error_sum -= old_error;
                exact_sum -= usize::from(old_exact);
            }
            let count = (index + 1).min(window) as f64;
            if (index + 1) % step == 0 || index + 1 == n {
                errors.push((index + 1, error_sum / count));
                rates.push((index + 1, exact_sum as f64 / count));
            }
        }
        let max_error = errors.iter().map(|&(_, e)| e).fold(0.0_f64, f64::max);
        let max_error = nice_ceiling(max_error.max(0.1));
        let top1 = 56.0;
        let top2 = top1 + PANEL + 50.0;
        let height = top2 + PANEL + 50.0;
        let x = |sample: usize| LEFT + (WIDTH - LEFT - RIGHT) * sample as f64 / n as f64;

        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" style="{STYLE}">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="20" font-size="14">{}</text>
"#,
            escape(&self.title)
        );
        panel(
            &mut svg,
            top1,
            &format!("error per sample (mean of {window})"),
            max_error,
            &errors,
            &x,
            "#c0392b",
        );
        panel(
            &mut svg,
            top2,
            &format!("exact sums (share of {window})"),
            1.0,
            &rates,
            &x,
            "#2471a3",
        );
        let marks = [
            (self.rounds_from, "verify-and-train rounds", "#7f8c8d"),
            (self.solved_at, "solved", "#27ae60"),
            (self.verified_at, "verified", "#8e44ad"),
        ];
        for (row, (mark, label, colour)) in marks.into_iter().enumerate() {
            let Some(sample) = mark else { continue };
            let xm = x(sample);
            // Labels near the right edge go to the left of their line.
            let (anchor, xt) = if xm > WIDTH - 200.0 {
                ("end", xm - 4.0)
            } else {
                ("start", xm + 4.0)
            };
            let _ = writeln!(
                svg,
                r#"<line x1="{xm:.1}" y1="{top1}" x2="{xm:.1}" y2="{:.1}" stroke="{colour}" stroke-dasharray="4 3"/>
<text x="{xt:.1}" y="{:.1}" fill="{colour}" text-anchor="{anchor}">{label} ({sample})</text>"#,
                top2 + PANEL,
                top1 + 14.0 + 14.0 * row as f64,
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">samples trained on</text>"#,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            height - 8.0
        );
        svg.push_str("</svg>\n");
        svg
    }
}

/// One panel of the curve: axes, grid, labels and the line.
fn panel(
    svg: &mut String,
    top: f64,
    title: &str,
    max: f64,
    points: &[(usize, f64)],
    x: &impl Fn(usize) -> f64,
    colour: &str,
) {
    let right = WIDTH - RIGHT;
    let y = |value: f64| top + PANEL - PANEL * (value / max).clamp(0.0, 1.0);
    let _ = writeln!(
        svg,
        r##"<text x="{LEFT}" y="{:.1}">{}</text>
<rect x="{LEFT}" y="{top}" width="{:.1}" height="{PANEL}" fill="none" stroke="#999"/>"##,
        top - 6.0,
        escape(title),
        right - LEFT
    );
    for tick in 0..=4 {
        let value = max * f64::from(tick) / 4.0;
        let yt = y(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{yt:.1}" x2="{right}" y2="{yt:.1}" stroke="#eee"/>
<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT - 6.0,
            yt + 4.0,
            trim_number(value)
        );
    }
    if let Some(&(last, _)) = points.last() {
        for tick in 0..=4 {
            let sample = last * tick / 4;
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{sample}</text>"#,
                x(sample),
                top + PANEL + 16.0
            );
        }
    }
    let path: Vec<String> = points
        .iter()
        .map(|&(sample, value)| format!("{:.1},{:.1}", x(sample), y(value)))
        .collect();
    let _ = writeln!(
        svg,
        r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/>"#,
        path.join(" ")
    );
}

/// The hidden state of one addition as a heatmap: a column per step, a row
/// per hidden unit, and rows above for the input bits, the carry and the
/// output bit. Each unit is labelled with how closely it follows the carry.
pub fn heatmap(title: &str, steps: &[TraceStep<f64>]) -> String {
    let units = steps.first().map_or(0, |s| s.hidden.len());
    let cell = (560.0 / steps.len().max(1) as f64).clamp(6.0, 28.0);
    let left = 150.0;
    let top = 50.0;
    let rows_above = 4.0;
    let gap = 10.0;
    let width = (left + cell * steps.len() as f64 + 130.0).max(620.0);
    let height = top + cell * (rows_above + units as f64) + gap + 60.0;
    let carries: Vec<f64> = steps.iter().map(|s| f64::from(u8::from(s.carry))).collect();
    // The carry out of a step is the carry into the next one.
    let carry_out: Vec<f64> = steps
        .iter()
        .zip(carries.iter().skip(1).chain(std::iter::once(&0.0)))
        .map(|(_, &c)| c)
        .collect();

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" style="{STYLE}">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="14">{}</text>
<text x="10" y="38">columns: time steps, least significant bit first; cells: activation, 0 white to 1 dark</text>
"#,
        escape(title)
    );
    let labels = [
        "input bit of A",
        "input bit of B",
        "true carry in",
        "output bit",
    ];
    for (row, label) in labels.iter().enumerate() {
        let y = top + cell * row as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            left - 6.0,
            y + cell * 0.7
        );
        for (column, step) in steps.iter().enumerate() {
            let value = match row {
                0 => f64::from(u8::from(step.a)),
                1 => f64::from(u8::from(step.b)),
                2 => f64::from(u8::from(step.carry)),
                _ => step.output,
            };
            cell_rect(
                &mut svg,
                left + cell * column as f64,
                y,
                cell,
                value,
                "#1a5276",
            );
        }
    }
    for unit in 0..units {
        let y = top + cell * (rows_above + unit as f64) + gap;
        let activations: Vec<f64> = steps.iter().map(|s| s.hidden[unit]).collect();
        let following = correlation(&activations, &carry_out);
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">unit {unit}</text>"#,
            left - 6.0,
            y + cell * 0.7
        );
        for (column, &value) in activations.iter().enumerate() {
            cell_rect(
                &mut svg,
                left + cell * column as f64,
                y,
                cell,
                value,
                "#7d3c98",
            );
        }
        let note = match following {
            Some(r) if r.abs() >= 0.8 => format!("carry, r = {r:+.2}"),
            Some(r) => format!("r = {r:+.2}"),
            None => String::new(),
        };
        let weight = if following.is_some_and(|r| r.abs() >= 0.8) {
            "bold"
        } else {
            "normal"
        };
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-weight="{weight}">{note}</text>"#,
            left + cell * steps.len() as f64 + 6.0,
            y + cell * 0.7
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="10" y="{:.1}">r: correlation of the unit with the carry out of each step; |r| of 0.8 or more is marked</text>"#,
        height - 30.0
    );
    svg.push_str("</svg>\n");
    svg
}

/// One square cell shaded by `value` in 0..1.
fn cell_rect(svg: &mut String, x: f64, y: f64, size: f64, value: f64, colour: &str) {
    let _ = writeln!(
        svg,
        r##"<rect x="{x:.1}" y="{y:.1}" width="{size:.1}" height="{size:.1}" fill="{colour}" fill-opacity="{:.3}" stroke="#ddd" stroke-width="0.5"/>"##,
        value.clamp(0.0, 1.0)
    );
}

/// Pearson's correlation of two series, if both vary.
fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return None;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 1e-12 && syy > 1e-12).then(|| sxy / (sxx * syy).sqrt())
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `value`.
fn nice_ceiling(value: f64) -> f64 {
    let power = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&v| v >= value)
        .unwrap_or(value)
}

/// A tick label without needless digits.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text made safe for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
