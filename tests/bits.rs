//! `BitWidth<N>`: round trips and out-of-range operands at many widths.

use const_rnn::{BitWidth, Error};
use proptest::prelude::*;

macro_rules! bit_width_properties {
    ($($module:ident: $n:literal,)*) => {$(
        mod $module {
            use super::*;

            proptest! {
                #[test]
                fn encode_then_decode_is_identity(value in 0..=BitWidth::<$n>::MAX) {
                    let bits = BitWidth::<$n>::encode(value).unwrap();
                    prop_assert_eq!(BitWidth::<$n>::decode(&bits), value);
                }

                #[test]
                fn bits_are_least_significant_first(value in 0..=BitWidth::<$n>::MAX) {
                    let bits = BitWidth::<$n>::encode(value).unwrap();
                    for (step, &set) in bits.iter().enumerate() {
                        prop_assert_eq!(set, (value >> step) & 1 == 1);
                    }
                }

                #[test]
                fn decode_then_encode_is_identity(bits in proptest::array::uniform::<_, $n>(any::<bool>())) {
                    let value = BitWidth::<$n>::decode(&bits);
                    prop_assert_eq!(BitWidth::<$n>::encode(value).unwrap(), bits);
                }
            }

            proptest! {
                #[test]
                fn too_wide_values_are_errors_not_wrapped(excess in 1..=u128::MAX - BitWidth::<$n>::MAX) {
                    let value = BitWidth::<$n>::MAX + excess;
                    prop_assert_eq!(
                        BitWidth::<$n>::encode(value),
                        Err(Error::TooWide { value, width: $n })
                    );
                    prop_assert!(BitWidth::<$n>::check(value).is_err());
                }
            }
        }
    )*};
}

bit_width_properties! {
    width_1: 1, width_2: 2, width_3: 3, width_7: 7, width_8: 8, width_9: 9, width_16: 16,
    width_31: 31, width_32: 32, width_33: 33, width_63: 63, width_64: 64, width_65: 65,
    width_100: 100, width_127: 127,
}

mod width_128 {
    use super::*;

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(value in any::<u128>()) {
            let bits = BitWidth::<128>::encode(value).unwrap();
            prop_assert_eq!(BitWidth::<128>::decode(&bits), value);
        }
    }

    #[test]
    fn every_u128_fits() {
        assert_eq!(BitWidth::<128>::MAX, u128::MAX);
        assert!(BitWidth::<128>::encode(u128::MAX).is_ok());
    }
}

#[test]
fn widths_report_their_limits() {
    assert_eq!(BitWidth::<1>::MAX, 1);
    assert_eq!(BitWidth::<7>::MAX, 127);
    assert_eq!(BitWidth::<64>::MAX, u128::from(u64::MAX));
    assert_eq!(BitWidth::<1>::SUM_STEPS, 2);
    assert_eq!(BitWidth::<128>::SUM_STEPS, 129);
}

#[test]
fn too_wide_error_names_value_and_width() {
    let err = BitWidth::<7>::encode(128).unwrap_err();
    assert_eq!(err.to_string(), "128 does not fit in 7 bits");
}
