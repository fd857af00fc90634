//! The step of the induction: each key's cell pushed through every word of
//! `steps` pairs, its outputs checked on the way and its image compared with
//! the cell of the key it reaches.

use crate::certificate::MAX_STEPS;
use crate::prove::enclosure::{Basis, Pusher, Weights};
use crate::prove::keys::{Keys, carry_after, sum_bit};

/// One cell per key, `{ Q y : low <= y <= high }` with `Q` the key's basis
/// (or the identity) and the bounds at `key * hidden .. (key + 1) * hidden`;
/// the pairs each key's cell is pushed through, and the number of halvings
/// it is pushed in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cells {
    pub(crate) hidden: usize,
    pub(crate) low: Vec<f64>,
    pub(crate) high: Vec<f64>,
    pub(crate) steps: Vec<usize>,
    pub(crate) splits: Vec<usize>,
    pub(crate) bases: Vec<Basis>,
    /// Each key's basis, an index into `bases`; `None` for the identity.
    pub(crate) basis: Vec<Option<usize>>,
}

impl Cells {
    /// Key `key`'s bounds, in its basis's coordinates.
    pub(crate) fn of(&self, key: usize) -> (&[f64], &[f64]) {
        let range = key * self.hidden..(key + 1) * self.hidden;
        (&self.low[range.clone()], &self.high[range])
    }

    /// Key `key`'s basis, `None` for the identity.
    pub(crate) fn basis_of(&self, key: usize) -> Option<&Basis> {
        self.basis[key].map(|index| &self.bases[index])
    }
}

/// Where the step fails for one key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Failure {
    /// The output after `depth` pairs of `word` is not surely right: its
    /// pre-activation may be `-margin` on the wrong side of the threshold.
    Output {
        word: usize,
        depth: usize,
        margin: f64,
    },
    /// The image after the whole `word` sticks out of the next key's cell by
    /// `excess` in unit `unit`.
    Inclusion {
        word: usize,
        steps: usize,
        unit: usize,
        excess: f64,
    },
}

/// What happens to the images of one key's cell.
pub(crate) trait Sink {
    /// An image after the `steps` pairs of `word`, bound for `target`, with
    /// its bounding box; `excess` is how far it sticks out in `unit` (0 or
    /// less: inside). Returns whether to go on.
    fn image(
        &mut self,
        word: (usize, usize),
        target: usize,
        excess: (f64, usize),
        image: (&[f64], &[f64]),
    ) -> bool;
    /// An output that is not surely right. Returns whether to go on.
    fn output(&mut self, word: usize, depth: usize, margin: f64) -> bool;
}

/// One thread's buffers for pushing cells.
#[derive(Debug, Clone)]
pub(crate) struct Step<'a> {
    keys: Keys,
    pub(crate) pusher: Pusher<'a>,
    piece_low: Vec<f64>,
    piece_high: Vec<f64>,
    image_low: Vec<f64>,
    image_high: Vec<f64>,
}

impl<'a> Step<'a> {
    /// Buffers for `keys` on the network `weights`, for cells of up to
    /// [`MAX_STEPS`] steps.
    pub(crate) fn new(weights: &'a Weights, keys: Keys) -> Self {
        let h = weights.hidden;
        Step {
            keys,
            pusher: Pusher::new(weights, MAX_STEPS),
            piece_low: vec![0.0; h],
            piece_high: vec![0.0; h],
            image_low: vec![0.0; h],
            image_high: vec![0.0; h],
        }
    }

    /// Pushes key `key`'s cell, in `2^splits` pieces, through every word of its steps.
    /// Returns false if `sink` asked to stop.
    pub(crate) fn key(&mut self, cells: &Cells, key: usize, sink: &mut impl Sink) -> bool {
        let (low, high) = cells.of(key);
        let splits = cells.splits[key];
        for piece in 0..1_usize << splits {
            // Bisection `level` halves the widest unit of the piece so far
            // (ties to the lower unit), keeping the half bit `level` of `piece` names.
            self.piece_low.copy_from_slice(low);
            self.piece_high.copy_from_slice(high);
            for level in 0..splits {
                let mut unit = 0;
                for j in 1..low.len() {
                    if self.piece_high[j] - self.piece_low[j]
                        > self.piece_high[unit] - self.piece_low[unit]
                    {
                        unit = j;
                    }
                }
                let (a, b) = (self.piece_low[unit], self.piece_high[unit]);
                let middle = (a + 0.5 * (b - a)).clamp(a, b);
                if piece >> level & 1 == 0 {
                    self.piece_high[unit] = middle;
                } else {
                    self.piece_low[unit] = middle;
                }
            }
            self.pusher
                .load_cell(&self.piece_low, &self.piece_high, cells.basis_of(key));
            let carry = self.keys.carry_out(key);
            if !self.words(cells, key, 0, 0, carry, sink) {
                return false;
            }
        }
        true
    }

    /// Every continuation of the zonotope at `level`, which read the first
    /// `level` pairs of `word`, with carry `carry` into the next pair.
    fn words(
        &mut self,
        cells: &Cells,
        key: usize,
        level: usize,
        word: usize,
        carry: bool,
        sink: &mut impl Sink,
    ) -> bool {
        self.pusher.product(level);
        for pair in 0..4 {
            let word = word | pair << (2 * level);
            let output = self.pusher.child(level, pair, sum_bit(carry, pair));
            if output.margin < 0.0 && !sink.output(word, level + 1, output.margin) {
                return false;
            }
            if output.margin < 0.0 {
                continue;
            }
            let steps = cells.steps[key];
            if level + 1 < steps {
                if !self.words(cells, key, level + 1, word, carry_after(carry, pair), sink) {
                    return false;
                }
                continue;
            }
            let target = self.keys.next(key, word, steps);
            let excess = self.pusher.excess(
                level + 1,
                cells.of(target),
                cells.basis_of(target),
                &mut self.image_low,
                &mut self.image_high,
            );
            let image = (&self.image_low[..], &self.image_high[..]);
            if !sink.image((word, steps), target, excess, image) {
                return false;
            }
        }
        true
    }
}

/// A sink that stops at the first failure and keeps it: the checker's.
#[derive(Debug, Default)]
pub(crate) struct FirstFailure {
    pub(crate) failure: Option<Failure>,
}

impl Sink for FirstFailure {
    fn image(
        &mut self,
        (word, steps): (usize, usize),
        _target: usize,
        (excess, unit): (f64, usize),
        _: (&[f64], &[f64]),
    ) -> bool {
        if excess > 0.0 {
            self.failure = Some(Failure::Inclusion {
                word,
                steps,
                unit,
                excess,
            });
            return false;
        }
        true
    }

    fn output(&mut self, word: usize, depth: usize, margin: f64) -> bool {
        self.failure = Some(Failure::Output {
            word,
            depth,
            margin,
        });
        false
    }
}
