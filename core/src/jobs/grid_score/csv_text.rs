//! Numbers as the grid table writes them: cell ids counted up without dividing, and four
//! decimals rounded as `printf("%.4f")` rounds them, without the exact formatter where the
//! rounding is certain.

pub(super) const CSV_HEADER: &[u8] = b"cell_id,dist_m,in_corridor,score\n";

/// A whole number as decimal text (the first `len` of `digits`), counted up one at a time
/// without dividing.
pub(super) struct DecimalCounter {
    pub(super) digits: [u8; 20],
    pub(super) len: usize,
}

impl DecimalCounter {
    pub(super) fn new(n: usize) -> DecimalCounter {
        let mut buf = [0u8; 20];
        let text = format_usize(n, &mut buf);
        let mut digits = [b'0'; 20];
        digits[..text.len()].copy_from_slice(text);
        DecimalCounter {
            digits,
            len: text.len(),
        }
    }

    #[cfg(test)]
    fn as_bytes(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    pub(super) fn increment(&mut self) {
        for d in self.digits[..self.len].iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                return;
            }
        }
        // All nines: one digit more (no usize reaches 20 digits of nines).
        self.digits[0] = b'1';
        if self.len < 20 {
            self.digits[self.len] = b'0';
            self.len += 1;
        }
    }
}

/// `x` in whole ten-thousandths, rounded as `{:.4}` rounds it, when that is certain without
/// the exact formatter: `x` in [0, 10¹¹) and not within a hair of a half ten-thousandth.
pub(super) fn fixed4(x: f64) -> Option<u64> {
    if !(x.is_sign_positive() && x < 1e11) {
        return None;
    }
    let m = (x * 1e4).round();
    // x·10⁴ − m, rounded once: when it is clearly below one half, m is the nearest.
    (x.mul_add(1e4, -m).abs() < 0.499).then_some(m as u64)
}

/// Writes `m` ten-thousandths (below 10¹⁵) as decimal text with four decimals at the front
/// of `out`, and returns the length (at most 16).
pub(super) fn write_fixed4(m: u64, out: &mut [u8]) -> usize {
    let (mut whole, frac) = (m / 10_000, (m % 10_000) as usize);
    let n = whole.checked_ilog10().map_or(1, |l| l as usize + 1);
    let out = &mut out[..n + 5];
    out[n..].copy_from_slice(&[
        b'.',
        DIGIT_PAIRS[frac / 100 * 2],
        DIGIT_PAIRS[frac / 100 * 2 + 1],
        DIGIT_PAIRS[frac % 100 * 2],
        DIGIT_PAIRS[frac % 100 * 2 + 1],
    ]);
    let mut i = n;
    while whole >= 100 {
        let pair = (whole % 100) as usize * 2;
        whole /= 100;
        out[i - 2..i].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        i -= 2;
    }
    if whole >= 10 {
        let pair = whole as usize * 2;
        out[i - 2..i].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        out[i - 1] = b'0' + whole as u8;
    }
    n + 5
}

/// "00" to "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends `x` with four decimals, rounded from its exact binary value as C's
/// `printf("%.4f")` and Rust's `{:.4}` round it: directly when the nearest whole number of
/// ten-thousandths is certain, else through `{:.4}` (exact, but several times slower).
#[cfg(test)]
fn push_fixed4(s: &mut Vec<u8>, x: f64) {
    match fixed4(x) {
        Some(m) => {
            let mut buf = [0u8; 16];
            let n = write_fixed4(m, &mut buf);
            s.extend_from_slice(&buf[..n]);
        }
        None => {
            use std::io::Write as _;
            let _ = write!(s, "{x:.4}");
        }
    }
}

pub(super) fn format_usize(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn usize_formatting() {
        let mut buf = [0u8; 20];
        for n in [0, 7, 10, 99_999, 2_047_999, usize::MAX] {
            assert_eq!(format_usize(n, &mut buf), n.to_string().as_bytes());
        }
    }
    #[test]
    fn decimal_counter_counts() {
        for start in [0, 8, 98, 999_990, 4_294_967_290] {
            let mut c = DecimalCounter::new(start);
            for n in start..start + 20 {
                assert_eq!(c.as_bytes(), n.to_string().as_bytes());
                c.increment();
            }
        }
    }
    #[test]
    fn four_decimals_as_printf() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut cases = vec![
            0.0,
            -0.0,
            0.000_05,
            0.000_15,
            12.345_65,
            6547.24,
            0.999_95,
            9_999.999_95,
            1e11,
            2e11,
            -1.5,
            f64::INFINITY,
            f64::NAN,
            1e-300,
        ];
        for _ in 0..200_000 {
            let r = next();
            // Ordinary distances, and values on or near a half ten-thousandth.
            cases.push((r % 100_000_000) as f64 / 1e4 * 1.000_000_1);
            cases.push((r % 10_000_000) as f64 / 1e4 + 0.000_05);
            cases.push(f64::from_bits(r >> 2));
        }
        let mut s = Vec::new();
        for x in cases {
            s.clear();
            push_fixed4(&mut s, x);
            assert_eq!(
                String::from_utf8(s.clone()).unwrap(),
                format!("{x:.4}"),
                "{x:e}"
            );
        }
    }
}
