//! Sound enclosures of the program's step: a box of hidden states pushed
//! through the network as a zonotope (affine arithmetic).
//!
//! A zonotope is `{ c + G e : e in [-1, 1]^p }`: a centre `c` and `p`
//! generators, the columns of `G`. The linear part of a step maps it to a
//! zonotope with no loss; each sigmoid is replaced by a line and a band,
//! `sigmoid(z) in lambda z + mu +- beta` on the unit's pre-activation
//! interval, and the band (with every rounding error of the program and of
//! this code) becomes one new generator per unit. The input-independent
//! product `W_hh^T G` of a zonotope is computed once and shared by the four
//! input pairs that can follow, as the verifier shares `h W_hh`.
//!
//! # What is assumed of the floating point
//!
//! The program computes in IEEE 754 binary64 with rounding to nearest. A
//! unit's pre-activation is a sum of `H + 2` products, added in any order
//! (with or without fused multiply-adds): it is within `gamma(H + 2) *
//! sum |w h|` of the exact sum. The sigmoid is the crate's own
//! ([`crate::math::sigmoid`]): `1 / (1 + E)` computed as `D / (D + 2^k N)`,
//! two roundings, with `E = 2^k N / D` the exponential `e^-z`, assumed within
//! [`EXP_RELATIVE_ERROR`] of the exact one (2^-40, about 4,000 ulp; measured
//! within 2^-50 of [`crate::math::exp`]), or within 1e-300 where it is tiny. Every rounding of this code is
//! bounded the same way, with a factor of 2 to 4 to spare; an output is
//! decided when its pre-activation is at least [`OUTPUT_THRESHOLD`] away from
//! 0 (there the rounded sigmoid is on the right side of one half).
//!
//! This code's own products of a matrix and a vector ([`multiply`],
//! [`multiply_columns`]) and dots ([`dot`]) add each term with a fused
//! multiply-add (`f64::mul_add`, one rounding): half the instructions of a
//! product and a sum, within the same bound (a sum of `n` such terms is
//! within `gamma(n)` of the exact one, as with two roundings a term), and the
//! same bits on every processor, which computes it in one instruction or, if
//! it has none, by the C library's `fma` (exact in glibc; a library whose
//! `fma` rounded twice would still be within the bound, and only the last
//! bits of the images could differ). The program's step itself, which the
//! verifier and [`crate::Adder::add`] run, has no fused operation.

use crate::lanes::F64Lanes;
use crate::network::sigmoid;

/// The unit roundoff of binary64, `2^-53`.
const UNIT: f64 = f64::EPSILON / 2.0;

/// The relative error assumed of the exponential inside the crate's sigmoid
/// ([`crate::math::sigmoid`], measured within 2^-50 of [`crate::math::exp`],
/// itself within 0.89 ulp): `2^-40`.
pub const EXP_RELATIVE_ERROR: f64 = 9.094_947_017_729_282e-13;

/// How far from 0 an output pre-activation must be, surely, to decide its bit.
pub const OUTPUT_THRESHOLD: f64 = 1e-9;

/// An absolute floor under every error bound, for results that underflow.
const TINY: f64 = 1e-300;

/// A sum of absolute values computed in floating point, times this, is at
/// least the exact sum for up to 100,000 terms.
const INFLATE: f64 = 1.0 + 1e-10;

/// The absolute error of the program's sigmoid against the exact sigmoid of
/// its computed argument: the exponential's error plus three roundings (the
/// sigmoid has two), doubled.
const SIGMOID_ERROR: f64 = 2.0 * (EXP_RELATIVE_ERROR + 3.0 * UNIT) + TINY;

/// `gamma_n = n u / (1 - n u)`, the bound on the relative error of a sum of `n` terms.
fn gamma(terms: usize) -> f64 {
    let nu = terms as f64 * UNIT;
    nu / (1.0 - nu)
}

/// The network's weights as the prover reads them, flattened.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    pub(crate) hidden: usize,
    /// `W_hh[i, j]` at `i * hidden + j`: row `i` is what state unit `i` feeds each unit.
    w_rows: Vec<f64>,
    /// `|W_hh[i, j]|`, in the same layout.
    w_rows_abs: Vec<f64>,
    /// `W_ih[0, j]` and `W_ih[1, j]`: what the input bits `a` and `b` feed unit `j`.
    w_a: Vec<f64>,
    w_b: Vec<f64>,
    /// `|W_ih[0, j]| + |W_ih[1, j]|`.
    w_in_abs: Vec<f64>,
    /// `W_ho[j]`.
    w_out: Vec<f64>,
    /// `|W_ho[j]|`.
    w_out_abs: Vec<f64>,
}

impl Weights {
    /// The weights of a network with 2 inputs and 1 output, from its
    /// column-major matrices.
    pub(crate) fn new(w_ih: &[f64], w_hh: &[f64], w_ho: &[f64]) -> Self {
        let hidden = w_ho.len();
        let mut w_rows = vec![0.0; hidden * hidden];
        for j in 0..hidden {
            for i in 0..hidden {
                w_rows[i * hidden + j] = w_hh[i + j * hidden];
            }
        }
        let w_a: Vec<f64> = (0..hidden).map(|j| w_ih[2 * j]).collect();
        let w_b: Vec<f64> = (0..hidden).map(|j| w_ih[2 * j + 1]).collect();
        let w_in_abs = (0..hidden).map(|j| w_a[j].abs() + w_b[j].abs()).collect();
        Weights {
            hidden,
            w_rows_abs: w_rows.iter().map(|w| w.abs()).collect(),
            w_rows,
            w_a,
            w_b,
            w_in_abs,
            w_out: w_ho.to_vec(),
            w_out_abs: w_ho.iter().map(|w| w.abs()).collect(),
        }
    }
}

/// A line and a band that hold the exact sigmoid on `[low, high]`:
/// `sigmoid(z) in slope * z + offset +- band` there.
#[derive(Debug, Clone, Copy)]
struct Relaxation {
    slope: f64,
    offset: f64,
    band: f64,
}

/// The sigmoid and its derivative at the ends of a pre-activation interval.
#[derive(Debug, Clone, Copy)]
struct Ends {
    low: f64,
    high: f64,
    s_low: f64,
    s_high: f64,
    d_low: f64,
    d_high: f64,
}

/// A step's pre-activation intervals and their [`Ends`], unit by unit, one
/// array each, so that the sigmoids of all units run side by side.
#[derive(Debug, Clone)]
struct Intervals {
    /// The pre-activation's centre and its rounding error bound.
    centre: Vec<f64>,
    error: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
    s_low: Vec<f64>,
    s_high: Vec<f64>,
    d_low: Vec<f64>,
    d_high: Vec<f64>,
}

impl Intervals {
    fn new(h: usize) -> Self {
        Intervals {
            centre: vec![0.0; h],
            error: vec![0.0; h],
            low: vec![0.0; h],
            high: vec![0.0; h],
            s_low: vec![0.0; h],
            s_high: vec![0.0; h],
            d_low: vec![0.0; h],
            d_high: vec![0.0; h],
        }
    }

