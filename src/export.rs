//! An adder's network written out as Rust source: a constant that the
//! compiler checks like any `Rnn<2, H, 1>` and that costs nothing to load.

use std::fmt::Write;

use nalgebra::{DefaultAllocator, Dim, U1, U2};

use crate::model_file::scalar_name;
use crate::{Adder, Error, Real, RnnAllocator, Status};

/// Weights per line of the written source.
const PER_LINE: usize = 4;

impl<H, T> Adder<H, T>
where
    T: Real,
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    /// The adder's network as Rust source: a `pub const` named `name` of type
    /// `const_rnn::Rnn<2, H, 1>` (the static type, whatever `H` is here),
    /// built by [`Rnn::from_columns`](crate::Rnn::from_columns) from the
    /// weights to the bit. A comment above it gives the network's
    /// [fingerprint](crate::Network::fingerprint) (the checksum of its
    /// weights) and the adder's [`Status`].
    ///
    /// The source names only `const_rnn` items that need no `std`, so
    /// `include!` of it works in a `no_std` crate.
    ///
    /// # Errors
    ///
    /// [`Error::ConstantName`] unless `name` is an upper-case Rust
    /// identifier: `A-Z`, `0-9` and `_`, not starting with a digit.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, Rnn};
    ///
    /// let adder = Adder::new(Rnn::<2, 4, 1>::from_seed(0));
    /// let source = adder.to_rust("ADDER")?;
    /// assert!(source.contains("pub const ADDER: const_rnn::Rnn<2, 4, 1> ="));
    /// assert!(source.contains("// Status: unchecked"));
    /// assert!(adder.to_rust("adder").is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn to_rust(&self, name: &str) -> Result<String, Error> {
        check_constant_name(name)?;
        let network = self.network();
        let hidden = network.hidden();
        let scalar = scalar_name::<T>();
        let generics = match scalar {
            "f64" => format!("<2, {hidden}, 1>"),
            _ => format!("<2, {hidden}, 1, {scalar}>"),
        };
        let ty = format!("Rnn{generics}");
        let fingerprint = network.fingerprint();
        let status = match self.status() {
            Status::Proven => {
                "proven: a certificate checked against these weights shows every \
                 output bit right for every input of every length"
            }
            Status::Verified => "verified: the verifier found no wrong sum; not proven",
            Status::Unchecked => "unchecked: neither verified nor proven",
        };
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "// The weights of one const-rnn network, to the bit.\n\
             // Network: {ty} in {scalar}; checksum of its weights (fingerprint): {fingerprint}.\n\
             // Status: {status}.\n\
             \n\
             /// An adder's network, `{ty}`, {fingerprint}; {short}.\n\
             pub const {name}: const_rnn::{ty} = match const_rnn::Rnn::{generics}::from_columns(\n",
            short = status.split(':').next().unwrap_or(status),
        );
        let [w_ih, w_hh, w_ho] = network.weights();
        for (what, weights, rows) in [
            ("w_ih", w_ih, 2),
            ("w_hh", w_hh, hidden),
            ("w_ho", w_ho, hidden),
        ] {
            let columns = weights.len() / rows;
            let _ = writeln!(out, "    // {what}: {columns} columns of {rows}.\n    [");
            let values = |line: &[T]| -> String {
                let values: Vec<String> = line.iter().map(|w| format!("{w:?}")).collect();
                values.join(", ")
            };
            for column in weights.chunks_exact(rows) {
                if column.len() <= PER_LINE {
                    let _ = writeln!(out, "        [{}],", values(column));
                    continue;
                }
                out.push_str("        [\n");
                for line in column.chunks(PER_LINE) {
                    let _ = writeln!(out, "            {},", values(line));
                }
                out.push_str("        ],\n");
            }
            out.push_str("    ],\n");
        }
        let _ = write!(
            out,
            ") {{\n    Some(network) => network,\n    None => panic!(\"a weight of {name} is not finite\"),\n}};\n"
        );
        Ok(out)
    }
}

/// An error unless `name` is an upper-case Rust identifier.
fn check_constant_name(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && name != "_" {
        Ok(())
    } else {
        Err(Error::ConstantName {
            name: name.to_owned(),
        })
    }
}
