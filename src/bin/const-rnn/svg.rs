//! The program's two pictures, drawn with `plotters` as SVG: the training
//! curve of `train --plot` and the hidden-state heatmap of `show --plot`.

use std::io;

use const_rnn::TraceStep;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

const FONT: &str = "sans-serif";
/// The SVG backend writes a font of size `s` as `s / 1.24` pixels: this
/// undoes it, so that the sizes below are pixels.
const PX: f64 = 1.24;
const ERROR_COLOUR: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const EXACT_COLOUR: RGBColor = RGBColor(0x24, 0x71, 0xa3);
const GRID: RGBColor = RGBColor(0xee, 0xee, 0xee);
const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
const INPUT_COLOUR: RGBColor = RGBColor(0x1a, 0x52, 0x76);
const UNIT_COLOUR: RGBColor = RGBColor(0x7d, 0x3c, 0x98);
const CELL_BORDER: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const ROUNDS_COLOUR: RGBColor = RGBColor(0x7f, 0x8c, 0x8d);
const SOLVED_COLOUR: RGBColor = RGBColor(0x27, 0xae, 0x60);
const VERIFIED_COLOUR: RGBColor = RGBColor(0x8e, 0x44, 0xad);

/// A drawing error as an I/O error: the SVG backend writes into a string,
/// so its only errors are of layout.
fn drawing<E: std::error::Error + Send + Sync>(err: DrawingAreaErrorKind<E>) -> io::Error {
    io::Error::other(format!("drawing a picture: {err}"))
}

/// Text of `size` pixels in `colour`, anchored at `pos`.
fn text(size: f64, colour: &'static RGBColor, pos: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, size * PX).into_font())
        .color(colour)
        .pos(pos)
}

impl Curve<'_> {
    /// The SVG document.
    pub fn to_svg(&self) -> io::Result<String> {
        let n = self.samples.len().max(1);
        let window = self.window.clamp(1, n);
        let (errors, rates) = rolling_means(self.samples, window);
        let max_error = errors.iter().map(|&(_, e)| e).fold(0.0_f64, f64::max);
        let max_error = nice_ceiling(max_error.max(0.1));

        let (width, height) = (760, 520);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            root.draw(&Text::new(
                self.title.clone(),
                (64, 10),
                text(14.0, &BLACK, Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(drawing)?;
            let body = root.margin(30, 0, 0, 0);
            let (upper, lower) = body.split_vertically(height / 2 - 20);
            let marks = [
                (self.rounds_from, "verify-and-train rounds", &ROUNDS_COLOUR),
                (self.solved_at, "solved", &SOLVED_COLOUR),
                (self.verified_at, "verified", &VERIFIED_COLOUR),
            ];
            let panels = [
                (
                    &upper,
                    format!("error per sample (mean of {window})"),
                    max_error,
                    &errors,
                    ERROR_COLOUR,
                    false,
                ),
                (
                    &lower,
                    format!("exact sums (share of {window})"),
                    1.0,
                    &rates,
                    EXACT_COLOUR,
                    true,
                ),
            ];
            for (area, title, max, points, colour, bottom) in panels {
                panel(
                    area, &title, n, max, points, colour, bottom, &marks, !bottom,
                )?;
            }
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }
}

/// A line's points: (sample number, value).
type Points = Vec<(usize, f64)>;

/// Rolling means of the error and of the exact share over `window` samples,
/// one point per `n / 700` samples (at most about 700 points).
fn rolling_means(samples: &[(f64, bool)], window: usize) -> (Points, Points) {
    let n = samples.len();
    let step = (n / 700).max(1);
    let (mut errors, mut rates) = (Vec::new(), Vec::new());
    let (mut error_sum, mut exact_sum) = (0.0, 0usize);
    for (index, &(error, exact)) in samples.iter().enumerate() {
        error_sum += error;
        exact_sum += usize::from(exact);
        if index >= window {
            let (old_error, old_exact) = samples[index - window];
            error_sum -= old_error;
            exact_sum -= usize::from(old_exact);
        }
        let count = (index + 1).min(window) as f64;
        if (index + 1) % step == 0 || index + 1 == n {
            errors.push((index + 1, error_sum / count));
            rates.push((index + 1, exact_sum as f64 / count));
        }
    }
    (errors, rates)
}

/// One panel of the curve: axes, grid, the line, and the marks as dashed
/// lines (labelled in the upper panel only).
#[allow(clippy::too_many_arguments)]
fn panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    n: usize,
    max: f64,
    points: &[(usize, f64)],
    colour: RGBColor,
    bottom: bool,
    marks: &[(Option<usize>, &str, &'static RGBColor)],
    labelled: bool,
) -> io::Result<()> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 12.0 * PX))
        .margin_left(10)
        .margin_right(24)
        .margin_bottom(if bottom { 4 } else { 12 })
        .x_label_area_size(if bottom { 40 } else { 22 })
        .y_label_area_size(48)
        .build_cartesian_2d(0..n, 0.0..max)
        .map_err(drawing)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(5)
        .y_labels(5)
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .label_style((FONT, 12.0 * PX))
        .y_label_formatter(&|value: &f64| trim_number(*value));
    if bottom {
        mesh.x_desc("samples trained on");
    }
    mesh.draw().map_err(drawing)?;
    chart
        .draw_series(LineSeries::new(
            points.iter().copied(),
            colour.stroke_width(2),
        ))
        .map_err(drawing)?;
    for (row, &(mark, label, mark_colour)) in marks.iter().enumerate() {
        let Some(sample) = mark else { continue };
        chart
            .draw_series(DashedLineSeries::new(
                [(sample, 0.0), (sample, max)],
                4,
                3,
                mark_colour.stroke_width(1),
            ))
            .map_err(drawing)?;
        if labelled {
            // Labels in the right third go to the left of their line.
            let (anchor, shift) = if sample * 3 > n * 2 {
                (HPos::Right, -4)
            } else {
                (HPos::Left, 4)
            };
            let (x, _) = chart.backend_coord(&(sample, max));
            let y = chart.backend_coord(&(sample, max)).1 + 12 + 14 * row as i32;
            area.draw(&Text::new(
                format!("{label} ({sample})"),
                (x + shift, y),
                text(12.0, mark_colour, Pos::new(anchor, VPos::Center)),
            ))
            .map_err(drawing)?;
        }
    }
    Ok(())
}