    /// Computes the sigmoids and derivatives at the ends of the first `h`.
    #[inline(always)]
    fn evaluate(&mut self, h: usize) {
        // sigmoid'(z) = sigmoid(z) sigmoid(-z), accurate even where sigmoid(z) is near 1.
        let ends = [
            (&self.low, &mut self.s_low, &mut self.d_low),
            (&self.high, &mut self.s_high, &mut self.d_high),
        ];
        for (z, s, d) in ends {
            for ((z, s), d) in z[..h].iter().zip(&mut s[..h]).zip(&mut d[..h]) {
                *s = sigmoid(*z);
                *d = *s * sigmoid(-*z);
            }
        }
    }

    /// Unit `j`'s ends, evaluated.
    #[inline(always)]
    fn ends(&self, j: usize) -> Ends {
        Ends {
            low: self.low[j],
            high: self.high[j],
            s_low: self.s_low[j],
            s_high: self.s_high[j],
            d_low: self.d_low[j],
            d_high: self.d_high[j],
        }
    }
}

/// The relaxation of least area among those with the interval's smaller end
/// slope: `sigmoid(z) - slope * z` is then non-decreasing on the interval
/// (the sigmoid's slope is smallest at an end), so its range is its values
/// at the ends, which `ends` holds (evaluated, both finite).
#[inline(always)]
fn relax(ends: &Ends) -> Relaxation {
    let Ends {
        low,
        high,
        s_low,
        s_high,
        d_low,
        d_high,
    } = *ends;
    // Shrunk well past the rounding of the derivative, so that it is surely no larger than the exact one.
    let slope = (d_low.min(d_high) * (1.0 - 1e-6) - TINY).max(0.0);
    let (at_low, at_high) = (s_low - slope * low, s_high - slope * high);
    let slack = 4.0 * SIGMOID_ERROR
        + 4.0 * UNIT * ((slope * low).abs() + (slope * high).abs() + at_low.abs() + at_high.abs())
        + TINY;
    Relaxation {
        slope,
        offset: 0.5 * (at_low + at_high),
        band: 0.5 * (at_high - at_low).abs() + slack,
    }
}

/// One zonotope: a centre and `generators` columns of `hidden` rows each.
#[derive(Debug, Clone)]
struct Zonotope {
    centre: Vec<f64>,
    /// Column `k` at `k * hidden .. (k + 1) * hidden`.
    generators: Vec<f64>,
    count: usize,
    /// An upper bound on `|h_j|` over the zonotope, for the rounding bounds.
    magnitude: Vec<f64>,
    /// What the zonotope may miss of the set it stands for, per unit: the
    /// roundings of turning an oriented cell into a zonotope (level 0 only).
    slack: Vec<f64>,
    /// Whether this is a step's image whose generators are not written out
    /// yet: they are its parent's product's columns scaled by `slopes`, then
    /// the diagonal block of `noise`, and [`Pusher::materialise`] writes them
    /// when a product or an oriented cell needs them. Most images end their
    /// word and only their output and their box are asked for, which the
    /// step computes without writing the columns (`radius` holds the box's
    /// costly part): at 64 units a proof's box cells take about a fifth less
    /// time.
    lazy: bool,
    /// Each unit's slope, by which it scales the parent's product.
    slopes: Vec<f64>,
    /// Each unit's new generator, the diagonal block's entry.
    noise: Vec<f64>,
    /// `sum_k |slopes_j P[j, k]|` over the parent's product's columns `k`,
    /// each term rounded as written out, added in the order of `k`.
    radius: Vec<f64>,
}

/// The shared half of the steps out of one zonotope: `W_hh^T` applied to it.
#[derive(Debug, Clone)]
struct Product {
    /// `W_hh^T c`.
    centre: Vec<f64>,
    /// `W_hh^T G`, in the layout of [`Zonotope::generators`].
    generators: Vec<f64>,
    /// `sum_k |(W_hh^T G)[j, k]|`.
    radius: Vec<f64>,
    /// `sum_i |W_hh[i, j]| |h_i|` bounded over the zonotope.
    magnitude: Vec<f64>,
    /// `sum_i |W_hh[i, j]| slack_i`: what the zonotope's slack adds to a pre-activation.
    extra: Vec<f64>,
}

/// What one step of a zonotope showed about the output it decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Output {
    /// How far the output pre-activation surely is beyond the threshold on
    /// the side of the right bit: negative when it is not surely right.
    pub(crate) margin: f64,
}

/// Buffers for pushing boxes through words of up to `depth` pairs, one
/// zonotope and one product per level: nothing is allocated per step.
#[derive(Debug, Clone)]
pub(crate) struct Pusher<'a> {
    weights: &'a Weights,
    levels: Vec<Zonotope>,
    products: Vec<Product>,
    scratch: Scratch,
    /// The vector instructions to run the costly operations with, detected once.
    arch: pulp::Arch,
    /// Whether a register of `arch`'s vectors holds [`PARTIAL`] `f64`: the
    /// products then keep two vectors of sums per column
    /// ([`multiply_columns`]).
    wide: bool,
    /// Zonotope steps taken.
    pub(crate) steps: u64,
}

impl<'a> Pusher<'a> {
    /// Buffers for words of up to `depth` pairs.
    pub(crate) fn new(weights: &'a Weights, depth: usize) -> Self {
        let h = weights.hidden;
        let most = h * (depth + 1);
        let arch = pulp::Arch::new();
        let zonotope = Zonotope {
            centre: vec![0.0; h],
            generators: vec![0.0; h * most],
            count: 0,
            magnitude: vec![0.0; h],
            slack: vec![0.0; h],
            lazy: false,
            slopes: vec![0.0; h],
            noise: vec![0.0; h],
            radius: vec![0.0; h],
        };
        let product = Product {
            centre: vec![0.0; h],
            generators: vec![0.0; h * most],
            radius: vec![0.0; h],
            magnitude: vec![0.0; h],
            extra: vec![0.0; h],
        };
        Pusher {
            weights,
            levels: vec![zonotope; depth + 1],
            products: vec![product; depth],
            scratch: Scratch {
                centre: vec![0.0; h],
                radius: vec![0.0; h],
                magnitude: vec![0.0; h],
                generators: vec![0.0; h * most],
                intervals: Intervals::new(h),
            },
            arch,
            wide: wide(arch),
            steps: 0,
        }
    }

    /// This pusher runs with `arch`'s instructions instead of the best the
    /// processor has.
    #[cfg(test)]
    fn with_arch(mut self, arch: pulp::Arch) -> Self {
        self.arch = arch;
        self.wide = wide(arch);
        self
    }

