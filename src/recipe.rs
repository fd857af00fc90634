//! The default recipe: train, verify, prove, and train on what failed until
//! the adder is proven. It sits above the adder, the verifier and the
//! prover, and none of them imports it.

use nalgebra::{DefaultAllocator, Dim, U1, U2, U16};

use crate::ROUND_SAMPLES;
use crate::adder_trainer::Rounds;
use crate::prove::{Verdict, check_network, prove_network};
use crate::verify::verify_network;
use crate::{
    Adder, AdderConfig, AdderSample, AdderTrainer, Certificate, Coverage, Error, Network,
    OptimizerKind, ProofConfig, Rnn, RnnAllocator,
};

/// Trains the seed's network, `Rnn<2, 16, 1>` in `f64`, with the default
/// recipe, and returns it proven: the seed's training (`config.samples`
/// samples of `config.sum_bits` bits, weights and operands from
/// `config.seed`), then rounds of training and verification until the
/// verifier finds no wrong sum, then the prover; while the prover cannot
/// prove it, more rounds (a share of them on the histories where the proof
/// failed), verification and the prover again
/// ([`AdderTrainer::into_proven_adder`]).
///
/// If the proof still fails after `config.proof_rounds` rounds, it starts
/// again from new weights drawn from the same seed (its next streams), up to
/// `config.restarts` times: some networks the verifier passes keep states
/// too far apart for the prover whatever they are trained on, and a new
/// draw is the cheaper cure. It also starts again when a network is not
/// verified after `config.verify_rounds` rounds, or its training diverges.
/// [`Adder::restarts`] says how many it took. If none is proven, the last
/// verified adder is returned, verified but not proven: [`Adder::status`]
/// says so, and [`Adder::unproven`] says where the last proof failed.
///
/// # Errors
///
/// [`Error::Unverified`] if the budget runs out before the verifier passes
/// (or [`Error::Diverged`] if the last network's training diverged), and
/// no network before was verified; the errors of [`AdderTrainer::new`],
/// [`AdderTrainer::train_sample`], [`verify`](crate::verify) and
/// [`prove`](crate::prove).
///
/// # Examples
///
/// ```
/// use const_rnn::{train, AdderConfig, Status};
///
/// let adder = train(&AdderConfig::default())?;
/// assert_eq!(adder.status(), Status::Proven);
/// assert_eq!(adder.add::<64>(u64::MAX.into(), 1)?, (0, true)); // like u64::overflowing_add
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn train(config: &AdderConfig) -> Result<Adder, Error> {
    seed_trainer(config)?.into_proven_adder(config)
}

/// Trains the seed's network with the seed's recipe only: `config.samples`
/// samples, no verification and no proof. The adder may well be wrong on
/// long operands.
///
/// # Errors
///
/// The errors of [`AdderTrainer::new`] and [`AdderTrainer::train_sample`].
///
/// # Examples
///
/// ```
/// use const_rnn::{train_plain, AdderConfig};
///
/// let adder = train_plain(&AdderConfig::default())?;
/// assert!(adder.verified().is_none() && adder.proof().is_none());
/// assert_eq!(adder.add::<7>(100, 27)?, (127, false));
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn train_plain(config: &AdderConfig) -> Result<Adder, Error> {
    seed_trainer(config)?.into_adder()
}

/// The seed's network after the seed's training.
fn seed_trainer(config: &AdderConfig) -> Result<AdderTrainer<U2, U16, U1, f64>, Error> {
    let network = Rnn::<2, 16, 1>::from_seed_with(config.seed, config.init);
    let mut trainer = AdderTrainer::new(network, config)?;
    for _ in 0..config.samples {
        trainer.train_sample()?;
    }
    Ok(trainer)
}

