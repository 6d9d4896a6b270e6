//! Google Authenticator exports: `otpauth-migration://offline?data=BASE64`,
//! where the data is a protobuf `MigrationPayload`, possibly split over
//! several QR codes ("batches").

use std::collections::BTreeMap;

use data_encoding::{BASE64, BASE64_NOPAD};
use percent_encoding::percent_decode_str;
use prost::Message;
use zeroize::{Zeroize, Zeroizing};

use super::{OtpToken, TokenKind, UriError, split_label};
use crate::otp::{Algorithm, OtpKey};
use crate::text::{has_forbidden, neutralise};

const SCHEME: &str = "otpauth-migration://";

/// The longest export URI accepted, in bytes (a QR code holds at most about 3 KB).
pub const MAX_MIGRATION_URI_LEN: usize = 8192;

/// The most batches (QR codes) an export may announce. Google Authenticator
/// puts about ten accounts in each; a vault holds at most
/// [`crate::vault::MAX_TOKENS`] tokens. The bound keeps [`MigrationImport`]'s
/// bookkeeping small whatever a QR code claims.
pub const MAX_MIGRATION_BATCHES: u32 = 1000;

/// The protobuf messages of Google Authenticator's export, as published in
/// its `migration.proto`. Enumerations are read as plain integers so that an
/// unknown value reaches our own error handling.
mod proto {
    /// `MigrationPayload`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MigrationPayload {
        #[prost(message, repeated, tag = "1")]
        pub otp_parameters: Vec<OtpParameters>,
        #[prost(int32, tag = "2")]
        pub version: i32,
        #[prost(int32, tag = "3")]
        pub batch_size: i32,
        #[prost(int32, tag = "4")]
        pub batch_index: i32,
        #[prost(int32, tag = "5")]
        pub batch_id: i32,
    }

    /// `MigrationPayload.OtpParameters`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct OtpParameters {
        #[prost(bytes = "vec", tag = "1")]
        pub secret: Vec<u8>,
        #[prost(string, tag = "2")]
        pub name: String,
        #[prost(string, tag = "3")]
        pub issuer: String,
        /// 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5.
        #[prost(int32, tag = "4")]
        pub algorithm: i32,
        /// 0 unspecified, 1 six, 2 eight.
        #[prost(int32, tag = "5")]
        pub digits: i32,
        /// 0 unspecified, 1 HOTP, 2 TOTP.
        #[prost(int32, tag = "6")]
        pub r#type: i32,
        #[prost(int64, tag = "7")]
        pub counter: i64,
    }
}

/// One QR code of an export.
#[derive(Debug)]
pub struct MigrationBatch {
    /// The tokens this batch carries that Tessera can use.
    pub tokens: Vec<OtpToken>,
    /// Entries that were left out, with the reason.
    pub skipped: Vec<SkippedEntry>,
    /// Zero-based position of this batch in the export.
    pub batch_index: u32,
    /// Number of batches in the export (1 when not split).
    pub batch_size: u32,
    /// Identifier shared by the batches of one export.
    pub batch_id: i32,
}

/// An export entry that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// The entry's label as the export names it, with control and
    /// bidirectional-formatting characters replaced by U+FFFD.
    pub name: String,
    /// Why it was left out.
    pub reason: String,
}

fn invalid(reason: impl Into<String>) -> UriError {
    UriError::InvalidExport(reason.into())
}

/// Parses one `otpauth-migration://offline?data=...` URI.
pub fn parse_migration(uri: &str) -> Result<MigrationBatch, UriError> {
    let rest = super::after_scheme(uri, SCHEME, MAX_MIGRATION_URI_LEN)?;
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.eq_ignore_ascii_case("offline") {
        return Err(invalid("expected otpauth-migration://offline?data=..."));
    }
    let mut data = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        if let Some(value) = pair.strip_prefix("data=")
            && data.replace(value).is_some()
        {
            return Err(UriError::DuplicateParameter("data".into()));
        }
    }
    let data = data.ok_or(UriError::MissingParameter("data"))?;
    let bytes = decode_base64(data)?;
    let mut payload =
        proto::MigrationPayload::decode(bytes.as_slice()).map_err(|e| invalid(e.to_string()))?;

    let batch_size =
        u32::try_from(payload.batch_size.max(1)).map_err(|_| invalid("negative batch size"))?;
    if batch_size > MAX_MIGRATION_BATCHES {
        return Err(invalid(format!(
            "{batch_size} batches; an export has at most {MAX_MIGRATION_BATCHES}"
        )));
    }
    let batch_index = u32::try_from(payload.batch_index)
        .ok()
        .filter(|i| *i < batch_size)
        .ok_or_else(|| {
            invalid(format!(
                "batch index {} outside 0..{batch_size}",
                payload.batch_index
            ))
        })?;

    let mut tokens = Vec::new();
    let mut skipped = Vec::new();
    for mut entry in payload.otp_parameters.drain(..) {
        // The name of a skipped entry is shown: made inert first.
        let name = neutralise(&entry.name);
        match convert(&mut entry) {
            Ok(token) => tokens.push(token),
            Err(reason) => skipped.push(SkippedEntry { name, reason }),
        }
        entry.secret.zeroize();
    }
    Ok(MigrationBatch {
        tokens,
        skipped,
        batch_index,
        batch_size,
        batch_id: payload.batch_id,
    })
}