    /// Level 0 becomes the cell `{ Q y : y in [low, high] }`, with one
    /// generator per axis: `Q` is `basis`, or the identity.
    pub(crate) fn load_cell(&mut self, low: &[f64], high: &[f64], basis: Option<&Basis>) {
        let h = self.weights.hidden;
        let zonotope = &mut self.levels[0];
        zonotope.count = h;
        zonotope.lazy = false;
        zonotope.generators[..h * h].fill(0.0);
        zonotope.slack.fill(0.0);
        let middle_and_radius = |k: usize| {
            let centre = 0.5 * (low[k] + high[k]);
            // Rounded up, so that the box is inside whatever the centre rounded to.
            let radius = (high[k] - centre).max(centre - low[k]) * (1.0 + 4.0 * UNIT) + TINY;
            (centre, radius)
        };
        match basis {
            None => {
                for j in 0..h {
                    let (centre, radius) = middle_and_radius(j);
                    zonotope.centre[j] = centre;
                    zonotope.generators[j * h + j] = radius;
                    zonotope.magnitude[j] = (centre.abs() + radius) * INFLATE;
                }
            }
            Some(basis) => {
                zonotope.centre.fill(0.0);
                zonotope.magnitude.fill(0.0);
                for k in 0..h {
                    let (middle, radius) = middle_and_radius(k);
                    let axis = &basis.q[k * h..(k + 1) * h];
                    let column = &mut zonotope.generators[k * h..(k + 1) * h];
                    for (j, &q) in axis.iter().enumerate() {
                        zonotope.centre[j] += q * middle;
                        column[j] = q * radius;
                        // Bounds the roundings of the centre's sum and of this generator.
                        zonotope.slack[j] += q.abs() * (middle.abs() + radius);
                    }
                }
                let rounding = 4.0 * gamma(h + 1);
                for j in 0..h {
                    zonotope.slack[j] = zonotope.slack[j] * rounding * INFLATE + TINY;
                    let radius: f64 = (0..h).map(|k| zonotope.generators[k * h + j].abs()).sum();
                    zonotope.magnitude[j] =
                        (zonotope.centre[j].abs() + radius + zonotope.slack[j]) * INFLATE;
                }
            }
        }
    }

    /// Computes the product of the zonotope at `level`, shared by its four children.
    pub(crate) fn product(&mut self, level: usize) {
        if self.wide {
            self.product_with::<2>(level);
        } else {
            self.product_with::<1>(level);
        }
    }

    /// [`Pusher::product`] with `CHUNKS` vectors of sums per column.
    fn product_with<const CHUNKS: usize>(&mut self, level: usize) {
        self.arch.dispatch(ProductOp::<CHUNKS> {
            pusher: self,
            level,
        });
    }

    /// [`Pusher::product`], compiled into its caller's vector instructions.
    #[inline(always)]
    fn product_here<const CHUNKS: usize>(&mut self, level: usize) {
        self.materialise(level);
        let w = self.weights;
        let h = w.hidden;
        let zonotope = &self.levels[level];
        let product = &mut self.products[level];
        multiply(&w.w_rows, &zonotope.centre, &mut product.centre, h);
        let columns = zonotope.count * h;
        multiply_columns::<CHUNKS>(
            &w.w_rows,
            &zonotope.generators[..columns],
            &mut product.generators[..columns],
            h,
        );
        column_magnitudes(
            &product.generators[..zonotope.count * h],
            h,
            &mut product.radius,
        );
        for radius in &mut product.radius {
            *radius *= INFLATE;
        }
        multiply(
            &w.w_rows_abs,
            &zonotope.magnitude,
            &mut product.magnitude,
            h,
        );
        multiply(&w.w_rows_abs, &zonotope.slack, &mut product.extra, h);
    }

    /// Steps the zonotope at `level` (its product computed) on the input
    /// pair `pair` (`a + 2 b`) into `level + 1`, and bounds the output that
    /// step decides against the bit `expected`.
    pub(crate) fn child(&mut self, level: usize, pair: usize, expected: bool) -> Output {
        self.arch.dispatch(ChildOp {
            pusher: self,
            level,
            pair,
            expected,
        })
    }

    /// [`Pusher::child`], compiled into its caller's vector instructions.
    #[inline(always)]
    fn child_here(&mut self, level: usize, pair: usize, expected: bool) -> Output {
        self.steps += 1;
        let w = self.weights;
        let h = w.hidden;
        let (x_a, x_b) = (pair & 1 == 1, pair & 2 == 2);
        let (below, above) = self.levels.split_at_mut(level + 1);
        let parent_count = below[level].count;
        let child = &mut above[0];
        let product = &self.products[level];
        let count = parent_count + h;
        child.count = count;
        let pre_gamma = 4.0 * gamma(h + 3);
        let scratch = &mut self.scratch;
        // Three passes, so that the sigmoids of every unit run side by side:
        // the pre-activation intervals, the sigmoids at their ends, the rest.
        let mut finite = true;
        for j in 0..h {
            let mut centre = product.centre[j];
            if x_a {
                centre += w.w_a[j];
            }
            if x_b {
                centre += w.w_b[j];
            }
            // The program's rounding and this code's, of the pre-activation.
            let error = (pre_gamma * (product.magnitude[j] + w.w_in_abs[j]) + product.extra[j])
                * INFLATE
                + TINY;
            let radius = product.radius[j];
            let spread = radius + error + 4.0 * UNIT * (centre.abs() + radius + error);
            let (low, high) = (centre - spread, centre + spread);
            finite &= low.is_finite() && high.is_finite();
            let intervals = &mut scratch.intervals;
            (intervals.centre[j], intervals.error[j]) = (centre, error);
            (intervals.low[j], intervals.high[j]) = (low, high);
        }
        if !finite {
            return Output {
                margin: f64::NEG_INFINITY,
            };
        }
        scratch.intervals.evaluate(h);
        for j in 0..h {
            let intervals = &scratch.intervals;
            let (centre, error, radius) =
                (intervals.centre[j], intervals.error[j], product.radius[j]);
            let Relaxation {
                slope,
                offset,
                band,
            } = relax(&intervals.ends(j));
            let new_centre = slope * centre + offset;
            let noise = (slope * error
                + band
                + SIGMOID_ERROR
                + 4.0 * UNIT * ((slope * centre).abs() + offset.abs() + slope * radius))
                * INFLATE
                + TINY;
            child.centre[j] = new_centre;
            child.slopes[j] = slope;
            child.noise[j] = noise;
            child.magnitude[j] = (new_centre.abs() + slope * radius + noise) * INFLATE;
            child.slack[j] = 0.0;
        }
        child.lazy = true;
        // The parent's product's columns, each unit scaled by its slope
        // ([`scaled_columns`]): their dots with `W_ho` for the output, and the
        // sums of their magnitudes for the image's box.
        let magnitudes = &mut child.radius[..h];
        magnitudes.fill(0.0);
        let parent = &product.generators[..parent_count * h];
        let full = parent_count / BLOCK * BLOCK * h;
        let mut radius = 0.0;
        for block in parent[..full].chunks_exact(BLOCK * h) {
            let dots = scaled_columns::<BLOCK>(block, &child.slopes, &w.w_out, magnitudes);
            for d in dots {
                radius += d.abs();
            }
        }
        for column in parent[full..].chunks_exact(h) {
            let [d] = scaled_columns::<1>(column, &child.slopes, &w.w_out, magnitudes);
            radius += d.abs();
        }
        // Column `parent_count + j` of the diagonal block holds unit `j`'s
        // noise alone: its dot is one product (the others add exact zeros).
        for (noise, w_out) in child.noise.iter().zip(&w.w_out) {
            radius += (noise * w_out).abs();
        }
        let centre = dot(&w.w_out, &child.centre);
        output_margin(w, centre, radius, &child.magnitude, expected)
    }