impl<I, H, O> AdderTrainer<I, H, O, f64>
where
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Trains on until the adder is proven, and returns it with its
    /// certificate (or, after `config.proof_rounds` rounds on each of
    /// `config.restarts + 1` networks, verified only): the default recipe's
    /// second half.
    ///
    /// Verify-and-train rounds as [`AdderTrainer::into_verified_adder`] until
    /// the verifier finds nothing; then [`prove`](crate::prove) with
    /// `config.proof`. Above 32 hidden units, between rounds the search that
    /// decides is [`Coverage::quick`]'s, and `config.gate`'s searches a
    /// network only once it is to be returned: after a proof has proven it
    /// (should it find a wrong sum all the same, training goes on as for any
    /// sum the gate finds), before the last proof of the recipe's last
    /// network, or, for a network given up unproven, when the networks after
    /// it end unverified and it is returned instead; so that no search of the
    /// gate is spent on a network whose proof fails and that is given up.
    /// Every adder returned has passed `config.gate`.
    /// While the verdict is "not proven", a share of each further round's
    /// samples are sums whose bits walk through the history
    /// where the proof failed (the failing key's carry, window and word), and
    /// verification and the proof are tried again (with windows of up to 4
    /// pairs, and above 16 hidden units cells along the units only, the
    /// cheaper tries; the network's last proof uses `config.proof` as it is,
    /// and above 32 units only the recipe's last network's does).
    /// After `config.proof_rounds` such rounds (none above 32 hidden units
    /// with [`OptimizerKind::Adam`], for a network after which another may
    /// be tried: there the rounds rarely prove what the first proof did not)
    /// it starts again, up to
    /// `config.restarts` times, from new weights of the same shape drawn from
    /// `config.seed`'s streams `3r` (weights), `3r + 1` (the seed's
    /// `config.samples` samples) and `3r + 2` (the rounds) for restart `r`;
    /// the budget counts every network's samples.
    /// A network that is not verified after `config.verify_rounds` rounds,
    /// or whose training diverges, is given up the same way, unless it is
    /// the last the recipe may try.
    ///
    /// # Errors
    ///
    /// [`Error::HiddenTooSmall`] at once for a network of fewer than
    /// [`SMALLEST_PROVEN_HIDDEN`] hidden units.
    /// [`Error::Unverified`] once `config.budget` samples have been trained
    /// on in all and the verifier still finds a wrong sum, and
    /// [`Error::Diverged`] if the last network's training diverged, when no
    /// network before was verified; the errors of
    /// [`verify`](crate::verify), [`prove`](crate::prove) and
    /// [`AdderTrainer::train_on`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, AdderTrainer, Rnn, Status};
    ///
    /// let config = AdderConfig::default();
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    /// for _ in 0..config.samples {
    ///     trainer.train_sample()?;
    /// }
    /// let adder = trainer.into_proven_adder(&config)?;
    /// assert_eq!(adder.status(), Status::Proven);
    /// assert!(adder.unproven().is_none());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn into_proven_adder(self, config: &AdderConfig) -> Result<Adder<H>, Error>
    where
        Network<U2, H, U1>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        self.into_proven_adder_observed(config, |_| {})
    }

    /// [`AdderTrainer::into_proven_adder`], showing `observe` every sample
    /// it trains on.
    ///
    /// # Errors
    ///
    /// As [`AdderTrainer::into_proven_adder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, AdderTrainer, Rnn};
    ///
    /// let config = AdderConfig::default();
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    /// for _ in 0..config.samples {
    ///     trainer.train_sample()?;
    /// }
    /// let mut seen = 0;
    /// let adder = trainer.into_proven_adder_observed(&config, |_| seen += 1)?;
    /// assert_eq!(config.samples + seen, adder.samples());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn into_proven_adder_observed(
        self,
        config: &AdderConfig,
        mut observe: impl FnMut(&AdderSample),
    ) -> Result<Adder<H>, Error>
    where
        Network<U2, H, U1>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        config.validate()?;
        let hidden = self.network().hidden();
        if hidden < SMALLEST_PROVEN_HIDDEN {
            return Err(Error::HiddenTooSmall {
                hidden,
                smallest: SMALLEST_PROVEN_HIDDEN,
            });
        }
        let mut trainer = self;
        let mut outcome = trainer.attempt_within(config, 0, 0, &mut observe);
        // The last adder verified and not proven.
        let mut verified = None;
        // Samples of the networks given up.
        let mut spent = 0;
        for restart in 1..=config.restarts {
            let given_up = matches!(
                outcome,
                Err(Error::Unverified { .. } | Error::Diverged { .. })
            );
            let unproven = matches!(&outcome, Ok(adder) if adder.proof().is_none());
            spent += trainer.samples_seen();
            if !(given_up || unproven) || spent >= config.budget {
                break;
            }
            if let Ok(adder) = outcome {
                verified = Some(adder);
            }
            trainer = trainer.restarted(config, restart)?;
            outcome = trainer.attempt_within(config, restart, spent, &mut observe);
        }
        match outcome {
            // Proven, or verified and not proven: the adder says which in its status.
            Ok(adder) => Ok(adder),
            Err(err @ (Error::Unverified { .. } | Error::Diverged { .. })) => {
                // An earlier network, verified and not proven, given up
                // before `config.gate` searched it: searched now.
                let Some(mut adder) = verified else {
                    return Err(err);
                };
                if hidden > GATE_BEFORE_EVERY_PROOF_UP_TO && config.gate != Coverage::quick() {
                    let report = verify_network(adder.network(), &config.gate)?;
                    if !report.is_verified() {
                        return Err(err);
                    }
                    let samples = adder.samples();
                    adder.set_verified(report, samples);
                }
                Ok(adder)
            }
            Err(err) => Err(err),
        }
    }

    /// Network `restart`'s training when `spent` samples went to the
    /// networks before it: the seed's samples (for a restart; the first
    /// network has had them), then [`AdderTrainer::attempt`] within the
    /// samples it may use. Every network but the last may train
    /// `config.verify_rounds` rounds after the seed's samples: one that has
    /// not verified by then is more often wrecked than slow, and new
    /// weights are the cheaper cure.
    fn attempt_within(
        &mut self,
        config: &AdderConfig,
        restart: usize,
        spent: usize,
        observe: &mut impl FnMut(&AdderSample),
    ) -> Result<Adder<H>, Error>
    where
        Network<U2, H, U1>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        let left = config.budget - spent;
        if restart > 0 {
            for _ in 0..config.samples.min(left) {
                observe(&self.train_sample()?);
            }
        }
        let budget = if restart < config.restarts {
            let rounds = config.verify_rounds.saturating_mul(ROUND_SAMPLES);
            left.min(self.samples_seen().saturating_add(rounds))
        } else {
            left
        };
        let mut adder = self.attempt(&AdderConfig { budget, ..*config }, restart, left, observe)?;
        adder.set_restarts(restart);
        Ok(adder)
    }

    /// One network's rounds: until verified, then proofs and rounds on
    /// where they failed, up to `config.proof_rounds`. `left` is what is
    /// left of the recipe's budget when the network starts: a network that
    /// reaches it, or restart `config.restarts`, is the recipe's last.
    fn attempt(
        &mut self,
        config: &AdderConfig,
        restart: usize,
        left: usize,
        observe: &mut impl FnMut(&AdderSample),
    ) -> Result<Adder<H>, Error>
    where
        Network<U2, H, U1>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        let mut rounds = Rounds::new(config, restart);
        let mut proof_rounds = 0;
        let hidden = self.network().hidden();
        let adam = matches!(config.optimizer, OptimizerKind::Adam { .. });
        // Up to 32 units the gate searches every network before its proof;
        // above, only the one to be returned.
        let gate_first = hidden <= GATE_BEFORE_EVERY_PROOF_UP_TO;
        let before_proof = if gate_first {
            config.gate
        } else {
            Coverage::quick()
        };
        loop {
            let mut report =
                self.train_until_verified(config, &before_proof, &mut rounds, observe)?;
            let samples = self.samples_seen();
            let last_network = restart >= config.restarts || samples >= left;
            // Above 32 units Adam's networks, but the last, have no rounds.
            let most_proof_rounds = if adam && hidden > NO_ADAM_PROOF_ROUNDS_ABOVE && !last_network
            {
                0
            } else {
                config.proof_rounds
            };
            let last = proof_rounds >= most_proof_rounds || samples >= config.budget;
            // Whether `config.gate` has searched this network.
            let gated = gate_first || (last && last_network);
            if last && last_network && !gate_first {
                // The recipe's last network, which it returns proven or not:
                // searched by `config.gate` first, as every adder the recipe
                // returns. (Another network's last proof comes first: if it
                // fails, new weights are drawn, and the network is searched
                // only if the recipe returns it in the end.)
                report = self.train_until_verified(config, &config.gate, &mut rounds, observe)?;
            }
            let network: Network<U2, H, U1> = self.network().reshape()?;
            // Until the last try, windows of up to 4 pairs, and above 16
            // units boxes only: a failing proof then costs seconds, and
            // training on where it failed goes on. Above 32 units only the
            // recipe's last network tries `config.proof` itself: there it
            // costs minutes and proves few of the networks the cheap tries
            // did not, and new weights are cheaper.
            let whole = last && (last_network || network.hidden() <= WHOLE_LAST_PROOF_UP_TO);
            let proof = if whole {
                config.proof
            } else {
                ProofConfig {
                    max_history: config.proof.max_history.min(ROUND_HISTORY),
                    oriented: config.proof.oriented && network.hidden() <= ROUND_ORIENTED_UP_TO,
                    ..config.proof
                }
            };
            let verdict = prove_network(&network, &proof.clamped())?;
            if !gated && verdict.is_proven() && config.gate != Coverage::quick() {
                // Searched by the gate only now, as the network is about to
                // be returned: before a proof that fails, the search (8 s at
                // 64 units) would be spent on a network trained on, or given
                // up, anyway.
                // A proof implies that the search finds nothing; should it
                // find a wrong sum all the same, the network is trained on
                // it, as any network the gate refuses.
                report = verify_network(&network, &config.gate)?;
                if let Some(wrong) = report.counterexample.take() {
                    rounds.wrong_sums.push(wrong);
                    self.train_round(&mut rounds, observe)?;
                    continue;
                }
            }
            let mut adder = Adder::new(network);
            adder.set_verified(report, self.samples_seen());
            match verdict {
                Verdict::Proven(proven) => {
                    adder.set_proof(proven.certificate);
                    return Ok(adder);
                }
                Verdict::Counterexample(wrong) => rounds.wrong_sums.push(wrong),
                Verdict::NotProven(not_proven) => {
                    let pair = |(a, b): (bool, bool)| usize::from(a) + 2 * usize::from(b);
                    let pairs = not_proven
                        .window
                        .iter()
                        .chain(&not_proven.word)
                        .map(|&bits| pair(bits))
                        .collect();
                    rounds.histories.push((not_proven.carry, pairs));
                    adder.set_unproven(not_proven.reason);
                }
            }
            if last {
                return Ok(adder);
            }
            proof_rounds += 1;
            self.train_round(&mut rounds, observe)?;
        }
    }
}