/// Percent-decodes and base64-decodes the `data` value, accepting the
/// URL-safe alphabet and missing padding that some re-encoders produce.
fn decode_base64(data: &str) -> Result<Zeroizing<Vec<u8>>, UriError> {
    let text: Zeroizing<String> = Zeroizing::new(
        percent_decode_str(data)
            .decode_utf8()
            .map_err(|_| invalid("the data is not text"))?
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                // A '+' decoded as a space by a form decoder.
                ' ' => '+',
                c => c,
            })
            .collect(),
    );
    let unpadded = text.trim_end_matches('=');
    let decoded = if unpadded.len() == text.len() {
        BASE64_NOPAD.decode(text.as_bytes())
    } else {
        BASE64.decode(text.as_bytes())
    };
    decoded
        .map(Zeroizing::new)
        .map_err(|e| invalid(format!("the data is not base64 ({e})")))
}

/// Turns one export entry into a token, or says why it cannot be used.
fn convert(entry: &mut proto::OtpParameters) -> Result<OtpToken, String> {
    if has_forbidden(&entry.name) || has_forbidden(&entry.issuer) {
        return Err(
            "the name or issuer contains control or bidirectional-formatting characters".into(),
        );
    }
    let algorithm = match entry.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err("MD5 tokens are not supported".into()),
        n => return Err(format!("unknown algorithm {n}")),
    };
    let digits = match entry.digits {
        0 | 1 => 6,
        2 => 8,
        n => return Err(format!("unknown digit count {n}")),
    };
    let kind = match entry.r#type {
        1 => TokenKind::Hotp {
            counter: u64::try_from(entry.counter)
                .map_err(|_| "negative HOTP counter".to_owned())?,
        },
        2 => TokenKind::Totp { period: 30 },
        n => return Err(format!("unknown OTP type {n}")),
    };
    let secret = OtpKey::import(std::mem::take(&mut entry.secret)).map_err(|e| e.to_string())?;
    let (label_issuer, account) = split_label(&entry.name);
    let issuer = Some(entry.issuer.trim().to_owned())
        .filter(|i| !i.is_empty())
        .or(label_issuer);
    Ok(OtpToken {
        kind,
        issuer,
        account,
        secret,
        algorithm,
        digits,
    })
}

/// Collects the batches of an export, in any order, and checks that none is
/// missing or comes from another export.
#[derive(Debug, Default)]
pub struct MigrationImport {
    batches: BTreeMap<u32, MigrationBatch>,
}

impl MigrationImport {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned export URI.
    pub fn add(&mut self, uri: &str) -> Result<(), UriError> {
        let batch = parse_migration(uri)?;
        if let Some(first) = self.batches.values().next()
            && (first.batch_id != batch.batch_id || first.batch_size != batch.batch_size)
        {
            return Err(UriError::BatchMismatch(
                "this QR code belongs to a different export".into(),
            ));
        }
        if self.batches.contains_key(&batch.batch_index) {
            return Err(UriError::BatchMismatch(format!(
                "batch {} of {} was already added",
                batch.batch_index + 1,
                batch.batch_size
            )));
        }
        self.batches.insert(batch.batch_index, batch);
        Ok(())
    }

    /// Zero-based indices of the batches not yet added.
    pub fn missing(&self) -> Vec<u32> {
        let size = self.batches.values().next().map_or(1, |b| b.batch_size);
        (0..size)
            .filter(|i| !self.batches.contains_key(i))
            .collect()
    }