    /// Writes out the generators of the zonotope at `level` if it is
    /// [`Zonotope::lazy`]: its parent's product's columns scaled unit by unit
    /// by its slopes, then the diagonal block of its noise.
    #[inline(always)]
    fn materialise(&mut self, level: usize) {
        let h = self.weights.hidden;
        let Some(parent_level) = level.checked_sub(1) else {
            return;
        };
        let zonotope = &mut self.levels[level];
        if !zonotope.lazy {
            return;
        }
        zonotope.lazy = false;
        // The parent's product's columns, then the diagonal block's `h`.
        let parent_count = zonotope.count - h;
        let product = &self.products[parent_level];
        let (scaled, diagonal) =
            zonotope.generators[..(parent_count + h) * h].split_at_mut(parent_count * h);
        for (out, column) in scaled
            .chunks_exact_mut(h)
            .zip(product.generators[..parent_count * h].chunks_exact(h))
        {
            for ((o, g), slope) in out.iter_mut().zip(column).zip(&zonotope.slopes) {
                *o = slope * g;
            }
        }
        diagonal.fill(0.0);
        for (j, &noise) in zonotope.noise.iter().enumerate() {
            diagonal[j * h + j] = noise;
        }
    }

    /// The largest amount by which the zonotope at `level` sticks out of the
    /// cell `{ Q y : y in [low, high] }` (`Q` is `basis`, or the identity) in
    /// any coordinate, with that coordinate (0 or less: inside), and the box of
    /// its coordinates written into `image_low` and `image_high`.
    pub(crate) fn excess(
        &mut self,
        level: usize,
        cell: (&[f64], &[f64]),
        basis: Option<&Basis>,
        image_low: &mut [f64],
        image_high: &mut [f64],
    ) -> (f64, usize) {
        let image = (image_low, image_high);
        if self.wide {
            self.excess_with::<2>(level, cell, basis, image)
        } else {
            self.excess_with::<1>(level, cell, basis, image)
        }
    }

    /// [`Pusher::excess`] with `CHUNKS` vectors of sums per column, the
    /// image's box written into `image`.
    fn excess_with<const CHUNKS: usize>(
        &mut self,
        level: usize,
        cell: (&[f64], &[f64]),
        basis: Option<&Basis>,
        (image_low, image_high): (&mut [f64], &mut [f64]),
    ) -> (f64, usize) {
        self.arch.dispatch(ExcessOp::<CHUNKS> {
            pusher: self,
            level,
            cell,
            basis,
            image_low,
            image_high,
        })
    }

    /// [`Pusher::excess`], compiled into its caller's vector instructions.
    #[inline(always)]
    fn excess_here<const CHUNKS: usize>(
        &mut self,
        level: usize,
        (low, high): (&[f64], &[f64]),
        basis: Option<&Basis>,
        image_low: &mut [f64],
        image_high: &mut [f64],
    ) -> (f64, usize) {
        let h = self.weights.hidden;
        if basis.is_some() {
            self.materialise(level);
        }
        let zonotope = &self.levels[level];
        match basis {
            None => {
                let radii = &mut self.scratch.radius;
                if zonotope.lazy {
                    // The parent's columns' sums, then the diagonal block's:
                    // one term per unit, the others exact zeros.
                    for ((r, m), noise) in
                        radii.iter_mut().zip(&zonotope.radius).zip(&zonotope.noise)
                    {
                        *r = m + noise.abs();
                    }
                } else {
                    // Column by column, over contiguous memory.
                    column_magnitudes(&zonotope.generators[..zonotope.count * h], h, radii);
                }
                for j in 0..h {
                    let radius = radii[j];
                    let centre = zonotope.centre[j];
                    let spread = radius * INFLATE + 4.0 * UNIT * (centre.abs() + radius) + TINY;
                    image_low[j] = centre - spread;
                    image_high[j] = centre + spread;
                }
            }
            Some(basis) => {
                // w = Q^T x over the zonotope, then y = Q^-1 x within r / (1 - r) |w| of w.
                let scratch = &mut self.scratch;
                // `Q^T g` as a vector times the row-major `Q`: vectorised over
                // the axes, and a generator of the diagonal blocks (one unit's
                // noise) costs one row.
                multiply(&basis.q_rows, &zonotope.centre, &mut scratch.centre, h);
                let columns = zonotope.count * h;
                multiply_columns::<CHUNKS>(
                    &basis.q_rows,
                    &zonotope.generators[..columns],
                    &mut scratch.generators[..columns],
                    h,
                );
                column_magnitudes(&scratch.generators[..columns], h, &mut scratch.radius);
                multiply(
                    &basis.q_rows_abs,
                    &zonotope.magnitude,
                    &mut scratch.magnitude,
                    h,
                );
                let rounding = 4.0 * gamma(h + 1);
                let mut largest: f64 = 0.0;
                for i in 0..h {
                    let error = rounding * scratch.magnitude[i] * INFLATE + TINY;
                    scratch.radius[i] = scratch.radius[i] * INFLATE + error;
                    largest = largest.max(scratch.centre[i].abs() + scratch.radius[i]);
                }
                let inverse_error = basis.residual / (1.0 - basis.residual) * largest * INFLATE;
                for i in 0..h {
                    let (centre, radius) = (scratch.centre[i], scratch.radius[i] + inverse_error);
                    let spread = radius + 4.0 * UNIT * (centre.abs() + radius) + TINY;
                    image_low[i] = centre - spread;
                    image_high[i] = centre + spread;
                }
            }
        }
        let mut worst = (f64::NEG_INFINITY, 0);
        for j in 0..h {
            let excess = (low[j] - image_low[j]).max(image_high[j] - high[j]);
            let excess = if excess.is_nan() {
                f64::INFINITY
            } else {
                excess
            };
            if excess > worst.0 {
                worst = (excess, j);
            }
        }
        worst
    }
}

/// Buffers for the coordinates of an image in an oriented cell.
#[derive(Debug, Clone)]
struct Scratch {
    centre: Vec<f64>,
    radius: Vec<f64>,
    magnitude: Vec<f64>,
    /// The generators of an image in an oriented cell's coordinates.
    generators: Vec<f64>,
    /// A step's pre-activation intervals.
    intervals: Intervals,
}