/// The smallest hidden size at which the default recipe has proven an adder,
/// with SGD or Adam at their default settings on seeds 0 to 19 (the table is
/// in the crate's `docs/convergence.md`). Below it,
/// [`AdderTrainer::into_proven_adder`] refuses at once with
/// [`Error::HiddenTooSmall`] rather than train through its whole budget;
/// [`AdderTrainer::into_adder`] and [`prove`](crate::prove) take any size.
///
/// Adders of 3 hidden units exist
/// ([`SMALLEST_ADDER_HIDDEN`](crate::SMALLEST_ADDER_HIDDEN)), but the recipe
/// has proven none: trained plainly, about 1 seed in 14 gives one (the
/// crate's `docs/convergence.md`). No network of 1 or 2 units adds.
///
/// # Examples
///
/// ```
/// use const_rnn::{AdderConfig, AdderTrainer, Error, Rnn, SMALLEST_PROVEN_HIDDEN};
///
/// let config = AdderConfig::default();
/// let trainer = AdderTrainer::new(Rnn::<2, 1, 1>::from_seed(0), &config)?;
/// let err = trainer.into_proven_adder(&config).unwrap_err();
/// assert_eq!(err, Error::HiddenTooSmall { hidden: 1, smallest: SMALLEST_PROVEN_HIDDEN });
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub const SMALLEST_PROVEN_HIDDEN: usize = 4;

