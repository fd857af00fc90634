//! The base of the induction: every word of up to a given number of input
//! pairs, stepped with the program's own code from `h_0 = 0`.
//!
//! Each state is computed by `Network::recurrent_into` then
//! `Network::finish_step`, which is what `Network::step`, and so
//! [`Adder::add`](crate::Adder::add), computes: the states here are the
//! program's, to the last bit, and every output on the way is checked.

use std::sync::Mutex;

use nalgebra::{DefaultAllocator, Dim, OVector, U1, U2};

use crate::adder::{from_bit, to_bit};
use crate::prove::keys::Keys;
use crate::verify::{Path, wrong_sum};
use crate::{Network, RnnAllocator};

/// What the base walk found: the smallest wrong sum, if any, and how many steps it took.
#[derive(Debug, Default)]
pub(crate) struct Base {
    /// The smallest wrong sum met, as `(width, a, b)`.
    pub(crate) smallest_wrong: Option<(usize, u128, u128)>,
    /// Network steps taken.
    pub(crate) steps: u64,
}

/// Walks every word of `1..=length` pairs and shows a visitor each
/// state at a time that has a key (from `keys.history() + 1` on) with its
/// key. A visitor is made once per thread by `make_visitor`, and the
/// visitors are handed back for merging. Deterministic: the visits a state gets do not
/// depend on the number of threads, only their order does.
pub(crate) fn walk<H, V>(
    network: &Network<U2, H, U1, f64>,
    keys: &Keys,
    length: usize,
    threads: usize,
    make_visitor: impl Fn() -> V + Sync,
) -> (Base, Vec<V>)
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
    V: Visit + Send,
{
    let jobs: Vec<usize> = (0..16).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = Mutex::new((Base::default(), Vec::new()));
    let work = || {
        let mut walker = Walker::new(network, keys, length, make_visitor());
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&job) = jobs.get(index) else { break };
            walker.job(job);
        }
        if let Ok(mut results) = results.lock() {
            let (base, visitors) = &mut *results;
            base.steps += walker.base.steps;
            if let Some(found) = walker.base.smallest_wrong {
                consider(&mut base.smallest_wrong, found);
            }
            visitors.push(walker.visit);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.max(1) {
            scope.spawn(work);
        }
        work();
    });
    results.into_inner().unwrap_or_else(|err| err.into_inner())
}

/// What the walk shows each keyed state to.
pub(crate) trait Visit {
    /// A state of the program, at a time whose key is `key`.
    fn visit(&mut self, key: usize, state: &[f64]);
}

/// Keeps `found` if it is smaller than what `smallest` holds.
fn consider(smallest: &mut Option<(usize, u128, u128)>, found: (usize, u128, u128)) {
    if smallest.is_none_or(|held| found < held) {
        *smallest = Some(found);
    }
}

/// One thread's walk: a state, its product and the path per level.
struct Walker<'a, H, V>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    network: &'a Network<U2, H, U1, f64>,
    keys: &'a Keys,
    length: usize,
    hidden: Vec<OVector<f64, H>>,
    recurrent: Vec<OVector<f64, H>>,
    output: OVector<f64, U1>,
    inputs: [OVector<f64, U2>; 4],
    /// `pairs[t]` is the pair read at step `t` (from 1), `carries[t]` the carry after it.
    pairs: Vec<usize>,
    carries: Vec<bool>,
    base: Base,
    visit: V,
}

impl<'a, H, V> Walker<'a, H, V>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    V: Visit,
{
    fn new(network: &'a Network<U2, H, U1, f64>, keys: &'a Keys, length: usize, visit: V) -> Self {
        let hidden = network.w_hh.shape_generic().0;
        let length = length.max(2);
        let levels = length + 1;
        let input = |pair: usize| {
            let mut input = OVector::<f64, U2>::zeros();
            input[0] = from_bit(pair & 1 == 1);
            input[1] = from_bit(pair & 2 == 2);
            input
        };
        Walker {
            network,
            keys,
            length,
            hidden: vec![OVector::zeros_generic(hidden, U1); levels],
            recurrent: vec![OVector::zeros_generic(hidden, U1); levels],
            output: OVector::<f64, U1>::zeros(),
            inputs: std::array::from_fn(input),
            pairs: vec![0; levels],
            carries: vec![false; levels],
            base: Base::default(),
            visit,
        }
    }