/// The axes of an oriented cell: an `H x H` matrix `Q`, column `k` the
/// `k`-th axis, close to orthonormal, and a proven bound on how far `Q^T` is
/// from its inverse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Basis {
    /// `Q[j, k]` at `k * hidden + j`.
    pub(crate) q: Vec<f64>,
    /// `Q[j, k]` at `j * hidden + k`: `Q` row by row, for [`multiply`].
    q_rows: Vec<f64>,
    /// `|Q[j, k]|`, in the layout of `q_rows`.
    q_rows_abs: Vec<f64>,
    /// An upper bound on `||I - Q^T Q||_inf`, below 1/2.
    residual: f64,
}

impl Basis {
    /// The basis of the column-major `hidden x hidden` matrix `q`, if its
    /// columns are finite and close enough to orthonormal (`||I - Q^T Q||`
    /// surely below 1/2).
    pub(crate) fn new(q: Vec<f64>, hidden: usize) -> Option<Self> {
        if q.len() != hidden * hidden || !q.iter().all(|x| x.is_finite()) {
            return None;
        }
        let h = hidden;
        let rounding = 4.0 * gamma(h + 1);
        let mut residual: f64 = 0.0;
        for i in 0..h {
            let mut row = 0.0;
            for j in 0..h {
                let (qi, qj) = (&q[i * h..(i + 1) * h], &q[j * h..(j + 1) * h]);
                let dot: f64 = qi.iter().zip(qj).map(|(a, b)| a * b).sum();
                let size: f64 = qi.iter().zip(qj).map(|(a, b)| (a * b).abs()).sum();
                let identity = if i == j { 1.0 } else { 0.0 };
                row += (identity - dot).abs() + rounding * size + 4.0 * UNIT * (1.0 + dot.abs());
            }
            residual = residual.max(row * INFLATE);
        }
        if residual.is_finite() && residual < 0.5 {
            let mut q_rows = vec![0.0; h * h];
            for k in 0..h {
                for j in 0..h {
                    q_rows[j * h + k] = q[k * h + j];
                }
            }
            Some(Basis {
                q_rows_abs: q_rows.iter().map(|x| x.abs()).collect(),
                q_rows,
                q,
                residual,
            })
        } else {
            None
        }
    }

    /// Bounds on the coordinates `y = Q^-1 x` of the point `x`, written into
    /// `low` and `high`.
    pub(crate) fn coordinates(&self, x: &[f64], low: &mut [f64], high: &mut [f64]) {
        let h = x.len();
        let rounding = 4.0 * gamma(h + 1);
        let mut largest: f64 = 0.0;
        for i in 0..h {
            let axis = &self.q[i * h..(i + 1) * h];
            let w: f64 = axis.iter().zip(x).map(|(a, b)| a * b).sum();
            let size: f64 = axis.iter().zip(x).map(|(a, b)| (a * b).abs()).sum();
            let error = rounding * size * INFLATE + TINY;
            low[i] = w - error;
            high[i] = w + error;
            largest = largest.max(w.abs() + error);
        }
        let inverse_error = self.residual / (1.0 - self.residual) * largest * INFLATE;
        for i in 0..h {
            let spread_low = inverse_error + 4.0 * UNIT * low[i].abs() + TINY;
            let spread_high = inverse_error + 4.0 * UNIT * high[i].abs() + TINY;
            low[i] -= spread_low;
            high[i] += spread_high;
        }
    }
}

/// Bounds the output pre-activation of a zonotope against `expected`: its
/// centre's dot with `W_ho` is `centre`, `radius` is the sum of its
/// generators' dots with `W_ho` in magnitude, `magnitude` bounds `|h_j|`.
#[inline(always)]
fn output_margin(
    w: &Weights,
    centre: f64,
    radius: f64,
    magnitude: &[f64],
    expected: bool,
) -> Output {
    let radius = radius * INFLATE;
    let magnitude = dot(&w.w_out_abs, magnitude);
    let error = 4.0 * gamma(w.hidden + 1) * magnitude * INFLATE + TINY;
    let spread = radius + error + 4.0 * UNIT * (centre.abs() + radius + error);
    let margin = if expected {
        centre - spread - OUTPUT_THRESHOLD
    } else {
        -centre - spread - OUTPUT_THRESHOLD
    };
    Output {
        margin: if margin.is_nan() {
            f64::NEG_INFINITY
        } else {
            margin
        },
    }
}

/// `out[j] = sum_k |columns[k * h + j]|`: the radius of a zonotope whose
/// generators are `columns`, unit by unit. A vector of `out` at a time, held
/// in registers over the columns.
#[inline(always)]
fn column_magnitudes(columns: &[f64], h: usize, out: &mut [f64]) {
    let out = &mut out[..h];
    let (chunks, _) = out.as_chunks_mut::<PARTIAL>();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        let mut sums = [0.0; PARTIAL];
        for column in columns.chunks_exact(h) {
            let (column_chunks, _) = column.as_chunks::<PARTIAL>();
            for (s, g) in sums.iter_mut().zip(&column_chunks[c]) {
                *s += g.abs();
            }
        }
        *chunk = sums;
    }
    let done = h - h % PARTIAL;
    for (j, o) in out.iter_mut().enumerate().skip(done) {
        *o = columns.chunks_exact(h).map(|column| column[j].abs()).sum();
    }
}

/// For `N` columns of `h` (`columns`, one after another): each column `g`
/// scaled unit by unit, `x = slopes * g`, its dot with `w` as [`dot`] adds
/// it, and `|x|` added into `magnitudes` column after column. The same
/// bits as writing the columns out and taking [`dot`] and
/// [`column_magnitudes`] of them, without writing them; the columns' chains
/// of sums are independent, so that `N` of them fill the processor.
#[inline(always)]
fn scaled_columns<const N: usize>(
    columns: &[f64],
    slopes: &[f64],
    w: &[f64],
    magnitudes: &mut [f64],
) -> [f64; N] {
    let h = magnitudes.len();
    let columns: [&[f64]; N] = std::array::from_fn(|b| &columns[b * h..(b + 1) * h]);
    let mut sums = [[0.0; PARTIAL]; N];
    let done = h - h % PARTIAL;
    let (slope_chunks, _) = slopes[..h].as_chunks::<PARTIAL>();
    let (w_chunks, _) = w[..h].as_chunks::<PARTIAL>();
    let (magnitude_chunks, _) = magnitudes.as_chunks_mut::<PARTIAL>();
    let chunked: [&[[f64; PARTIAL]]; N] = std::array::from_fn(|b| columns[b].as_chunks().0);
    for (c, ((s, w), m)) in slope_chunks
        .iter()
        .zip(w_chunks)
        .zip(magnitude_chunks)
        .enumerate()
    {
        let mut acc = *m;
        for (sums, column) in sums.iter_mut().zip(&chunked) {
            let g = &column[c];
            for p in 0..PARTIAL {
                let x = s[p] * g[p];
                sums[p] = x.mul_add(w[p], sums[p]);
                acc[p] += x.abs();
            }
        }
        *m = acc;
    }
    let mut dots = [0.0; N];
    for ((d, sums), column) in dots.iter_mut().zip(&sums).zip(&columns) {
        let rest = (done..h).fold(0.0, |sum, j| (slopes[j] * column[j]).mul_add(w[j], sum));
        for j in done..h {
            magnitudes[j] += (slopes[j] * column[j]).abs();
        }
        *d = sums.iter().sum::<f64>() + rest;
    }
    dots
}