    /// All tokens and skipped entries, in batch order, once every batch is in.
    pub fn finish(self) -> Result<(Vec<OtpToken>, Vec<SkippedEntry>), UriError> {
        let missing = self.missing();
        if !missing.is_empty() {
            let size = self.batches.values().next().map_or(1, |b| b.batch_size);
            return Err(UriError::IncompleteExport { missing, size });
        }
        let mut tokens = Vec::new();
        let mut skipped = Vec::new();
        for batch in self.batches.into_values() {
            tokens.extend(batch.tokens);
            skipped.extend(batch.skipped);
        }
        Ok((tokens, skipped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample export that circulates in Google Authenticator's
    /// documentation and community tools: one TOTP token.
    const SAMPLE: &str = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";

    #[test]
    fn reads_the_sample_export() {
        let batch = parse_migration(SAMPLE).unwrap();
        assert_eq!(batch.tokens.len(), 1);
        assert!(batch.skipped.is_empty());
        let t = &batch.tokens[0];
        assert_eq!(t.issuer.as_deref(), Some("Example"));
        assert_eq!(t.account, "alice@google.com");
        assert_eq!(t.secret.expose(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!(t.kind, TokenKind::Totp { period: 30 });
        assert_eq!(t.digits, 6);
        assert_eq!(t.algorithm, Algorithm::Sha1);
    }

    #[test]
    fn rejects_malformed_exports() {
        for uri in [
            "otpauth://offline?data=CjEK",
            "otpauth-migration://online?data=CjEK",
            "otpauth-migration://offline",
            "otpauth-migration://offline?data=%%%",
            "otpauth-migration://offline?data=!!!!",
            "otpauth-migration://offline?data=CjEKCkhlbGxv",
            "otpauth-migration://offline?data=CjEK&data=CjEK",
        ] {
            assert!(parse_migration(uri).is_err(), "{uri}");
        }
        let huge = format!(
            "otpauth-migration://offline?data={}",
            "A".repeat(MAX_MIGRATION_URI_LEN)
        );
        assert!(matches!(
            parse_migration(&huge),
            Err(UriError::TooLong { .. })
        ));
    }

    /// Found by `fuzz/migration` (a timeout): a QR code announcing 230
    /// million batches made [`MigrationImport::missing`] list them all
    /// (seconds and about a gigabyte) when the app read it.
    #[test]
    fn fuzz_timeout_huge_batch_size_is_refused() {
        // The fuzzer's input after its mode byte: batch_size (field 3)
        // written four times, the last one a 35-bit varint that int32
        // truncates to 230 298 851.
        let payload = [
            0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0xe3, 0xa9, 0xe8, 0xed, 0x10,
        ];
        let uri = format!(
            "otpauth-migration://offline?data={}",
            BASE64.encode(&payload)
        );
        let start = std::time::Instant::now();
        assert!(matches!(
            parse_migration(&uri),
            Err(UriError::InvalidExport(_))
        ));
        let mut import = MigrationImport::new();
        assert!(import.add(&uri).is_err());
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn batch_sizes_up_to_the_limit_are_accepted() {
        // batch_size = 1000, batch_index = 999, no entries.
        let at_limit = [0x18, 0xe8, 0x07, 0x20, 0xe7, 0x07];
        let uri = format!(
            "otpauth-migration://offline?data={}",
            BASE64.encode(&at_limit)
        );
        let batch = parse_migration(&uri).unwrap();
        assert_eq!((batch.batch_size, batch.batch_index), (1000, 999));
        let mut import = MigrationImport::new();
        import.add(&uri).unwrap();
        assert_eq!(import.missing().len(), 999);
        let over = [0x18, 0xe9, 0x07];
        let uri = format!("otpauth-migration://offline?data={}", BASE64.encode(&over));
        assert!(matches!(
            parse_migration(&uri),
            Err(UriError::InvalidExport(_))
        ));
    }

    #[test]
    fn batches_must_all_arrive() {
        let mut import = MigrationImport::new();
        import.add(SAMPLE).unwrap();
        assert!(import.missing().is_empty());
        assert!(matches!(
            import.add(SAMPLE),
            Err(UriError::BatchMismatch(_))
        ));
        let (tokens, skipped) = import.finish().unwrap();
        assert_eq!((tokens.len(), skipped.len()), (1, 0));
    }
}
