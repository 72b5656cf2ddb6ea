//! serde adaptors that carry [`Value`] and [`Map`] as plain JSON on the wire.
//!
//! It must not change the data: a value comes out as it went in (JSON has no
//! NaN, which is sent as null).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Map, Value};

/// `#[serde(with = "json::value")]`
pub mod value {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        v.to_json().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        serde_json::Value::deserialize(d).map(|j| Value::from_json(&j))
    }
}

/// `#[serde(with = "json::map")]`: a JSON object.
pub mod map {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Map, s: S) -> Result<S::Ok, S::Error> {
        Value::Map(m.clone()).to_json().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Object(o) => Ok(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
        }
    }
}

/// `#[serde(with = "json::list")]`: a JSON array.
pub mod list {
    use super::*;

    pub fn serialize<S: Serializer>(l: &[Value], s: S) -> Result<S::Ok, S::Error> {
        serde_json::Value::Array(l.iter().map(Value::to_json).collect()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        Vec::<serde_json::Value>::deserialize(d).map(|a| a.iter().map(Value::from_json).collect())
    }
}