/// Partial sums a [`dot`] keeps, one vector of them.
const PARTIAL: usize = 8;

/// `sum_i a[i] b[i]` over the shorter of the two, added in [`PARTIAL`]
/// partial sums (an order the compiler can turn into vector instructions;
/// the prover's rounding bounds hold for sums in any order).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (a_chunks, a_rest) = a.as_chunks::<PARTIAL>();
    let (b_chunks, b_rest) = b.as_chunks::<PARTIAL>();
    let mut sums = [0.0; PARTIAL];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for ((s, x), y) in sums.iter_mut().zip(x).zip(y) {
            *s = x.mul_add(*y, *s);
        }
    }
    let rest = a_rest
        .iter()
        .zip(b_rest)
        .fold(0.0, |sum, (x, y)| x.mul_add(*y, sum));
    sums.iter().sum::<f64>() + rest
}

/// Columns of a product block by block: [`multiply`] of `rows` with each of
/// them at once.
const BLOCK: usize = 4;

/// [`multiply`] of `rows` with every `h`-long column of `columns` into the
/// same column of `out`, [`BLOCK`] columns at a time: each row's vectors are
/// loaded once for the block, and the block's sums are independent chains,
/// `CHUNKS` vectors of [`PARTIAL`] outputs for each column (2 where a vector
/// register holds [`PARTIAL`] `f64`, so that eight chains of fused
/// multiply-adds keep both of the processor's units busy; 1 where it takes
/// two registers, whose sixteen would not hold more). Every sum is added in
/// the same order as [`multiply`]'s (the products of zero entries, exact
/// zeros, may be added or not), so the results are its values.
#[inline(always)]
fn multiply_columns<const CHUNKS: usize>(rows: &[f64], columns: &[f64], out: &mut [f64], h: usize) {
    let rows = &rows[..h * h];
    let full = columns.len() / (h * BLOCK) * (h * BLOCK);
    let (columns_blocked, columns_rest) = columns.split_at(full);
    let (out_blocked, out_rest) = out.split_at_mut(full);
    let chunks = h / PARTIAL;
    for (x, o) in columns_blocked
        .chunks_exact(h * BLOCK)
        .zip(out_blocked.chunks_exact_mut(h * BLOCK))
    {
        // The rows where some column of the block is not zero: all of them
        // for dense columns, a few for the diagonal blocks of new generators.
        let nonzero = |i: &usize| (0..BLOCK).any(|b| x[b * h + i] != 0.0);
        let Some(first) = (0..h).find(nonzero) else {
            o.fill(0.0);
            continue;
        };
        let last = (0..h).rev().find(nonzero).unwrap_or(first);
        let used = &rows[first * h..(last + 1) * h];
        let mut c = 0;
        while c + CHUNKS <= chunks {
            block_chunks::<CHUNKS>(used, x, o, h, first..last + 1, c);
            c += CHUNKS;
        }
        while c < chunks {
            block_chunks::<1>(used, x, o, h, first..last + 1, c);
            c += 1;
        }
        let done = chunks * PARTIAL;
        for b in 0..BLOCK {
            for j in done..h {
                let mut sum = 0.0;
                for (i, row) in rows.chunks_exact(h).enumerate() {
                    sum = row[j].mul_add(x[b * h + i], sum);
                }
                o[b * h + j] = sum;
            }
        }
    }
    for (x, o) in columns_rest
        .chunks_exact(h)
        .zip(out_rest.chunks_exact_mut(h))
    {
        multiply(rows, x, o, h);
    }
}

/// Outputs `c * PARTIAL` to `(c + N) * PARTIAL` of [`multiply_columns`]'s
/// block `x` (into the same place of `o`): `used` holds the rows `range`.
#[inline(always)]
fn block_chunks<const N: usize>(
    used: &[f64],
    x: &[f64],
    o: &mut [f64],
    h: usize,
    range: std::ops::Range<usize>,
    c: usize,
) {
    // The block's columns over the rows used, zipped: no bounds checks in
    // the loop (`BLOCK` is 4).
    let [x0, x1, x2, x3]: [&[f64]; BLOCK] =
        std::array::from_fn(|b| &x[b * h + range.start..b * h + range.end]);
    let mut sums = [[[0.0; PARTIAL]; N]; BLOCK];
    let column = used.chunks_exact(h).zip(x0).zip(x1).zip(x2).zip(x3);
    for ((((row, &x_0), &x_1), &x_2), &x_3) in column {
        let xs = [x_0, x_1, x_2, x_3];
        let (row_chunks, _) = row[c * PARTIAL..(c + N) * PARTIAL].as_chunks::<PARTIAL>();
        for (s, &xi) in sums.iter_mut().zip(&xs) {
            for (s, w) in s.iter_mut().zip(row_chunks) {
                for (s, &w) in s.iter_mut().zip(w) {
                    *s = w.mul_add(xi, *s);
                }
            }
        }
    }
    for (b, s) in sums.iter().enumerate() {
        let out = &mut o[b * h + c * PARTIAL..b * h + (c + N) * PARTIAL];
        out.copy_from_slice(s.as_flattened());
    }
}

/// `out[j] = sum_i rows[i * h + j] * x[i]`: a vector times a row-major matrix,
/// row by row so that the inner loop runs over contiguous memory, each term
/// added by a fused multiply-add (one rounding, the same on every processor).
#[inline(always)]
fn multiply(rows: &[f64], x: &[f64], out: &mut [f64], h: usize) {
    let (rows, x, out) = (&rows[..h * h], &x[..h], &mut out[..h]);
    // A vector of the output at a time, held in registers over the rows.
    let (chunks, _) = out.as_chunks_mut::<PARTIAL>();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        let mut sums = [0.0; PARTIAL];
        for (&xi, row) in x.iter().zip(rows.chunks_exact(h)) {
            if xi == 0.0 {
                continue;
            }
            let (row_chunks, _) = row.as_chunks::<PARTIAL>();
            for (s, &w) in sums.iter_mut().zip(&row_chunks[c]) {
                *s = w.mul_add(xi, *s);
            }
        }
        *chunk = sums;
    }
    let done = h - h % PARTIAL;
    for (j, o) in out.iter_mut().enumerate().skip(done) {
        *o = 0.0;
        for (&xi, row) in x.iter().zip(rows.chunks_exact(h)) {
            *o = row[j].mul_add(xi, *o);
        }
    }
}

