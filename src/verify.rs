//! The verifier: a deterministic search for a wrong sum in a trained [`Adder`].
//!
//! It steps the network with the same arithmetic as [`Adder::add`] and
//! training: the same in-order sums and the crate's own sigmoid, so a verdict
//! is about the function the program computes, to the last bit. What it shares between sequences is the input-independent
//! half of a step: the product `h W_hh` of a state is computed once and
//! serves the four input pairs that can follow it. It steps eight sequences
//! at a time (the children of two states, eight random sums), as the lanes
//! of vector instructions, each lane bit-identical to `Network::step`
//! (`crate::lanes`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use nalgebra::{DefaultAllocator, Dim, U1, U2};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Geometric};

use crate::adder::{from_bit, to_bit};
use crate::counterexample::Counterexample;
use crate::lanes::{LANES, Lane, LaneNet};
use crate::report::{Counts, Coverage, Report};
use crate::{Adder, Error, Network, Real, RnnAllocator};

/// Searches `adder` for a wrong sum over `coverage`, on all available cores.
///
/// The result is deterministic: the same adder and coverage give the same
/// counts and the same counterexample, whatever the number of threads.
/// Finding no wrong sum is evidence, not proof, that the adder is right at
/// every width.
///
/// # Errors
///
/// The errors of [`Coverage::validate`].
///
/// # Examples
///
/// ```
/// use const_rnn::{train, verify, Coverage, AdderConfig};
///
/// let adder = train(&AdderConfig { gate: Coverage::quick(), ..AdderConfig::default() })?;
/// let report = verify(&adder, &Coverage::quick())?;
/// assert!(report.is_verified());
/// assert!(report.counts.exhaustive_sums > 80_000 && report.steps_per_second() > 0.0);
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn verify<H, T>(adder: &Adder<H, T>, coverage: &Coverage) -> Result<Report, Error>
where
    T: Real,
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, T>: Sync,
{
    verify_network(adder.network(), coverage)
}

/// [`verify`] on a network already checked to have 2 inputs and 1 output.
pub(crate) fn verify_network<I, H, O, T>(
    network: &Network<I, H, O, T>,
    coverage: &Coverage,
) -> Result<Report, Error>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
    Network<I, H, O, T>: Sync,
{
    coverage.validate()?;
    let started = Instant::now();
    let jobs = jobs(coverage);
    let next_job = AtomicUsize::new(0);
    let results = Mutex::new(Tally::default());
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len())
        .max(1);
    let inputs = [0, 1, 2, 3].map(|pair| {
        let mut input = vec![T::zero(); network.inputs()];
        input[0] = from_bit(pair & 1 == 1);
        input[1] = from_bit(pair & 2 == 2);
        input
    });
    let lanes = LaneNet::new(network, [0, 1, 2, 3].map(|pair| inputs[pair].as_slice()));
    let work = || {
        let mut walker = Walker::new(&lanes, coverage);
        let mut found = Tally::default();
        loop {
            let index = next_job.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(index) else { break };
            // Each job prunes by its own findings only, so that the counts do
            // not depend on which thread ran which jobs before.
            walker.tally = Tally::default();
            walker.run(job);
            found.merge(&walker.tally);
        }
        // A poisoned lock means another worker panicked; its panic is re-raised by `scope`.
        if let Ok(mut results) = results.lock() {
            results.merge(&found);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let tally = results.into_inner().unwrap_or_else(|err| err.into_inner());
    let counterexample = match tally.smallest {
        None => None,
        Some(found) => Some(counterexample(network, found)?),
    };
    Ok(Report {
        counts: tally.counts,
        counterexample,
        elapsed: started.elapsed(),
    })
}

/// `a + b` for `width`-bit operands, as [`Adder::add`] reports it.
pub(crate) fn true_sum(width: usize, a: u128, b: u128) -> (u128, bool) {
    if width == 128 {
        a.overflowing_add(b)
    } else {
        let sum = a + b;
        (sum & !(u128::MAX << width), sum >> width == 1)
    }
}

/// One piece of the search, run by one thread.
#[derive(Debug, Clone, Copy)]
enum Job {
    /// The exhaustive tree below the first input pair `first`.
    Exhaustive { first: usize },
    /// Long runs of each input pair after the prefix of `length` pairs `pairs`
    /// (base-4 digits, first pair lowest).
    Runs { length: usize, pairs: usize },
    /// Random pairs number `first..first + count`.
    Random { first: usize, count: usize },
}

/// Random pairs per job: enough to amortise a job, few enough to balance threads.
const RANDOM_PAIRS_PER_JOB: usize = 500;

/// The search, cut into jobs of similar size.
fn jobs(coverage: &Coverage) -> Vec<Job> {
    let mut jobs = Vec::new();
    if coverage.exhaustive_bits > 0 {
        jobs.extend((0..4).map(|first| Job::Exhaustive { first }));
    }
    // Runs no wider than the exhaustive part would only repeat it.
    if coverage.max_bits > coverage.exhaustive_bits {
        let prefix_pairs = coverage.run_prefix_pairs.min(coverage.max_bits - 1);
        for length in 0..=prefix_pairs {
            jobs.extend((0..1 << (2 * length)).map(|pairs| Job::Runs { length, pairs }));
        }
    }
    for first in (0..coverage.random_pairs).step_by(RANDOM_PAIRS_PER_JOB) {
        let count = RANDOM_PAIRS_PER_JOB.min(coverage.random_pairs - first);
        jobs.push(Job::Random { first, count });
    }
    jobs
}

/// The input pairs a sum reads, `a_t + 2 b_t`; pair 0 is `(0, 0)`, the carry-out step's.
const PAIRS: usize = 4;

/// The operands read so far and the carry of their true sum.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Path {
    pub(crate) a: u128,
    pub(crate) b: u128,
    pub(crate) steps: usize,
    pub(crate) carry: bool,
}

