//! Many sequences per step: the forward step of a network with two inputs,
//! run on [`LANES`] independent states at once, each lane doing exactly the
//! arithmetic of `Network::step` in the same order.
//!
//! A lane's pre-activation of unit `j` is the dot product of its state with
//! column `j` of `W_hh`, summed in order (first product, then each next one
//! added: `network::dot`), plus the input's part, which for the four input
//! pairs is computed once by that same `dot`. So every lane's result is the
//! scalar step's to the bit (tested below), while the loops over lanes are
//! plain array arithmetic that the compiler turns into vector instructions.
//! The verifier steps the eight children of two states, eight random sums,
//! or the four long runs after a prefix, as the lanes: one 512-bit vector of
//! `f64` where the processor has them, two of 256 bits otherwise.

use nalgebra::{DefaultAllocator, Dim};

use crate::network::dot;
use crate::{Network, Real, RnnAllocator};

/// Sequences stepped at once.
pub(crate) const LANES: usize = 8;

/// Units whose products [`LaneNet::product`] sums side by side: eight
/// independent sums in flight, each still added in order, where a lane fits
/// one register; four at a time (two halves of a block) where it takes two
/// or more, so that the sums stay in the registers (with `f64` in 256-bit
/// registers, eight sums of two registers each would take all sixteen, and
/// the verifier at 64 units ran 1.4 times as long).
const WIDE: usize = 8;
/// The narrower block for the units left after blocks of [`WIDE`].
const BLOCK: usize = 4;

/// One value per lane.
pub(crate) type Lane<T> = [T; LANES];

/// A network with two inputs (and any number of outputs, of which the first
/// is computed), its weights laid out for lane stepping.
#[derive(Debug, Clone)]
pub(crate) struct LaneNet<T> {
    units: usize,
    /// `W_hh` column-major, as the network holds it: column `j` is what every
    /// state unit feeds unit `j`.
    w_hh: Vec<T>,
    /// `W_hh` by blocks of units ([`WIDE`] units while that many are left,
    /// then [`BLOCK`]): for each block, for each state unit `i`, the weights
    /// from `i` to the block's units.
    w_blocks: Vec<T>,
    /// Column 0 of `W_ho`.
    w_out: Vec<T>,
    /// `input_part[j][pair]`: `dot(x, W_ih[:, j])` for the input `x` of pair
    /// `pair` (`a + 2 b`), as `Network::finish_step` computes it.
    input_part: Vec<[T; 4]>,
    /// The vector instructions to run the kernels with, detected once.
    arch: pulp::Arch,
    /// Whether a lane of `T` takes more than one register of `arch`'s
    /// vectors: [`LaneNet::product`] then runs blocks of [`WIDE`] units in
    /// halves.
    halves: bool,
}

impl<T: Real> LaneNet<T> {
    /// The lanes of `network`, whose inputs are `inputs[pair]` (every one as
    /// long as the network's input).
    pub(crate) fn new<I, H, O>(network: &Network<I, H, O, T>, inputs: [&[T]; 4]) -> Self
    where
        I: Dim,
        H: Dim,
        O: Dim,
        DefaultAllocator: RnnAllocator<I, H, O>,
    {
        let units = network.w_hh.nrows();
        let arch = pulp::Arch::new();
        let input_part = network
            .w_ih
            .as_slice()
            .chunks_exact(network.w_ih.nrows())
            .map(|column| {
                inputs.map(|input| dot(input.iter().copied().zip(column.iter().copied())))
            })
            .collect();
        let w_hh = network.w_hh.as_slice();
        let mut w_blocks = Vec::new();
        let mut unit = 0;
        for width in [WIDE, BLOCK] {
            while units - unit >= width {
                for i in 0..units {
                    w_blocks.extend((unit..unit + width).map(|j| w_hh[j * units + i]));
                }
                unit += width;
            }
        }
        LaneNet {
            units,
            w_blocks,
            w_hh: w_hh.to_vec(),
            w_out: network.w_ho.as_slice()[..units].to_vec(),
            input_part,
            arch,
            halves: Self::halves(arch),
        }
    }

    /// Whether a lane of `T` takes more than one register of `arch`'s vectors.
    fn halves(arch: pulp::Arch) -> bool {
        size_of::<Lane<T>>() > arch.dispatch(F64Lanes) * size_of::<f64>()
    }

    /// These lanes run with `arch`'s instructions instead of the best the
    /// processor has.
    #[cfg(test)]
    pub(crate) fn with_arch(mut self, arch: pulp::Arch) -> Self {
        self.arch = arch;
        self.halves = Self::halves(arch);
        self
    }