/// Whether a register of `arch`'s vectors holds [`PARTIAL`] `f64`.
fn wide(arch: pulp::Arch) -> bool {
    arch.dispatch(F64Lanes) >= PARTIAL
}

/// The pusher's three costly operations, for `pulp` to compile for each set
/// of vector instructions and run with the best the processor has (the
/// products with `CHUNKS` vectors of sums per column, [`multiply_columns`]).
/// Vector instructions round as the scalar ones do: a product, a sum and a
/// fused multiply-add each round once, to nearest (no contraction of a
/// product and a sum into one, nor the reverse: without fused multiply-adds
/// in the processor, `f64::mul_add` calls the C library's `fma`), so the
/// results are the same bits either way.
struct ProductOp<'p, 'a, const CHUNKS: usize> {
    pusher: &'p mut Pusher<'a>,
    level: usize,
}

impl<const CHUNKS: usize> pulp::WithSimd for ProductOp<'_, '_, CHUNKS> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        self.pusher.product_here::<CHUNKS>(self.level);
    }
}

/// See [`ProductOp`].
struct ChildOp<'p, 'a> {
    pusher: &'p mut Pusher<'a>,
    level: usize,
    pair: usize,
    expected: bool,
}

impl pulp::WithSimd for ChildOp<'_, '_> {
    type Output = Output;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Output {
        self.pusher.child_here(self.level, self.pair, self.expected)
    }
}

/// See [`ProductOp`].
struct ExcessOp<'p, 'a, 'c, const CHUNKS: usize> {
    pusher: &'p mut Pusher<'a>,
    level: usize,
    cell: (&'c [f64], &'c [f64]),
    basis: Option<&'c Basis>,
    image_low: &'c mut [f64],
    image_high: &'c mut [f64],
}