impl Path {
    /// The path one pair longer, and the true sum bit of that step.
    pub(crate) fn child(self, pair: usize) -> (Path, bool) {
        let (x, y) = (pair & 1 == 1, pair & 2 == 2);
        let with = |value: u128, set: bool| {
            if set { value | 1 << self.steps } else { value }
        };
        let child = Path {
            a: with(self.a, x),
            b: with(self.b, y),
            steps: self.steps + 1,
            carry: (x && y) || (self.carry && (x ^ y)),
        };
        (child, x ^ y ^ self.carry)
    }
}

/// The sum `(width, a, b)` that `path`, whose last step read `pair` and
/// ended on a wrong bit, shows to be wrong.
///
/// The sum of the operands read so far is wrong at width `steps`; when the
/// last pair was `(0, 0)`, the wrong bit is the carry out of one bit fewer.
pub(crate) fn wrong_sum(path: Path, pair: usize) -> (usize, u128, u128) {
    let width = if pair == 0 && path.steps > 1 {
        path.steps - 1
    } else {
        path.steps
    };
    (width, path.a, path.b)
}

/// The counterexample of the wrong sum `(width, a, b)`, with the network's answer.
pub(crate) fn counterexample<I, H, O, T>(
    network: &Network<I, H, O, T>,
    (width, a, b): (usize, u128, u128),
) -> Result<Counterexample, Error>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    Ok(Counterexample {
        width,
        a,
        b,
        network: crate::adder::add_width(network, width, a, b)?,
        expected: true_sum(width, a, b),
    })
}

/// What one worker found: counts, and the smallest counterexample as `(width, a, b)`.
#[derive(Debug, Default)]
struct Tally {
    counts: Counts,
    smallest: Option<(usize, u128, u128)>,
}

impl Tally {
    /// Records that `path`, whose last step read `pair`, ended on a wrong bit.
    ///
    /// The sum of the operands read so far is wrong at width `steps`; when the
    /// last pair was `(0, 0)`, the wrong bit is the carry out of one bit fewer.
    fn record(&mut self, path: Path, pair: usize) {
        self.consider(wrong_sum(path, pair));
    }

    /// Keeps `found` if it is smaller than the smallest counterexample so far.
    fn consider(&mut self, found: (usize, u128, u128)) {
        if self.smallest.is_none_or(|smallest| found < smallest) {
            self.smallest = Some(found);
        }
    }