    /// Hidden units.
    pub(crate) fn units(&self) -> usize {
        self.units
    }

    /// `recurrent[j][l] = dot(state of lane l, W_hh[:, j])`: the part of a
    /// step that does not depend on the input.
    ///
    /// A block of [`WIDE`] units runs at once where their sums fit the
    /// registers (eight sums, each one register of lanes), in halves where a
    /// lane takes two registers or more (`f64` in 256-bit registers). The
    /// halves sum the same products in the same order. Which one runs is a
    /// const parameter of the operation `pulp` compiles, so that each compiled
    /// function holds one kernel: with both in one function, behind a branch
    /// on the register width of `S` (decided at compile time all the same),
    /// the compiler left the whole blocks' lanes unvectorised, and the
    /// verifier at 64 units took 4 to 5 times as long on a processor with
    /// AVX-512.
    pub(crate) fn product(&self, states: &[Lane<T>], recurrent: &mut [Lane<T>]) {
        if self.halves {
            self.arch.dispatch(Product::<T, true> {
                lanes: self,
                states,
                recurrent,
            });
        } else {
            self.arch.dispatch(Product::<T, false> {
                lanes: self,
                states,
                recurrent,
            });
        }
    }

    /// [`LaneNet::product`] in whole blocks, compiled into its caller, whose
    /// vector instructions it uses.
    #[inline(always)]
    fn product_here(&self, states: &[Lane<T>], recurrent: &mut [Lane<T>]) {
        let units = self.units;
        let states = &states[..units];
        let (mut unit, mut offset) = (0, 0);
        while units - unit >= WIDE {
            let weights = &self.w_blocks[offset..offset + units * WIDE];
            let out = &mut recurrent[unit..unit + WIDE];
            block_product::<T, WIDE, WIDE, 0>(states, weights, out);
            (unit, offset) = (unit + WIDE, offset + units * WIDE);
        }
        self.product_rest(states, recurrent, unit, offset);
    }

    /// [`LaneNet::product`] in halves of blocks, compiled into its caller.
    #[inline(always)]
    fn product_in_halves_here(&self, states: &[Lane<T>], recurrent: &mut [Lane<T>]) {
        let units = self.units;
        let states = &states[..units];
        let (mut unit, mut offset) = (0, 0);
        while units - unit >= WIDE {
            let weights = &self.w_blocks[offset..offset + units * WIDE];
            let (low, high) = recurrent[unit..unit + WIDE].split_at_mut(BLOCK);
            block_product::<T, BLOCK, WIDE, 0>(states, weights, low);
            block_product::<T, BLOCK, WIDE, BLOCK>(states, weights, high);
            (unit, offset) = (unit + WIDE, offset + units * WIDE);
        }
        self.product_rest(states, recurrent, unit, offset);
    }

    /// The units of [`LaneNet::product`] from `unit` on, after the blocks of
    /// [`WIDE`], whose weights start at `offset` of the blocks' weights.
    #[inline(always)]
    fn product_rest(
        &self,
        states: &[Lane<T>],
        recurrent: &mut [Lane<T>],
        mut unit: usize,
        mut offset: usize,
    ) {
        let units = self.units;
        while units - unit >= BLOCK {
            let weights = &self.w_blocks[offset..offset + units * BLOCK];
            block_product::<T, BLOCK, BLOCK, 0>(
                states,
                weights,
                &mut recurrent[unit..unit + BLOCK],
            );
            (unit, offset) = (unit + BLOCK, offset + units * BLOCK);
        }
        for (out, column) in recurrent[unit..units]
            .iter_mut()
            .zip(self.w_hh[unit * units..].chunks_exact(units))
        {
            *out = lane_dot(states, column);
        }
    }

    /// The rest of the step: lane `l` reads the product in lane `from[l]` of
    /// `recurrent` and the input pair `pairs[l]`, writes its state into lane
    /// `l` of `hidden`, and its first output is returned in lane `l`.
    pub(crate) fn finish(
        &self,
        recurrent: &[Lane<T>],
        from: [usize; LANES],
        pairs: [usize; LANES],
        hidden: &mut [Lane<T>],
    ) -> Lane<T> {
        self.arch.dispatch(Finish {
            lanes: self,
            recurrent,
            from,
            pairs,
            hidden,
        })
    }

