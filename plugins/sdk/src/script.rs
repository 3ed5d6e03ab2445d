//! Rhai's semantics, for porting a Rhai rule to Rust with the same answers to the bit.
//!
//! - Arithmetic on two whole numbers stays whole and is checked (`7 / 2` is `3`; dividing by
//!   zero or overflowing is an error); with a float on either side the whole number is
//!   converted first (`i as f64`) and the float operation is done.
//! - Comparing numbers converts a whole number the same way. Comparing values of different
//!   types that are not both numbers is `false` (`!=` is `true`): `() > 0.0` is `false`.
//! - A float is written as Rhai writes it: [`float_text`].

use std::cmp::Ordering;

use crate::value::Value;

fn type_error(op: &str, a: &Value, b: &Value) -> String {
    format!(
        "Function not found: {op} ({}, {})",
        signature_name(a),
        signature_name(b)
    )
}

/// A type as Rhai names it in a function's signature (its "Function not found" message),
/// which for text differs from `type_of`.
fn signature_name(v: &Value) -> &'static str {
    match v {
        Value::Text(_) => "&str | ImmutableString | String",
        other => other.type_name(),
    }
}

fn arith(
    op: &str,
    a: &Value,
    b: &Value,
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> Result<Value, String> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int(*x, *y)
            .map(Value::Int)
            .ok_or_else(|| format!("Arithmetic error: {x} {op} {y}")),
        (Value::Int(x), Value::Float(y)) => Ok(Value::Float(float(*x as f64, *y))),
        (Value::Float(x), Value::Int(y)) => Ok(Value::Float(float(*x, *y as f64))),
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(float(*x, *y))),
        _ => Err(type_error(op, a, b)),
    }
}

/// `a + b`.
pub fn add(a: &Value, b: &Value) -> Result<Value, String> {
    arith("+", a, b, i64::checked_add, |x, y| x + y)
}

/// `a - b`.
pub fn sub(a: &Value, b: &Value) -> Result<Value, String> {
    arith("-", a, b, i64::checked_sub, |x, y| x - y)
}

/// `a * b`.
pub fn mul(a: &Value, b: &Value) -> Result<Value, String> {
    arith("*", a, b, i64::checked_mul, |x, y| x * y)
}

/// `a / b` (whole numbers: truncating; by zero: an error).
pub fn div(a: &Value, b: &Value) -> Result<Value, String> {
    arith("/", a, b, i64::checked_div, |x, y| x / y)
}

/// How `a` compares with `b`: `Ok(None)` when they do not order (different types that are
/// not both numbers, or a NaN), an error when Rhai has no such comparison.
pub fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, String> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(y))),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            Ok(a.number().unwrap().partial_cmp(&b.number().unwrap()))
        }
        (Value::Text(x), Value::Text(y)) => Ok(Some(x.cmp(y))),
        (Value::Missing, Value::Missing) => Ok(None),
        _ if std::mem::discriminant(a) != std::mem::discriminant(b) => Ok(None),
        _ => Err(type_error("compare", a, b)),
    }
}

/// `a > b`.
pub fn gt(a: &Value, b: &Value) -> Result<bool, String> {
    Ok(compare(a, b)? == Some(Ordering::Greater))
}

/// `a >= b`.
pub fn ge(a: &Value, b: &Value) -> Result<bool, String> {
    Ok(matches!(
        compare(a, b)?,
        Some(Ordering::Greater | Ordering::Equal)
    ))
}

/// `a < b`.
pub fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    Ok(compare(a, b)? == Some(Ordering::Less))
}

/// `a <= b`.
pub fn le(a: &Value, b: &Value) -> Result<bool, String> {
    Ok(matches!(
        compare(a, b)?,
        Some(Ordering::Less | Ordering::Equal)
    ))
}

/// `a == b`: numbers by value (`1 == 1.0`), `() == ()`, other values of different types are
/// unequal.
pub fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            compare(a, b) == Ok(Some(Ordering::Equal))
        }
        _ => a == b,
    }
}

/// A float as Rhai writes it (`print`, `to_string`, `${x}` in a template): `0.0` for zero
/// (either sign); a whole number with `.0`; beyond 1e13 or below 1e-13 in magnitude in
/// exponent form (`1e14`); otherwise as Rust writes it (the shortest text that reads back to
/// the same number).
pub fn float_text(x: f64) -> String {
    // Rhai's limits are f32 constants widened to f64: the very same numbers here.
    let max = f64::from(10_000_000_000_000.0_f32);
    let min = f64::from(0.000_000_000_000_1_f32);
    let abs = x.abs();
    if abs == 0.0 {
        "0.0".to_owned()
    } else if abs > max || abs < min {
        format!("{x:e}")
    } else if abs.fract() == 0.0 {
        format!("{x}.0")
    } else {
        format!("{x}")
    }
}

/// A value as Rhai writes it in a template (`${v}`): missing is empty, text as it is, numbers
/// as Rhai writes them. (Lists and tables are written as JSON: Rhai writes them its own way.)
pub fn display(v: &Value) -> String {
    match v {
        Value::Missing => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::Text(s) => s.clone(),
        Value::Json(j) => j.to_string(),
    }
}

/// Rhai's `round` of a float (half away from zero).
pub fn round(x: f64) -> f64 {
    x.round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_rhai_writes_them() {
        assert_eq!(float_text(100.0), "100.0");
        assert_eq!(float_text(-0.0), "0.0");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(250.5), "250.5");
        assert_eq!(float_text(1e14), "1e14");
        assert_eq!(float_text(1e-14), "1e-14");
        assert_eq!(float_text(f64::NAN), "NaN");
    }

    #[test]
    fn arithmetic_and_comparisons_follow_rhai() {
        assert_eq!(div(&Value::Int(7), &Value::Int(2)), Ok(Value::Int(3)));
        assert!(div(&Value::Int(7), &Value::Int(0)).is_err());
        assert_eq!(
            div(&Value::Int(3000), &Value::Float(3000.0)),
            Ok(Value::Float(1.0))
        );
        assert_eq!(gt(&Value::Missing, &Value::Float(0.0)), Ok(false));
        assert_eq!(gt(&Value::Int(2), &Value::Float(1.5)), Ok(true));
        assert!(eq(&Value::Int(1), &Value::Float(1.0)));
        assert!(!eq(&Value::Missing, &Value::Bool(true)));
        assert!(eq(&Value::Missing, &Value::Missing));
    }
}
