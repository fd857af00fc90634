//! Draws `docs/static_vs_dynamic.svg` from the results of the criterion
//! benchmarks: time per call against hidden size, static and dynamic sizes,
//! training and inference, on log-log axes.
//!
//! ```text
//! cargo bench --bench rnn -- hidden                # the train/hidden and infer/hidden groups
//! cargo run --release --example bench_plot         # reads target/criterion, writes the SVG
//! ```
//!
//! Medians of each benchmark, as `benches/report.py` prints them in tables.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// The plot's series: criterion group, function, colour, legend.
const SERIES: [(&str, &str, RGBColor, &str); 4] = [
    (
        "train/hidden",
        "static",
        RGBColor(0x1f, 0x77, 0xb4),
        "training, static",
    ),
    (
        "train/hidden",
        "dynamic",
        RGBColor(0x1f, 0x77, 0xb4),
        "training, dynamic",
    ),
    (
        "infer/hidden",
        "static",
        RGBColor(0xd6, 0x27, 0x28),
        "inference, static",
    ),
    (
        "infer/hidden",
        "dynamic",
        RGBColor(0xd6, 0x27, 0x28),
        "inference, dynamic",
    ),
];

/// The SVG backend writes a font of size `s` as `s / 1.24` pixels.
const PX: f64 = 1.24;

type Results = BTreeMap<(String, String), Vec<(f64, f64)>>;

fn main() -> Result<(), Box<dyn Error>> {
    let results = load(Path::new("target/criterion"))?;
    if results.is_empty() {
        return Err(
            "no results under target/criterion: run `cargo bench --bench rnn -- hidden` first"
                .into(),
        );
    }
    let out = PathBuf::from("docs/static_vs_dynamic.svg");
    fs::write(&out, plot(&results)?)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Every `new/estimates.json` under `root`: (group, function) to
/// (parameter, median in microseconds), sorted by parameter.
fn load(root: &Path) -> Result<Results, Box<dyn Error>> {
    let mut results = Results::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.ends_with("new/estimates.json") {
                let meta: serde_json::Value = serde_json::from_str(&fs::read_to_string(
                    path.with_file_name("benchmark.json"),
                )?)?;
                let estimates: serde_json::Value =
                    serde_json::from_str(&fs::read_to_string(&path)?)?;
                let text = |key: &str| meta[key].as_str().unwrap_or_default().to_owned();
                let (Ok(parameter), Some(median)) = (
                    text("value_str").parse::<f64>(),
                    estimates["median"]["point_estimate"].as_f64(),
                ) else {
                    continue;
                };
                results
                    .entry((text("group_id"), text("function_id")))
                    .or_default()
                    .push((parameter, median / 1000.0));
            }
        }
    }
    for points in results.values_mut() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(results)
}

/// The SVG document.
fn plot(results: &Results) -> Result<String, Box<dyn Error>> {
    let points: Vec<(f64, f64)> = SERIES
        .iter()
        .filter_map(|(g, f, ..)| results.get(&(g.to_string(), f.to_string())))
        .flatten()
        .copied()
        .collect();
    if points.is_empty() {
        return Err("no train/hidden or infer/hidden results".into());
    }
    let fold = |pick: fn(&(f64, f64)) -> f64| {
        points
            .iter()
            .map(pick)
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    // Hidden sizes are powers of two: the x axis is their logarithm, labelled with the size.
    let (x0, x1) = fold(|p| p.0.log2());
    let (y0, y1) = fold(|p| p.1);
    let (y0, y1) = (
        10_f64.powf(y0.log10().floor()),
        10_f64.powf(y1.log10().ceil()),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "const-rnn: time per sample, static vs dynamic sizes (8-bit sums, f64)",
                ("sans-serif", 14.0 * PX),
            )
            .margin(16)
            .margin_right(28)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("hidden units")
            .x_labels((x1 - x0) as usize + 1)
            .x_label_formatter(&|x| format!("{}", x.exp2().round()))
            .y_label_formatter(&|y| format!("{y} us"))
            .label_style(("sans-serif", 12.0 * PX))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
            .axis_style(RGBColor(0x99, 0x99, 0x99))
            .draw()?;
        for (group, function, colour, label) in SERIES {
            let Some(points) = results.get(&(group.to_owned(), function.to_owned())) else {
                continue;
            };
            let points: Vec<(f64, f64)> = points.iter().map(|&(h, us)| (h.log2(), us)).collect();
            let style = colour.stroke_width(2);
            // Dynamic sizes dashed, static solid (one dash as long as the line).
            let (dash, gap) = if function == "dynamic" {
                (6, 4)
            } else {
                (400, 0)
            };
            chart
                .draw_series(DashedLineSeries::new(
                    points.iter().copied(),
                    dash,
                    gap,
                    style,
                ))?
                .label(label)
                .legend(move |(x, y)| {
                    DashedPathElement::new([(x, y), (x + 28, y)], dash.min(28), gap, style)
                });
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(TRANSPARENT)
            .label_font(("sans-serif", 12.0 * PX))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