    /// [`LaneNet::finish`] compiled into its caller.
    #[inline(always)]
    fn finish_here(
        &self,
        recurrent: &[Lane<T>],
        from: [usize; LANES],
        pairs: [usize; LANES],
        hidden: &mut [Lane<T>],
    ) -> Lane<T> {
        let units = self.units;
        let hidden = &mut hidden[..units];
        for ((state, product), part) in hidden.iter_mut().zip(recurrent).zip(&self.input_part) {
            // Built whole, then stored whole: four narrow stores read back
            // as one wide load would stall the processor.
            let mut pre = [T::zero(); LANES];
            for (lane, value) in pre.iter_mut().enumerate() {
                *value = product[from[lane]] + part[pairs[lane]];
            }
            *state = pre;
        }
        for value in hidden.as_flattened_mut() {
            *value = value.sigmoid();
        }
        let mut sum = lane_dot(hidden, &self.w_out);
        for value in &mut sum {
            *value = value.sigmoid();
        }
        sum
    }
}

/// [`LaneNet::product`] as an operation that `pulp` compiles for each set
/// of vector instructions and runs with the best the processor has: in
/// halves of blocks if `HALVES`, in whole blocks otherwise.
struct Product<'a, T, const HALVES: bool> {
    lanes: &'a LaneNet<T>,
    states: &'a [Lane<T>],
    recurrent: &'a mut [Lane<T>],
}

impl<T: Real, const HALVES: bool> pulp::WithSimd for Product<'_, T, HALVES> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        if HALVES {
            self.lanes
                .product_in_halves_here(self.states, self.recurrent);
        } else {
            self.lanes.product_here(self.states, self.recurrent);
        }
    }
}

/// The `f64` values in one register of the vector instructions `pulp` runs.
pub(crate) struct F64Lanes;

impl pulp::WithSimd for F64Lanes {
    type Output = usize;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> usize {
        S::F64_LANES
    }
}

/// [`LaneNet::finish`] as an operation for `pulp`.
struct Finish<'a, T> {
    lanes: &'a LaneNet<T>,
    recurrent: &'a [Lane<T>],
    from: [usize; LANES],
    pairs: [usize; LANES],
    hidden: &'a mut [Lane<T>],
}

impl<T: Real> pulp::WithSimd for Finish<'_, T> {
    type Output = Lane<T>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Lane<T> {
        self.lanes
            .finish_here(self.recurrent, self.from, self.pairs, self.hidden)
    }
}

/// `network::dot` lane by lane: `sum_i states[i][l] * weights[i]`, the first
/// product, then each next one added in order.
#[inline(always)]
fn lane_dot<T: Real>(states: &[Lane<T>], weights: &[T]) -> Lane<T> {
    let mut sum = scaled(&states[0], weights[0]);
    for (state, weight) in states[1..].iter().zip(&weights[1..]) {
        for (s, x) in sum.iter_mut().zip(state) {
            *s += *x * *weight;
        }
    }
    sum
}

/// `out[k] = dot(states, column FIRST + k)` for `W` of the `STRIDE` columns
/// whose weights are `weights`, laid out state unit by state unit (`STRIDE`
/// weights each): `W` independent sums in flight, each added in order.
#[inline(always)]
fn block_product<T: Real, const W: usize, const STRIDE: usize, const FIRST: usize>(
    states: &[Lane<T>],
    weights: &[T],
    out: &mut [Lane<T>],
) {
    let (rows, _) = weights.as_chunks::<STRIDE>();
    let columns = |row: &[T; STRIDE]| -> [T; W] { std::array::from_fn(|k| row[FIRST + k]) };
    let mut sums: [Lane<T>; W] = columns(&rows[0]).map(|weight| scaled(&states[0], weight));
    for (state, row) in states[1..].iter().zip(&rows[1..]) {
        for (sum, weight) in sums.iter_mut().zip(columns(row)) {
            for (s, x) in sum.iter_mut().zip(state) {
                *s += *x * weight;
            }
        }
    }
    out.copy_from_slice(&sums);
}

/// `lane * weight`, lane by lane.
#[inline(always)]
fn scaled<T: Real>(lane: &Lane<T>, weight: T) -> Lane<T> {
    lane.map(|x| x * weight)
}

