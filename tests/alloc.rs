//! Training steps allocate nothing: a counting global allocator proves it.
//!
//! The count is per thread, so tests running in parallel do not disturb it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use const_rnn::{
    Adder, AdderConfig, AdderTrainer, Coverage, DynRnn, Network, Rnn, RnnAllocator, train_plain,
    verify,
};
use nalgebra::{DefaultAllocator, Dim};

struct CountingAllocator;

thread_local! {
    // A const-initialised Cell without a destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the only
// addition is a thread-local counter that itself never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations `work` made on this thread.
fn allocations_in(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn counting_allocator_sees_allocations() {
    // The proof below means something only if the counter can see a heap allocation.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1_u8; 64]))) >= 1);
    assert!(
        allocations_in(|| drop(std::hint::black_box(DynRnn::<f64>::from_seed(2, 4, 1, 0)))) >= 1
    );
}

/// How many allocations 500 training steps of `network` make, from the
/// first step on (the trainer and its workspace are set up before counting).
fn allocations_in_500_training_steps<I: Dim, H: Dim, O: Dim>(
    network: Network<I, H, O, f64>,
) -> usize
where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let mut trainer = AdderTrainer::new(network, &AdderConfig::default()).unwrap();
    allocations_in(|| {
        for _ in 0..500 {
            trainer.train_sample().unwrap();
        }
    })
}

#[test]
fn static_training_step_allocates_nothing_from_the_first_step() {
    let allocations = allocations_in_500_training_steps(Rnn::<2, 16, 1>::from_seed(0));
    assert_eq!(allocations, 0, "500 static training steps allocated");
}

#[test]
fn dynamic_training_step_allocates_nothing_after_setup() {
    let network = DynRnn::<f64>::from_seed(2, 16, 1, 0).unwrap();
    let allocations = allocations_in_500_training_steps(network);
    assert_eq!(allocations, 0, "500 dynamic training steps allocated");
}

#[test]
fn f32_training_steps_allocate_nothing() {
    let config = AdderConfig::default();
    let mut fixed = AdderTrainer::new(Rnn::<2, 8, 1, f32>::from_seed(0), &config).unwrap();
    let dynamic = DynRnn::<f32>::from_seed(2, 8, 1, 0).unwrap();
    let mut dynamic = AdderTrainer::new(dynamic, &config).unwrap();
    let allocations = allocations_in(|| {
        for _ in 0..100 {
            fixed.train_sample().unwrap();
            dynamic.train_sample().unwrap();
        }
    });
    assert_eq!(allocations, 0);
}

#[test]
fn static_addition_allocates_nothing() {
    let adder = train_plain(&AdderConfig {
        samples: 10,
        ..AdderConfig::default()
    })
    .unwrap();
    let allocations = allocations_in(|| {
        for a in 0..100 {
            std::hint::black_box(adder.add::<128>(a, u128::MAX - a).unwrap());
        }
    });
    assert_eq!(allocations, 0);
}

#[test]
fn verifier_allocates_only_to_set_up() {
    // A dynamic network, so that a state vector made during the walk would be
    // a heap allocation. The count is this thread's: its buffers and the jobs
    // it ran, whichever they were.
    let adder =
        Adder::<nalgebra::Dyn>::from_network(&crate::adder::default_adder().network().to_dynamic())
            .unwrap();
    let coverage = |max_bits| Coverage {
        exhaustive_bits: 8,
        run_prefix_pairs: 2,
        run_suffix_pairs: 2,
        max_bits,
        random_pairs: 500,
        seed: 0,
    };
    let mut counts = Vec::new();
    for max_bits in [16, 64, 128] {
        let mut report = None;
        counts.push(allocations_in(|| {
            report = Some(verify(&adder, &coverage(max_bits)).unwrap());
        }));
        assert!(report.unwrap().is_verified());
    }
    // Longer runs and wider random operands: more steps, the same allocations.
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert_eq!(counts[0], counts[2], "{counts:?}");
}