impl<const CHUNKS: usize> pulp::WithSimd for ExcessOp<'_, '_, '_, CHUNKS> {
    type Output = (f64, usize);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> (f64, usize) {
        self.pusher.excess_here::<CHUNKS>(
            self.level,
            self.cell,
            self.basis,
            self.image_low,
            self.image_high,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rnn;

    /// The blocked product gives [`multiply`]'s bits column by column, with
    /// one vector of sums per column and with two, at sizes with and without
    /// a remainder of [`PARTIAL`] or of two of them, for dense columns,
    /// columns of one unit (mixed with dense ones in a block, or whole
    /// diagonal blocks as the zonotope's new generators), zero columns, and
    /// column counts that leave a part of a [`BLOCK`].
    #[test]
    fn blocked_products_are_the_single_products() {
        use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for h in [1, 3, 8, 12, 16, 21, 24, 32, 64] {
            let rows: Vec<f64> = (0..h * h).map(|_| rng.random_range(-3.0..3.0)).collect();
            // Mixed blocks; dense columns then a diagonal block of `h` (a
            // zonotope's new generators); a first block of zeros, then every
            // third column zero.
            for (count, layout) in [1, 3, 4, 5, 2 * h + 3]
                .into_iter()
                .flat_map(|count| (0..3).map(move |layout| (count, layout)))
            {
                let mut columns = vec![0.0; h * count];
                let diagonal_from = count.saturating_sub(h);
                for (k, column) in columns.chunks_exact_mut(h).enumerate() {
                    let one_unit = match layout {
                        0 => (k % 3 == 1).then_some(k % h),
                        1 => (k >= diagonal_from).then(|| (k - diagonal_from) % h),
                        _ => None,
                    };
                    if let Some(unit) = one_unit {
                        column[unit] = rng.random_range(-1.0..1.0);
                    } else if layout != 2 || (k >= BLOCK && k % 3 != 0) {
                        column
                            .iter_mut()
                            .for_each(|x| *x = rng.random_range(-1.0..1.0));
                    }
                }
                let mut narrow = vec![f64::NAN; h * count];
                multiply_columns::<1>(&rows, &columns, &mut narrow, h);
                let mut wide = vec![f64::NAN; h * count];
                multiply_columns::<2>(&rows, &columns, &mut wide, h);
                let outs = columns.chunks_exact(h).zip(narrow.chunks_exact(h));
                for ((column, narrow), wide) in outs.zip(wide.chunks_exact(h)) {
                    let mut single = vec![f64::NAN; h];
                    multiply(&rows, column, &mut single, h);
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    let case = format!("{h} units, {count} columns, layout {layout}");
                    assert_eq!(bits(narrow), bits(&single), "one vector, {case}");
                    assert_eq!(bits(wide), bits(&single), "two vectors, {case}");
                }
            }
        }
    }

    /// `n` values drawn uniformly from `[-scale, scale)`.
    fn uniform(rng: &mut rand::rngs::ChaCha8Rng, n: usize, scale: f64) -> Vec<f64> {
        use rand::RngExt;
        (0..n).map(|_| rng.random_range(-scale..scale)).collect()
    }

    /// Random weights of `h` units: `W_ih` within 4, `W_hh` within
    /// `recurrent`, `W_ho` within 6.
    fn random_weights(rng: &mut rand::rngs::ChaCha8Rng, h: usize, recurrent: f64) -> Weights {
        Weights::new(
            &uniform(rng, 2 * h, 4.0),
            &uniform(rng, h * h, recurrent),
            &uniform(rng, h, 6.0),
        )
    }

    /// A step's image left unwritten ([`Zonotope::lazy`]) gives the bits of
    /// the same image written out: its output margin against the dots of the
    /// written generators, and its box against [`column_magnitudes`] of
    /// them, two levels deep (the second step's parent written out by its
    /// product), at sizes with and without a remainder of [`PARTIAL`] and
    /// with and without a remainder of [`BLOCK`] columns.
    #[test]
    fn unwritten_images_are_the_written_ones() {
        use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for h in [3, 8, 12, 16, 21] {
            let weights = random_weights(&mut rng, h, 2.0);
            let mut pusher = Pusher::new(&weights, 3);
            let centre: Vec<f64> = (0..h).map(|_| rng.random_range(0.0..1.0)).collect();
            let low: Vec<f64> = centre.iter().map(|c| c - 0.01).collect();
            let high: Vec<f64> = centre.iter().map(|c| c + 0.01).collect();
            pusher.load_cell(&low, &high, None);
            pusher.product(0);
            for (level, pair) in [(0, 3), (1, 1), (1, 2)] {
                if level == 1 {
                    pusher.child(0, 3, true);
                    pusher.product(1);
                }
                for expected in [false, true] {
                    let lazy = pusher.child(level, pair, expected);
                    let (mut lazy_low, mut lazy_high) = (vec![0.0; h], vec![0.0; h]);
                    let everywhere = (vec![f64::NEG_INFINITY; h], vec![f64::INFINITY; h]);
                    let cell = (&everywhere.0[..], &everywhere.1[..]);
                    pusher.excess(level + 1, cell, None, &mut lazy_low, &mut lazy_high);
                    assert!(pusher.levels[level + 1].lazy);
                    pusher.materialise(level + 1);
                    let zonotope = &pusher.levels[level + 1];
                    assert!(!zonotope.lazy);
                    let radius: f64 = zonotope.generators[..zonotope.count * h]
                        .chunks_exact(h)
                        .map(|column| dot(column, &weights.w_out).abs())
                        .sum();
                    let centre = dot(&weights.w_out, &zonotope.centre);
                    let written =
                        output_margin(&weights, centre, radius, &zonotope.magnitude, expected);
                    assert_eq!(lazy.margin.to_bits(), written.margin.to_bits(), "{h} units");
                    let (mut low, mut high) = (vec![0.0; h], vec![0.0; h]);
                    pusher.excess(level + 1, cell, None, &mut low, &mut high);
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&lazy_low), bits(&low), "{h} units");
                    assert_eq!(bits(&lazy_high), bits(&high), "{h} units");
                }
            }
        }
    }

    /// The prover's steps give the same bits with every instruction set of
    /// this processor (`lanes::every_arch`), so that a certificate found on
    /// one machine is the one found on another: a box cell and an oriented
    /// one pushed through every word of 3 pairs, every output margin and
    /// every image's box compared, at sizes with and without a remainder of
    /// a vector (3 to 64 units).
    #[test]
    fn every_instruction_set_gives_the_same_images() {
        use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for h in [3, 8, 12, 21, 64] {
            let weights = random_weights(&mut rng, h, 8.0 / (h as f64).sqrt());
            // A Householder reflection `I - 2 v v^T / v^T v`: dense and orthonormal.
            let v = uniform(&mut rng, h, 1.0);
            let norm: f64 = v.iter().map(|x| x * x).sum();
            let q: Vec<f64> = (0..h * h)
                .map(|at| {
                    let (k, j) = (at / h, at % h);
                    f64::from(u8::from(j == k)) - 2.0 * v[j] * v[k] / norm
                })
                .collect();
            let basis = Basis::new(q, h).expect("a reflection is orthonormal");
            let centre: Vec<f64> = (0..h).map(|_| rng.random_range(0.0..1.0)).collect();
            let low: Vec<f64> = centre.iter().map(|c| c - 0.02).collect();
            let high: Vec<f64> = centre.iter().map(|c| c + 0.02).collect();
            let pushes: Vec<Vec<u64>> = crate::lanes::every_arch()
                .into_iter()
                .map(|arch| {
                    let mut pusher = Pusher::new(&weights, 3).with_arch(arch);
                    let mut seen = Vec::new();
                    for basis in [None, Some(&basis)] {
                        pusher.load_cell(&low, &high, basis);
                        push_every_word(&mut pusher, 0, (&low, &high), basis, &mut seen);
                    }
                    seen
                })
                .collect();
            for other in &pushes[1..] {
                assert_eq!(&pushes[0], other, "{h} units");
            }
        }
    }

    /// The zonotope at `level` (loaded) pushed through every word of the
    /// pairs left to depth 3, with the bits of every margin and every
    /// image's box (in the coordinates of `basis`, against `cell`) pushed
    /// onto `seen`.
    fn push_every_word(
        pusher: &mut Pusher,
        level: usize,
        cell: (&[f64], &[f64]),
        basis: Option<&Basis>,
        seen: &mut Vec<u64>,
    ) {
        let h = pusher.weights.hidden;
        pusher.product(level);
        for pair in 0..4 {
            let output = pusher.child(level, pair, pair == 1);
            let (mut image_low, mut image_high) = (vec![0.0; h], vec![0.0; h]);
            let (excess, unit) =
                pusher.excess(level + 1, cell, basis, &mut image_low, &mut image_high);
            seen.extend([output.margin.to_bits(), excess.to_bits(), unit as u64]);
            seen.extend(image_low.iter().chain(&image_high).map(|x| x.to_bits()));
            if level + 2 <= 3 {
                push_every_word(pusher, level + 1, cell, basis, seen);
            }
        }
    }

    /// Pushes boxes of random centres and widths through one step and checks
    /// that the program's own steps from points of the box land inside the
    /// image, and that a tiny box has a tiny image: at 16 units (two whole
    /// vectors of the prover's loops), 12 (one and a remainder) and 3 (a
    /// remainder only).
    #[test]
    fn images_hold_the_program_steps_and_are_tight() {
        images_hold::<16>(3);
        images_hold::<12>(4);
        images_hold::<3>(5);
    }

    fn images_hold<const H: usize>(seed: u64) {
        use nalgebra::{SVector, Vector2};
        use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
        let net = Rnn::<2, H, 1>::from_seed(seed);
        let [w_ih, w_hh, w_ho] = net.weights();
        let weights = Weights::new(w_ih, w_hh, w_ho);
        let mut pusher = Pusher::new(&weights, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (mut image_low, mut image_high) = (vec![0.0; H], vec![0.0; H]);
        for width in [1e-9, 1e-4, 1e-2, 0.2] {
            let centre: Vec<f64> = (0..H).map(|_| rng.random_range(0.0..1.0)).collect();
            let low: Vec<f64> = centre.iter().map(|c| c - width / 2.0).collect();
            let high: Vec<f64> = centre.iter().map(|c| c + width / 2.0).collect();
            pusher.load_cell(&low, &high, None);
            pusher.product(0);
            for pair in 0..4 {
                pusher.child(0, pair, false);
                let far = vec![f64::INFINITY; H];
                let near = vec![f64::NEG_INFINITY; H];
                pusher.excess(1, (&near, &far), None, &mut image_low, &mut image_high);
                let spread = (0..H)
                    .map(|j| image_high[j] - image_low[j])
                    .fold(0.0, f64::max);
                // One step multiplies widths by at most |W_hh| / 4 per unit, plus roundings.
                let bound: f64 = (0..H)
                    .map(|j| (0..H).map(|i| w_hh[i + H * j].abs()).sum::<f64>())
                    .fold(0.0, f64::max)
                    / 4.0;
                assert!(
                    spread <= bound * width * 1.5 + 1e-10,
                    "{H} units, width {width}: spread {spread}, bound {}",
                    bound * width
                );
                for _ in 0..200 {
                    let h = SVector::<f64, H>::from_fn(|j, _| rng.random_range(low[j]..=high[j]));
                    let x = Vector2::new(f64::from(pair as u8 & 1), f64::from(pair as u8 >> 1));
                    let (mut next, mut out) =
                        (SVector::<f64, H>::zeros(), nalgebra::Vector1::zeros());
                    net.step(&x, &h, &mut next, &mut out);
                    for j in 0..H {
                        assert!(
                            image_low[j] <= next[j] && next[j] <= image_high[j],
                            "{H} units, unit {j}"
                        );
                    }
                }
            }
        }
    }
}