/// Every instruction set of this processor that `pulp` compiles the
/// kernels for: none (plain `f64`), then, on x86-64, AVX2 and AVX-512 where
/// the processor has them; elsewhere the one [`pulp::Arch::new`] picks.
/// Every kernel must give the same bits with each.
#[cfg(test)]
pub(crate) fn every_arch() -> Vec<pulp::Arch> {
    let mut archs = vec![pulp::Arch::Scalar];
    #[cfg(target_arch = "x86_64")]
    {
        archs.extend(pulp::x86::V3::try_new().map(pulp::Arch::V3));
        archs.extend(pulp::x86::V4::try_new().map(pulp::Arch::V4));
    }
    #[cfg(not(target_arch = "x86_64"))]
    archs.push(pulp::Arch::new());
    archs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adder::from_bit;
    use crate::{DynRnn, Rnn};
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    /// Every lane against `Network::step` to the bit, on random states
    /// (including saturated and negative values), random pairs and random
    /// lanes to read from, with each instruction set of [`every_arch`].
    fn lanes_match_the_step<H: Dim, T: Real + Into<f64>>(
        network: &Network<nalgebra::U2, H, nalgebra::U1, T>,
        seed: u64,
    ) where
        DefaultAllocator: RnnAllocator<nalgebra::U2, H, nalgebra::U1>,
    {
        for arch in every_arch() {
            lanes_match_the_step_with(network, seed, arch);
        }
    }

    fn lanes_match_the_step_with<H: Dim, T: Real + Into<f64>>(
        network: &Network<nalgebra::U2, H, nalgebra::U1, T>,
        seed: u64,
        arch: pulp::Arch,
    ) where
        DefaultAllocator: RnnAllocator<nalgebra::U2, H, nalgebra::U1>,
    {
        let units = network.hidden();
        let pair_inputs: [Vec<T>; 4] =
            std::array::from_fn(|pair| vec![from_bit(pair & 1 == 1), from_bit(pair & 2 == 2)]);
        let lanes =
            LaneNet::new(network, [0, 1, 2, 3].map(|p| pair_inputs[p].as_slice())).with_arch(arch);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..500 {
            let scale = [1.0, 10.0, 100.0][rng.random_range(0..3)];
            let states: Vec<Lane<T>> = (0..units)
                .map(|_| {
                    std::array::from_fn(|_| T::from_subset(&(rng.random_range(-1.0..1.0) * scale)))
                })
                .collect();
            let from: [usize; LANES] = std::array::from_fn(|_| rng.random_range(0..LANES));
            let pairs: [usize; LANES] = std::array::from_fn(|_| rng.random_range(0..4));
            let mut recurrent = vec![[T::zero(); LANES]; units];
            lanes.product(&states, &mut recurrent);
            // Whole blocks and halves, each also compiled here without the
            // processor's vector instructions: the same sums as the path
            // `product` picked, whichever it is.
            for kernel in [LaneNet::product_here, LaneNet::product_in_halves_here] {
                let mut other = vec![[T::zero(); LANES]; units];
                kernel(&lanes, &states, &mut other);
                assert!(
                    recurrent
                        .iter()
                        .flatten()
                        .zip(other.iter().flatten())
                        .all(|(a, b)| (*a).into().to_bits() == (*b).into().to_bits())
                );
            }
            let mut hidden = vec![[T::zero(); LANES]; units];
            let outputs = lanes.finish(&recurrent, from, pairs, &mut hidden);
            for lane in 0..LANES {
                let previous: Vec<T> = states.iter().map(|s| s[from[lane]]).collect();
                let mut next = vec![T::zero(); units];
                let mut output = [T::zero()];
                network.step_slices(&pair_inputs[pairs[lane]], &previous, &mut next, &mut output);
                let lane_state: Vec<T> = hidden.iter().map(|h| h[lane]).collect();
                let bits = |v: &[T]| v.iter().map(|x| (*x).into().to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&lane_state), bits(&next), "lane {lane}, {arch:?}");
                assert_eq!(
                    bits(&[outputs[lane]]),
                    bits(&output),
                    "lane {lane}, {arch:?}"
                );
            }
        }
    }

    #[test]
    fn every_lane_is_the_scalar_step_to_the_bit() {
        for seed in 0..4 {
            lanes_match_the_step(&Rnn::<2, 16, 1>::from_seed(seed), seed);
            lanes_match_the_step(&Rnn::<2, 16, 1, f32>::from_seed(seed), seed);
            lanes_match_the_step(&Rnn::<2, 3, 1>::from_seed(seed), seed);
            let large = DynRnn::<f64>::from_seed(2, 37, 1, seed).unwrap();
            let large = large
                .reshape::<nalgebra::U2, nalgebra::Dyn, nalgebra::U1>()
                .unwrap();
            lanes_match_the_step(&large, seed);
        }
    }
}