/// The longest window the proofs between rounds try.
const ROUND_HISTORY: usize = 4;

/// The largest hidden size whose proofs between rounds also try cells along
/// the principal axes; above it they try boxes only, and the last proof tries
/// both. An oriented cell's step also projects every image onto the axes, a
/// product as large as the step's own (at 64 units 35 us a step, against 9
/// for a box), and at those sizes a network the box cells do not prove after
/// a round is cheaper to train another round than to try again.
const ROUND_ORIENTED_UP_TO: usize = 16;

/// Above this hidden size, with Adam, a network whose first proof fails is
/// given up for new weights at once, unless it is the recipe's last: no
/// rounds on where the proof failed. At 64 units those rounds proved 1 of
/// Adam's 12 networks whose first proof had failed (2 of SGD's 5, whose
/// rounds stay), and without them `seeds 0..20 --hidden 64 --optimizer adam`
/// took a median of 14.3 s a seed against 17.8 s, the restarted seeds 143
/// s in all against 195. The crate's `docs/convergence.md` has the runs.
const NO_ADAM_PROOF_ROUNDS_ABOVE: usize = 32;

/// The largest hidden size at which every network's last proof is the one
/// `config.proof` asks for; above it only the recipe's last network's is, and
/// the others' is a proof between rounds. At 64 units that last proof took
/// 40 to 194 s and proved 1 network of 3, where new weights cost about 20 s.
/// At 32 it is cheaper and worth it: it proved 8 of Adam's 20 seeds at
/// windows of 5, and without it 13 of seeds 0 to 14 drew new weights, up to
/// 19 times, one in vain. The crate's `docs/convergence.md` has both runs.
const WHOLE_LAST_PROOF_UP_TO: usize = 32;