    /// Whether the children of a state `steps` steps in can only give
    /// counterexamples wider than the smallest one found.
    fn prunes(&self, steps: usize) -> bool {
        self.smallest.is_some_and(|(width, _, _)| steps > width)
    }

    fn merge(&mut self, other: &Tally) {
        self.counts.merge(&other.counts);
        if let Some(found) = other.smallest {
            self.consider(found);
        }
    }
}

/// Which part of the coverage a sum belongs to, for the counts.
#[derive(Debug, Clone, Copy)]
enum Part {
    Exhaustive,
    Runs,
    Random,
}

/// One thread's buffers: a stack of states, one level per step of the walk,
/// each level [`LANES`] states wide.
struct Walker<'a, T: Real> {
    lanes: &'a LaneNet<T>,
    coverage: Coverage,
    /// `hidden[l]` holds the states at level `l`, one per lane; `hidden[0]`
    /// stays `h_0 = 0`.
    hidden: Vec<Vec<Lane<T>>>,
    /// `recurrent[l]` holds the products `state W_hh` of the states at level
    /// `l`, shared by the steps out of them.
    recurrent: Vec<Vec<Lane<T>>>,
    /// Run lengths of the run-structured random operands.
    run_lengths: [Geometric; RUN_STOP.len()],
    tally: Tally,
}

/// Every lane reads its own lane: `[0, 1, ..., LANES - 1]`.
const OWN: [usize; LANES] = {
    let mut own = [0; LANES];
    let mut lane = 0;
    while lane < LANES {
        own[lane] = lane;
        lane += 1;
    }
    own
};

/// Up to two states at one level of the walk: the lane of each and its path.
type Group = [Option<(usize, Path)>; 2];

impl<'a, T: Real> Walker<'a, T> {
    fn new(lanes: &'a LaneNet<T>, coverage: &Coverage) -> Self {
        // The deepest walk: prefix, run, suffix and carry-out, or the exhaustive tree.
        let levels = 2
            + (coverage.exhaustive_bits + 1)
                .max(coverage.run_prefix_pairs + 1 + coverage.run_suffix_pairs + 1);
        let level = vec![[T::zero(); LANES]; lanes.units()];
        Walker {
            lanes,
            coverage: *coverage,
            hidden: vec![level.clone(); levels],
            recurrent: vec![level; levels],
            run_lengths: run_lengths(),
            tally: Tally::default(),
        }
    }

    fn run(&mut self, job: &Job) {
        match *job {
            Job::Exhaustive { first } => {
                self.product(0);
                let bits = self.coverage.exhaustive_bits;
                let output = self.finish(0, [0; LANES], [first; LANES], 1)[0];
                if let Some(path) = self.check(Path::default(), first, output, Part::Exhaustive) {
                    self.product(1);
                    self.children(1, [Some((0, path)), None], bits - 1, Part::Exhaustive);
                }
            }
            Job::Runs { length, pairs } => self.long_runs(length, pairs),
            Job::Random { first, count } => self.random(first, count),
        }
    }

    /// `recurrent[level] = hidden[level] W_hh`, lane by lane.
    fn product(&mut self, level: usize) {
        self.lanes
            .product(&self.hidden[level], &mut self.recurrent[level]);
    }

    /// Steps lane `l` from the state in lane `from[l]` at level `from_level`
    /// (product computed) on `pairs[l]` into lane `l` of `hidden[to]`;
    /// returns the outputs.
    fn finish(
        &mut self,
        from_level: usize,
        from: [usize; LANES],
        pairs: [usize; LANES],
        to: usize,
    ) -> Lane<T> {
        self.lanes.finish(
            &self.recurrent[from_level],
            from,
            pairs,
            &mut self.hidden[to],
        )
    }

