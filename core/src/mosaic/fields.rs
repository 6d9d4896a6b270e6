//! Plaintexts are CBOR maps with small integer keys: compact in the QR code,
//! read strictly (every key known, none repeated, each within its limits).

use ciborium::Value;
use zeroize::Zeroizing;

use super::MosaicError;

/// A map being written, in key order.
#[derive(Default)]
pub(crate) struct Writer(Vec<(Value, Value)>);

impl Writer {
    pub fn bytes(mut self, key: u8, value: &[u8]) -> Self {
        self.0
            .push((Value::from(key), Value::Bytes(value.to_vec())));
        self
    }

    pub fn text(mut self, key: u8, value: &str) -> Self {
        self.0
            .push((Value::from(key), Value::Text(value.to_owned())));
        self
    }

    pub fn opt_text(self, key: u8, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.text(key, v),
            None => self,
        }
    }

    pub fn uint(mut self, key: u8, value: u64) -> Self {
        self.0.push((Value::from(key), Value::from(value)));
        self
    }

    /// The encoded map; it may hold secrets, so it zeroizes, and so does
    /// every smaller buffer it outgrew while being written.
    pub fn finish(self) -> Zeroizing<Vec<u8>> {
        let mut out = ZeroizingWriter(Zeroizing::new(Vec::with_capacity(256)));
        let mut value = Value::Map(self.0);
        // Writing into memory cannot fail.
        let _ = ciborium::into_writer(&value, &mut out);
        wipe(&mut value);
        out.0
    }
}

/// A growing buffer that zeroizes what it leaves behind: a plain `Vec`
/// frees its old allocation with the bytes still in it when it grows.
struct ZeroizingWriter(Zeroizing<Vec<u8>>);

impl std::io::Write for ZeroizingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let needed = self.0.len().saturating_add(buf.len());
        if needed > self.0.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(needed.saturating_mul(2)));
            grown.extend_from_slice(&self.0);
            // The old buffer is zeroized as it is dropped here.
            self.0 = grown;
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Overwrites the byte strings of a value before it is dropped.
fn wipe(value: &mut Value) {
    match value {
        Value::Bytes(b) => zeroize::Zeroize::zeroize(b),
        Value::Map(entries) => {
            for (k, v) in entries {
                wipe(k);
                wipe(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(wipe),
        _ => {}
    }
}

/// A map being read. Each accessor removes its key; [`Reader::finish`]
/// refuses keys nobody asked for.
pub(crate) struct Reader(Vec<(u8, Value)>);

impl Reader {
    pub fn parse(bytes: &[u8]) -> Result<Self, MosaicError> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|_| MosaicError::Malformed("body is not CBOR"))?;
        let Value::Map(entries) = value else {
            return Err(MosaicError::Malformed("body is not a map"));
        };
        let mut out: Vec<(u8, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let key = k
                .as_integer()
                .and_then(|i| u8::try_from(i).ok())
                .ok_or(MosaicError::Malformed("body key is not a small integer"))?;
            if out.iter().any(|(seen, _)| *seen == key) {
                return Err(MosaicError::Malformed("body key repeated"));
            }
            out.push((key, v));
        }
        Ok(Self(out))
    }

    fn take(&mut self, key: u8) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| *k == key)?;
        Some(self.0.swap_remove(i).1)
    }

    pub fn bytes(
        &mut self,
        key: u8,
        field: &'static str,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, MosaicError> {
        match self.take(key) {
            Some(Value::Bytes(b)) if b.len() == len => Ok(Zeroizing::new(b)),
            Some(Value::Bytes(mut b)) => {
                zeroize::Zeroize::zeroize(&mut b);
                Err(MosaicError::InvalidField {
                    field,
                    reason: "wrong length",
                })
            }
            Some(_) => Err(MosaicError::InvalidField {
                field,
                reason: "not a byte string",
            }),
            None => Err(MosaicError::InvalidField {
                field,
                reason: "missing",
            }),
        }
    }

    pub fn opt_text(
        &mut self,
        key: u8,
        field: &'static str,
    ) -> Result<Option<String>, MosaicError> {
        match self.take(key) {
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(_) => Err(MosaicError::InvalidField {
                field,
                reason: "not text",
            }),
            None => Ok(None),
        }
    }

    pub fn text(&mut self, key: u8, field: &'static str) -> Result<String, MosaicError> {
        self.opt_text(key, field)?.ok_or(MosaicError::InvalidField {
            field,
            reason: "missing",
        })
    }

    pub fn uint(&mut self, key: u8, field: &'static str) -> Result<u64, MosaicError> {
        match self.take(key) {
            Some(v) => v.as_integer().and_then(|i| u64::try_from(i).ok()).ok_or(
                MosaicError::InvalidField {
                    field,
                    reason: "not a non-negative integer",
                },
            ),
            None => Err(MosaicError::InvalidField {
                field,
                reason: "missing",
            }),
        }
    }

    pub fn finish(mut self) -> Result<(), MosaicError> {
        let unknown = !self.0.is_empty();
        self.0.iter_mut().for_each(|(_, v)| wipe(v));
        if unknown {
            Err(MosaicError::Malformed("unknown field in body"))
        } else {
            Ok(())
        }
    }
}