/// The largest hidden size at which `config.gate` searches every network
/// the quick search passes before the prover tries it; above it, only a
/// network the recipe is about to return: after a proof has proven it, or,
/// for the recipe's last network, before its last proof. Between rounds the
/// quick search alone decides, and a network given up unproven for new
/// weights is searched only if the recipe returns it in the end (the
/// networks after it not verified). At 64 units a gate costs 7.3 s and, in a run of
/// Adam's 20 seeds, none of 54 found a wrong sum after the quick search had
/// passed, so the proofs that failed had cost a gate each in vain (mean 35.7
/// s a seed to 25.4). At 8 units a gate costs 1.5 s, and 5 of 90 with SGD
/// and 9 of 116 with Adam (seeds 0 to 12) found one, each the start of
/// another round: there the gate still picks what to train on. The crate's
/// `docs/convergence.md` has the runs.
const GATE_BEFORE_EVERY_PROOF_UP_TO: usize = 32;

impl<H> Adder<H>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1>: Sync,
{
    /// This adder with `certificate` as its proof, once [`check`](crate::check)
    /// has accepted it for this adder's network: for a network loaded from a
    /// file with the certificate saved beside it.
    ///
    /// # Errors
    ///
    /// The errors of [`check`](crate::check): the certificate does not hold
    /// for this network. The adder is then dropped, unchanged elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, AdderConfig, Status, train};
    ///
    /// let proven = train(&AdderConfig::default())?;
    /// let certificate = proven.proof().unwrap().clone();
    /// let again = Adder::new(proven.network().clone()).with_proof(certificate.clone())?;
    /// assert_eq!(again.status(), Status::Proven);
    ///
    /// let other = Adder::new(const_rnn::Rnn::<2, 16, 1>::from_seed(1));
    /// assert!(other.with_proof(certificate).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn with_proof(mut self, certificate: Certificate) -> Result<Self, Error> {
        check_network(self.network(), &certificate)?;
        self.set_proof(certificate);
        Ok(self)
    }
}