    /// Checks the output of a step on `pair` after `path` against the true
    /// sum of `path` extended by `pair`. Returns the extended path if right.
    fn check(&mut self, path: Path, pair: usize, output: T, part: Part) -> Option<Path> {
        self.tally.counts.steps += 1;
        let (child, expected) = path.child(pair);
        if to_bit(output) != expected {
            self.tally.record(child, pair);
            return None;
        }
        // Every (0, 0) step after a right one ends a sum read to its carry-out;
        // a random pair counts once, at its end.
        if pair == 0 && path.steps > 0 {
            match part {
                Part::Exhaustive => self.tally.counts.exhaustive_sums += 1,
                Part::Runs => self.tally.counts.run_sums += 1,
                Part::Random => {}
            }
        }
        Some(child)
    }

    /// Every continuation of the (up to) two states of `group` at `level`
    /// (products computed) by up to `pairs` more input pairs, each followed
    /// by its carry-out step. Their eight children are the eight lanes of the
    /// next level (state `g`'s children in lanes `4 g..4 g + 4`); when those
    /// are the last pairs, the children's carry-out steps are the lanes of
    /// the level after; otherwise the children go on in groups of two.
    fn children(&mut self, level: usize, group: Group, pairs: usize, part: Part) {
        let group = group.map(|member| {
            member.filter(|&(_, path): &(usize, Path)| !self.tally.prunes(path.steps))
        });
        if group.iter().all(Option::is_none) {
            return;
        }
        let lane_of = |member: usize| group[member].map_or(0, |(lane, _)| lane);
        if pairs == 0 {
            let from = std::array::from_fn(|l| lane_of(l % 2));
            let outputs = self.finish(level, from, [0; LANES], level + 1);
            for (member, output) in group.into_iter().zip(outputs) {
                if let Some((_, path)) = member {
                    self.check(path, 0, output, part);
                }
            }
            return;
        }
        let from = std::array::from_fn(|l| lane_of(l / PAIRS));
        let outputs = self.finish(level, from, std::array::from_fn(|l| l % PAIRS), level + 1);
        let children: [Option<Path>; LANES] = std::array::from_fn(|l| {
            let (_, path) = group[l / PAIRS]?;
            self.check(path, l % PAIRS, outputs[l], part)
        });
        if children.iter().all(Option::is_none) {
            return;
        }
        self.product(level + 1);
        if pairs == 1 {
            let outputs = self.finish(level + 1, OWN, [0; LANES], level + 2);
            for (child, output) in children.into_iter().zip(outputs) {
                if let Some(child) = child
                    && !self.tally.prunes(child.steps)
                {
                    self.check(child, 0, output, part);
                }
            }
        } else {
            for first in (0..LANES).step_by(2) {
                let member = |lane: usize| children[lane].map(|child| (lane, child));
                self.children(
                    level + 1,
                    [member(first), member(first + 1)],
                    pairs - 1,
                    part,
                );
            }
        }
    }

    /// The prefix `pairs` of `length` pairs, then a run of each pair as long as
    /// `max_bits` allows (the four runs are the four lanes), with every suffix
    /// after every run length.
    fn long_runs(&mut self, length: usize, pairs: usize) {
        let (max_bits, suffix) = (self.coverage.max_bits, self.coverage.run_suffix_pairs);
        let mut prefix = Path::default();
        self.product(0);
        for level in 0..length {
            let pair = (pairs >> (2 * level)) & 3;
            let output = self.finish(level, [0; LANES], [pair; LANES], level + 1)[0];
            match self.check(prefix, pair, output, Part::Runs) {
                Some(path) => prefix = path,
                None => return,
            }
            self.product(level + 1);
        }
        // The runs' states advance in place at `run_level`; suffixes go above it.
        let run_level = length + 1;
        let (below, above) = self.recurrent.split_at_mut(run_level);
        for (run, end) in above[0].iter_mut().zip(&below[length]) {
            *run = [end[0]; LANES];
        }
        let mut runs = [Some(prefix); PAIRS];
        loop {
            for run in &mut runs {
                if run.is_some_and(|path| path.steps >= max_bits || self.tally.prunes(path.steps)) {
                    *run = None;
                }
            }
            if runs.iter().all(Option::is_none) {
                return;
            }
            let run_pairs = std::array::from_fn(|l| l % PAIRS);
            let outputs = self.finish(run_level, OWN, run_pairs, run_level);
            for (pair, run) in runs.iter_mut().enumerate() {
                if let Some(path) = *run {
                    *run = self.check(path, pair, outputs[pair], Part::Runs);
                }
            }
            self.product(run_level);
            // The runs advance together: the active ones are equally long.
            let Some(steps) = runs.iter().flatten().map(|path| path.steps).next() else {
                return;
            };
            let pairs = suffix.min(max_bits - steps);
            for first in (0..PAIRS).step_by(2) {
                let member = |lane: usize| runs[lane].map(|path| (lane, path));
                self.children(
                    run_level,
                    [member(first), member(first + 1)],
                    pairs,
                    Part::Runs,
                );
            }
        }
    }

