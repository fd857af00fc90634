//! const-rnn without `std`: a crate that builds the library with
//! `default-features = false` and adds with a static network.
//!
//! The crate is `#![no_std]` and defines its own panic handler, so it does
//! not build if anything in its dependency graph links `std` (two panic
//! handlers). `cargo build` here is that check; `cargo test` runs the sums
//! (the test harness brings `std`, the library is still built without it).
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use const_rnn::{Adder, Error};

include!("../../tests/data/adder.rs");

/// `a + b` for `N`-bit operands, as the exported adder computes it: the low
/// `N` bits and the carry out.
///
/// # Errors
///
/// [`Error::TooWide`] if an operand does not fit in `N` bits.
pub fn add<const N: usize>(a: u128, b: u128) -> Result<(u128, bool), Error> {
    adder().add::<N>(a, b)
}

/// The exported network as an adder: a value on the stack, no heap.
pub fn adder() -> Adder<nalgebra::U16> {
    Adder::new(ADDER)
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sum_of_8_bit_operands_is_exact() {
        for a in 0..256_u128 {
            for b in 0..256_u128 {
                let (low, carry) = add::<8>(a, b).unwrap();
                assert_eq!(low | u128::from(carry) << 8, a + b, "{a} + {b}");
            }
        }
    }

    #[test]
    fn wide_sums_are_exact_and_a_wide_operand_is_an_error() {
        let cases = [
            (u128::MAX, 1),
            (u128::MAX, u128::MAX),
            (
                0xDEAD_BEEF_0123_4567_89AB_CDEF_FEDC_BA98,
                0x0123_4567_89AB_CDEF_0F0F_0F0F_F0F0_F0F0,
            ),
            (1 << 127, 1 << 127),
        ];
        for (a, b) in cases {
            assert_eq!(add::<128>(a, b).unwrap(), a.overflowing_add(b), "{a} + {b}");
        }
        assert_eq!(add::<64>(u128::from(u64::MAX), 1).unwrap(), (0, true));
        assert_eq!(
            add::<4>(16, 0),
            Err(Error::TooWide {
                value: 16,
                width: 4
            })
        );
    }

    #[test]
    fn the_network_lives_on_the_stack_at_its_static_size() {
        // 32 + 256 + 16 weights of 8 bytes, nothing on a heap.
        assert_eq!(core::mem::size_of_val(&ADDER), (32 + 256 + 16) * 8);
        assert_eq!(ADDER.hidden(), 16);
    }
}
