//! The keys of the induction: the carry entering a window of the last
//! `history` input pairs, and the window.
//!
//! Every carry inside the window follows from its key, so every target of
//! the next steps does too; reading up to `history` more pairs leads from a
//! key to exactly one key.

/// The key space of one history length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keys {
    history: usize,
}

/// The carry after reading `pair` (`a + 2 b`) with carry `carry` in.
pub(crate) fn carry_after(carry: bool, pair: usize) -> bool {
    let (a, b) = (pair & 1 == 1, pair & 2 == 2);
    (a && b) || (carry && (a ^ b))
}

/// The sum bit of reading `pair` with carry `carry` in.
pub(crate) fn sum_bit(carry: bool, pair: usize) -> bool {
    let (a, b) = (pair & 1 == 1, pair & 2 == 2);
    a ^ b ^ carry
}

impl Keys {
    /// Keys of windows of `history` pairs.
    pub(crate) fn new(history: usize) -> Self {
        Keys { history }
    }

    /// Pairs in a window.
    pub(crate) fn history(&self) -> usize {
        self.history
    }

    /// How many keys: `2 * 4^history`.
    pub(crate) fn count(&self) -> usize {
        2 << (2 * self.history)
    }

    /// The index of the key with carry `carry` into the window `window`
    /// (oldest pair first): the carry in bit 0, pair `i` in bits `2i + 1, 2i + 2`.
    pub(crate) fn index(&self, carry: bool, window: &[usize]) -> usize {
        let pairs = window
            .iter()
            .rev()
            .fold(0, |index, &pair| (index << 2) | pair);
        usize::from(carry) | (pairs << 1)
    }

    /// The carry into key `key`'s window.
    pub(crate) fn carry_in(&self, key: usize) -> bool {
        key & 1 == 1
    }

    /// Pair `i` (from the oldest, 0) of key `key`'s window.
    pub(crate) fn pair(&self, key: usize, i: usize) -> usize {
        (key >> (1 + 2 * i)) & 3
    }

    /// The carry after key `key`'s whole window: the carry into the pairs read next.
    pub(crate) fn carry_out(&self, key: usize) -> bool {
        (0..self.history).fold(self.carry_in(key), |carry, i| {
            carry_after(carry, self.pair(key, i))
        })
    }

    /// The key reached from `key` by reading the `steps` pairs of `word`
    /// (pair `i` in bits `2i, 2i + 1`, the first read lowest): the last
    /// `history` pairs of the window followed by the word, with the carry
    /// into them. `steps` may exceed the history.
    pub(crate) fn next(&self, key: usize, word: usize, steps: usize) -> usize {
        let history = self.history;
        let pair = |i: usize| {
            if i < history {
                self.pair(key, i)
            } else {
                (word >> (2 * (i - history))) & 3
            }
        };
        let carry = (0..steps).fold(self.carry_in(key), |carry, i| carry_after(carry, pair(i)));
        let window = (steps..steps + history)
            .rev()
            .fold(0, |index, i| (index << 2) | pair(i));
        usize::from(carry) | (window << 1)
    }

    /// The window of `key` as digits, oldest first: `a + 2 b` for each pair.
    pub(crate) fn window_digits(&self, key: usize) -> String {
        (0..self.history)
            .map(|i| char::from(b'0' + self.pair(key, i) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_key_is_the_window_slid_with_its_carry() {
        let keys = Keys::new(4);
        // carry 1 into window (1,1) (0,0) (0,1) (1,0) = digits 3 0 2 1
        let key = keys.index(true, &[3, 0, 2, 1]);
        assert_eq!(keys.window_digits(key), "3021");
        assert!(keys.carry_in(key));
        // read 1 2 3: the window becomes 1 1 2 3, carry after 3 0 2 from 1: 1, 0, 0.
        let word = 1 | (2 << 2) | (3 << 4);
        let next = keys.next(key, word, 3);
        assert_eq!(keys.window_digits(next), "1123");
        assert!(!keys.carry_in(next));
        assert!(!keys.carry_out(key)); // 1 -> (3) 1 -> (0) 0 -> (2) 0 -> (1) 0
    }

    #[test]
    fn a_step_longer_than_the_window_keeps_the_last_pairs_of_the_word() {
        let keys = Keys::new(2);
        // carry 0 into window 3 3; read 1 0 2 3 3 (five pairs, more than the window).
        let key = keys.index(false, &[3, 3]);
        let word = [1, 0, 2, 3, 3]
            .iter()
            .rev()
            .fold(0, |word, &pair| (word << 2) | pair);
        let next = keys.next(key, word, 5);
        assert_eq!(keys.window_digits(next), "33");
        // Carries: 0 -(3)-> 1 -(3)-> 1 -(1)-> 1 -(0)-> 0 -(2)-> 0: into the last two pairs, 0.
        assert!(!keys.carry_in(next));
        // Read one pair fewer: the window is 2 3, entered with carry 0 after 3 3 1 0.
        let next = keys.next(key, word & 0xff, 4);
        assert_eq!(keys.window_digits(next), "23");
        assert!(!keys.carry_in(next));
        // Two pairs fewer: the window is 0 2, entered with carry 1 after 3 3 1.
        let next = keys.next(key, word & 0x3f, 3);
        assert_eq!(keys.window_digits(next), "02");
        assert!(keys.carry_in(next));
        // Slid one pair at a time, the same key.
        let one_by_one = (0..5).fold(key, |key, i| keys.next(key, (word >> (2 * i)) & 3, 1));
        assert_eq!(one_by_one, keys.next(key, word, 5));
    }
}