    /// The words that start with the two pairs of `job` (`first + 4 second`).
    fn job(&mut self, job: usize) {
        self.network
            .recurrent_into(&self.hidden[0], &mut self.recurrent[0]);
        let path = Path::default();
        let Some(path) = self.step(0, path, job & 3) else {
            return;
        };
        self.network
            .recurrent_into(&self.hidden[1], &mut self.recurrent[1]);
        let Some(path) = self.step(1, path, job >> 2) else {
            return;
        };
        self.descend(2, path);
    }

    /// Steps from the state at `level` (product computed) on `pair`, checks
    /// the output, and visits the new state if its time has a key.
    fn step(&mut self, level: usize, path: Path, pair: usize) -> Option<Path> {
        let to = level + 1;
        let hidden = &mut self.hidden[to];
        hidden.copy_from(&self.recurrent[level]);
        self.network
            .finish_step(&self.inputs[pair], hidden, &mut self.output);
        self.base.steps += 1;
        let (child, expected) = path.child(pair);
        if to_bit(self.output[0]) != expected {
            consider(&mut self.base.smallest_wrong, wrong_sum(child, pair));
            return None;
        }
        self.pairs[to] = pair;
        self.carries[to] = child.carry;
        let history = self.keys.history();
        if to > history {
            let start = to - history;
            let key = self
                .keys
                .index(self.carries[start], &self.pairs[start + 1..=to]);
            self.visit.visit(key, self.hidden[to].as_slice());
        }
        Some(child)
    }

    /// Every continuation of the state at `level` up to the base length.
    fn descend(&mut self, level: usize, path: Path) {
        if level >= self.length {
            return;
        }
        if self
            .base
            .smallest_wrong
            .is_some_and(|(width, _, _)| path.steps > width)
        {
            return;
        }
        self.network
            .recurrent_into(&self.hidden[level], &mut self.recurrent[level]);
        for pair in 0..4 {
            if let Some(child) = self.step(level, path, pair) {
                self.descend(level + 1, child);
            }
        }
    }
}

/// Shows `visit` every keyed state of `count` random words of `length`
/// pairs (ChaCha8 of `seed`), stepped with the program's code: states with a
/// long history, which a walk of short words never reaches. One thread, so
/// that the visits come in one order.
pub(crate) fn trajectories<H>(
    network: &Network<U2, H, U1, f64>,
    keys: &Keys,
    (count, length, seed): (usize, usize, u64),
    visit: &mut impl Visit,
) where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let hidden = network.w_hh.shape_generic().0;
    let mut state = OVector::<f64, H>::zeros_generic(hidden, U1);
    let mut recurrent = state.clone();
    let mut output = OVector::<f64, U1>::zeros();
    let inputs: [OVector<f64, U2>; 4] = std::array::from_fn(|pair| {
        OVector::<f64, U2>::new(from_bit(pair & 1 == 1), from_bit(pair & 2 == 2))
    });
    let history = keys.history();
    let mut pairs = vec![0; length + 1];
    let mut carries = vec![false; length + 1];
    for _ in 0..count {
        state.fill(0.0);
        // Runs of one pair are where states drift the most: half the words are made of them.
        let runs = rng.random::<bool>();
        let mut pair = rng.random_range(0..4);
        for t in 1..=length {
            if !runs || rng.random_range(0..8) == 0 {
                pair = rng.random_range(0..4);
            }
            network.recurrent_into(&state, &mut recurrent);
            network.finish_step(&inputs[pair], &mut recurrent, &mut output);
            std::mem::swap(&mut state, &mut recurrent);
            pairs[t] = pair;
            carries[t] = crate::prove::keys::carry_after(carries[t - 1], pair);
            if t > history {
                let start = t - history;
                let key = keys.index(carries[start], &pairs[start + 1..=t]);
                visit.visit(key, state.as_slice());
            }
        }
    }
}