    /// Random pairs number `first..first + count`, each from its own generator
    /// (ChaCha8 stream `first + index` of the coverage's seed), four at a time.
    fn random(&mut self, first: usize, count: usize) {
        let max_bits = self.coverage.max_bits;
        let mask = u128::MAX >> (128 - max_bits);
        for start in (first..first + count).step_by(LANES) {
            let mut operands = [(0, 0); LANES];
            let mut paths = [None; LANES];
            for (lane, index) in (start..(first + count).min(start + LANES)).enumerate() {
                let mut rng = ChaCha8Rng::seed_from_u64(self.coverage.seed);
                rng.set_stream(index as u64);
                operands[lane] = if index % 2 == 0 {
                    (rng.random::<u128>() & mask, rng.random::<u128>() & mask)
                } else {
                    let lengths = &self.run_lengths[(index / 2) % RUN_STOP.len()];
                    (
                        runs_operand(&mut rng, lengths) & mask,
                        runs_operand(&mut rng, lengths) & mask,
                    )
                };
                paths[lane] = Some(Path::default());
            }
            self.sequences(operands, paths, max_bits);
        }
    }

    /// The sums of up to four pairs of `width`-bit operands (the lanes whose
    /// path is set), step by step to their carry-out.
    fn sequences(
        &mut self,
        operands: [(u128, u128); LANES],
        mut paths: [Option<Path>; LANES],
        width: usize,
    ) {
        let level = 1;
        self.hidden[level]
            .iter_mut()
            .for_each(|unit| *unit = [T::zero(); LANES]);
        self.product(level);
        for step in 0..=width {
            let pairs = operands.map(|(a, b)| {
                usize::from(crate::bits::bit(a, step)) + 2 * usize::from(crate::bits::bit(b, step))
            });
            let outputs = self.finish(level, OWN, pairs, level);
            for lane in 0..LANES {
                if let Some(path) = paths[lane] {
                    paths[lane] = self.check(path, pairs[lane], outputs[lane], Part::Random);
                }
            }
            if paths.iter().all(Option::is_none) {
                return;
            }
            self.product(level);
        }
        self.tally.counts.random_sums += paths.iter().flatten().count() as u64;
    }
}

/// The probabilities that a run of equal bits ends at each bit, for the
/// run-structured random operands: mean runs of 2, 8 and 32 bits.
const RUN_STOP: [f64; 3] = [0.5, 0.125, 0.031_25];

/// The distributions of run lengths minus one, for each of [`RUN_STOP`].
pub(crate) fn run_lengths() -> [Geometric; RUN_STOP.len()] {
    RUN_STOP.map(|stop| Geometric::new(stop).expect("RUN_STOP holds probabilities in (0, 1]"))
}

/// A 128-bit operand made of runs of equal bits, alternating, each run
/// `1 + lengths` bits long, the first run's bit drawn at random.
pub(crate) fn runs_operand<R: Rng + ?Sized>(rng: &mut R, lengths: &Geometric) -> u128 {
    let mut set = rng.random::<bool>();
    let (mut value, mut position) = (0_u128, 0_u64);
    while position < 128 {
        let length = 1 + lengths.sample(rng);
        let end = position.saturating_add(length).min(128);
        if set {
            let width = end - position;
            value |= (u128::MAX >> (128 - width)) << position;
        }
        position = end;
        set = !set;
    }
    value
}