/// The hidden state of one addition as a heatmap: a column per step, a row
/// per hidden unit, and rows above for the input bits, the carry and the
/// output bit. Each unit is labelled with how closely it follows the carry.
pub fn heatmap(title: &str, steps: &[TraceStep<f64>]) -> io::Result<String> {
    let units = steps.first().map_or(0, |s| s.hidden.len());
    let cell = (560 / steps.len().max(1) as i32).clamp(6, 28);
    let (left, top, rows_above, gap) = (150, 50, 4, 10);
    let columns = steps.len() as i32;
    let width = (left + cell * columns + 130).max(620);
    let height = top + cell * (rows_above + units as i32) + gap + 60;
    let carries: Vec<f64> = steps.iter().map(|s| f64::from(u8::from(s.carry))).collect();
    // The carry out of a step is the carry into the next one.
    let carry_out: Vec<f64> = carries
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(0.0))
        .collect();

    let mut svg = String::new();
    {
        let size = (width as u32, height as u32);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let top_left = Pos::new(HPos::Left, VPos::Top);
        let right = Pos::new(HPos::Right, VPos::Center);
        let after = Pos::new(HPos::Left, VPos::Center);
        root.draw(&Text::new(
            title.to_owned(),
            (10, 8),
            text(14.0, &BLACK, top_left),
        ))
        .map_err(drawing)?;
        root.draw(&Text::new(
            "columns: time steps, least significant bit first; cells: activation, 0 white to 1 dark",
            (10, 28),
            text(12.0, &BLACK, top_left),
        ))
        .map_err(drawing)?;
        let row_of = |y: i32, label: String, values: &[f64], colour: RGBColor| {
            root.draw(&Text::new(
                label,
                (left - 6, y + cell / 2),
                text(12.0, &BLACK, right),
            ))?;
            for (column, &value) in values.iter().enumerate() {
                let x = left + cell * column as i32;
                let corners = [(x, y), (x + cell, y + cell)];
                root.draw(&Rectangle::new(
                    corners,
                    colour.mix(value.clamp(0.0, 1.0)).filled(),
                ))?;
                root.draw(&Rectangle::new(corners, CELL_BORDER.stroke_width(1)))?;
            }
            Ok(())
        };
        let inputs: [(&str, Vec<f64>); 4] = [
            (
                "input bit of A",
                steps.iter().map(|s| f64::from(u8::from(s.a))).collect(),
            ),
            (
                "input bit of B",
                steps.iter().map(|s| f64::from(u8::from(s.b))).collect(),
            ),
            ("true carry in", carries.clone()),
            ("output bit", steps.iter().map(|s| s.output).collect()),
        ];
        for (row, (label, values)) in inputs.into_iter().enumerate() {
            let y = top + cell * row as i32;
            row_of(y, label.to_owned(), &values, INPUT_COLOUR).map_err(drawing)?;
        }
        let mut notes = Vec::with_capacity(units);
        for unit in 0..units {
            let y = top + cell * (rows_above + unit as i32) + gap;
            let activations: Vec<f64> = steps.iter().map(|s| s.hidden[unit]).collect();
            row_of(y, format!("unit {unit}"), &activations, UNIT_COLOUR).map_err(drawing)?;
            notes.push((y, correlation(&activations, &carry_out)));
        }
        for (y, following) in notes {
            let (note, bold) = match following {
                Some(r) if r.abs() >= 0.8 => (format!("carry, r = {r:+.2}"), true),
                Some(r) => (format!("r = {r:+.2}"), false),
                None => continue,
            };
            let font = (FONT, 12.0 * PX).into_font();
            let font = if bold {
                font.style(FontStyle::Bold)
            } else {
                font
            };
            let style = TextStyle::from(font).color(&BLACK).pos(after);
            let x = left + cell * columns + 6;
            root.draw(&Text::new(note, (x, y + cell / 2), style))
                .map_err(drawing)?;
        }
        root.draw(&Text::new(
            "r: correlation of the unit with the carry out of each step; |r| of 0.8 or more is marked",
            (10, height - 34),
            text(12.0, &BLACK, top_left),
        ))
        .map_err(drawing)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
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
