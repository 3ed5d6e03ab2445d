//! The values a candidate's features, attributes and parameters hold.

use hecun_plugin_abi::wire;
use serde::ser::{Serialize, Serializer};

/// One feature, attribute or parameter value, as the host hands it over (`()` in Rhai when
/// missing).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// No value.
    #[default]
    Missing,
    /// A yes/no value.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// Text.
    Text(String),
    /// Lists and tables (e.g. a community's villages), as JSON.
    Json(serde_json::Value),
}

impl Value {
    /// Whether the value is missing.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The value as a number: a float, or a whole number converted (`i as f64`); `None` for
    /// anything else.
    pub fn number(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The value if it is a bool.
    pub fn flag(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value if it is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON (`null` when missing; a float that is not finite is `null`, as the
    /// host writes it).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Missing => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => (*f).into(),
            Value::Text(s) => s.as_str().into(),
            Value::Json(j) => j.clone(),
        }
    }

    /// The name of the value's type, as Rhai's `type_of` gives it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Missing => "()",
            Value::Bool(_) => "bool",
            Value::Int(_) => "i64",
            Value::Float(_) => "f64",
            Value::Text(_) => "string",
            Value::Json(serde_json::Value::Array(_)) => "array",
            Value::Json(serde_json::Value::Object(_)) => "map",
            Value::Json(_) => "json",
        }
    }
}

impl Value {
    /// Appends the value as the wire has it (JSON as its text).
    pub(crate) fn put(&self, out: &mut Vec<u8>) {
        let json;
        wire::put_value(
            out,
            match self {
                Value::Missing => wire::Value::Missing,
                Value::Bool(b) => wire::Value::Bool(*b),
                Value::Int(i) => wire::Value::Int(*i),
                Value::Float(f) => wire::Value::Float(*f),
                Value::Text(s) => wire::Value::Text(s),
                Value::Json(j) => {
                    json = j.to_string();
                    wire::Value::Json(&json)
                }
            },
        );
    }

    /// A value as the wire has it; JSON that does not parse is an error (of the candidate
    /// that has it, not of the batch).
    pub(crate) fn from_wire(v: wire::Value<'_>) -> Result<Value, String> {
        Ok(match v {
            wire::Value::Missing => Value::Missing,
            wire::Value::Bool(b) => Value::Bool(b),
            wire::Value::Int(i) => Value::Int(i),
            wire::Value::Float(f) => Value::Float(f),
            wire::Value::Text(s) => Value::Text(s.to_owned()),
            wire::Value::Json(text) => match serde_json::from_str(text) {
                Ok(j) => Value::Json(j),
                Err(e) => return Err(format!("a JSON feature does not parse: {e}")),
            },
        })
    }
}

/// JSON as the host converts it: `null` is missing, a number that fits an `i64` is whole,
/// other numbers are floats, lists and tables stay JSON.
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Missing,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Text(s),
            other => Value::Json(other),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Missing,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Text(s.clone()),
            other => Value::Json(other.clone()),
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Missing, Into::into)
    }
}

/// As JSON (so a value goes straight into `serde_json::json!` evidence): missing is `null`,
/// a float that is not finite is `null`.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Missing => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Text(t) => s.serialize_str(t),
            Value::Json(j) => j.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;
    use hecun_plugin_abi::wire::Reader;

    /// The SDK's side of the shared encoding: every kind of value, written as the host
    /// writes it, comes back equal (floats to the bit); JSON that does not parse is the
    /// candidate's error.
    #[test]
    fn values_cross_the_wire_and_come_back_equal() {
        let values = [
            Value::Missing,
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Float(0.1 + 0.2),
            Value::Float(-0.0),
            Value::Text("甲村".into()),
            Value::Json(serde_json::json!([{"id": "v1", "人口": 120, "share": 0.25}])),
        ];
        let mut out = Vec::new();
        for v in &values {
            v.put(&mut out);
        }
        let mut r = Reader::new(&out);
        for v in &values {
            let back = Value::from_wire(r.value().unwrap()).unwrap();
            assert_eq!(&back, v);
            if let (Value::Float(a), Value::Float(b)) = (&back, v) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
        assert!(r.at_end());
        let bad = Value::from_wire(hecun_plugin_abi::wire::Value::Json("[1,")).unwrap_err();
        assert!(bad.starts_with("a JSON feature does not parse: "), "{bad}");
    }
}
