//! Request signatures of the SMS and IM providers, as their documentation and official SDKs
//! compute them. Pure functions: the tests compare them with published vectors and with the SDKs.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

pub fn sha256_hex_of(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// RFC 3986 percent-encoding as Alibaba Cloud's POP signature wants it: everything but
/// `A-Z a-z 0-9 - _ . ~` is encoded, UTF-8, upper-case hex (space is `%20`, `*` is `%2A`).
pub fn pop_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Alibaba Cloud RPC signature version 1.0 (HMAC-SHA1): the sorted, encoded query joined into
/// `METHOD&%2F&encode(query)`, keyed with `secret&`, base64.
pub fn aliyun_rpc_v1(params: &BTreeMap<String, String>, method: &str, secret: &str) -> String {
    let canonical = params
        .iter()
        .map(|(k, v)| format!("{}={}", pop_encode(k), pop_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("{method}&{}&{}", pop_encode("/"), pop_encode(&canonical));
    let mut m = <Hmac<Sha1> as Mac>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes keys of any length");
    m.update(to_sign.as_bytes());
    STANDARD.encode(m.finalize().into_bytes())
}

/// The parts of an ACS3-HMAC-SHA256 (V3) signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3 {
    pub canonical_request: String,
    pub signed_headers: String,
    pub signature: String,
    pub authorization: String,
}

/// Alibaba Cloud signature V3: `headers` must include `host` and the `x-acs-*` headers; those
/// and `content-type` are signed, lower-cased and sorted.
pub fn aliyun_acs3(
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    headers: &BTreeMap<String, String>,
    body: &[u8],
    access_key_id: &str,
    secret: &str,
) -> Acs3 {
    let canonical_query = query
        .iter()
        .map(|(k, v)| format!("{}={}", pop_encode(k), pop_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let signed: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .filter(|(k, _)| k == "host" || k == "content-type" || k.starts_with("x-acs-"))
        .collect();
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = signed.keys().cloned().collect::<Vec<_>>().join(";");
    let canonical_request = format!(
        "{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{}",
        sha256_hex_of(body)
    );
    let to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        sha256_hex_of(canonical_request.as_bytes())
    );
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), to_sign.as_bytes()));
    let authorization = format!(
        "ACS3-HMAC-SHA256 Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
    Acs3 {
        canonical_request,
        signed_headers,
        signature,
        authorization,
    }
}

/// Tencent Cloud TC3-HMAC-SHA256 for a JSON POST to `/`: signs `content-type` and `host`.
/// `timestamp` in seconds; the credential date is its UTC day.
pub fn tencent_tc3(
    service: &str,
    host: &str,
    payload: &str,
    timestamp: i64,
    secret_id: &str,
    secret_key: &str,
) -> (String, String) {
    let date = jiff::Timestamp::from_second(timestamp)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex_of(payload.as_bytes())
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        sha256_hex_of(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&k_signing, to_sign.as_bytes()));
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    );
    (signature, authorization)
}

/// DingTalk robot: base64(HMAC-SHA256(key = secret, msg = "timestamp\nsecret")), `timestamp` in
/// milliseconds. (The URL carries it percent-encoded.)
pub fn dingtalk(secret: &str, timestamp_ms: i64) -> String {
    STANDARD.encode(hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    ))
}

/// Feishu bot: base64(HMAC-SHA256(key = "timestamp\nsecret", msg = empty)), `timestamp` in
/// seconds — the string to sign is the key, not the message.
pub fn feishu(secret: &str, timestamp: i64) -> String {
    STANDARD.encode(hmac_sha256(
        format!("{timestamp}\n{secret}").as_bytes(),
        b"",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pop_encoding_follows_rfc3986() {
        assert_eq!(pop_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
    }

    /// The SendSms example of Alibaba Cloud's SMS API documentation ("HTTP 协议及签名").
    #[test]
    fn aliyun_v1_matches_the_documented_example() {
        let params: BTreeMap<String, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            aliyun_rpc_v1(&params, "GET", "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    #[test]
    fn feishu_keys_the_hmac_with_timestamp_and_secret() {
        // Python: base64.b64encode(hmac.new(b"1599360473\ndemo", b"", hashlib.sha256).digest())
        let s = feishu("demo", 1_599_360_473);
        let expected = STANDARD.encode(hmac_sha256(b"1599360473\ndemo", b""));
        assert_eq!(s, expected);
        assert_ne!(
            s,
            STANDARD.encode(hmac_sha256(b"demo", b"1599360473\ndemo"))
        );
    }
}
