//! Web push to agents' browsers and phones: the payload encrypted for the subscription
//! (RFC 8291, `aes128gcm` content coding of RFC 8188) and the sender identified with a VAPID
//! token (RFC 8292, ES256), all with `ring`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::{
    aead, agreement, hkdf,
    rand::{SecureRandom, SystemRandom},
    signature::{self, EcdsaKeyPair, KeyPair},
};
use serde::Deserialize;
use serde_json::json;
use yingke_app::notifier::{Outgoing, SendError, Sent};

use crate::http::Http;

/// Record size announced in the header; one record holds any notice we send.
const RECORD_SIZE: u32 = 4096;
/// Longest payload: push services take 4096 bytes of body, less the header and the tag.
pub const MAX_PAYLOAD: usize = 3800;
/// How long a push service keeps an undelivered notice (the phone is off).
const TTL_SECS: u32 = 24 * 3600;

/// The server's VAPID key pair (P-256), kept as PKCS#8.
pub struct VapidKey {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    pub fn generate() -> Result<Self, String> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "could not generate a VAPID key".to_owned())?;
        Self::from_pkcs8(doc.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, String> {
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|e| format!("not a P-256 VAPID key: {e}"))?;
        Ok(Self {
            pair,
            pkcs8: pkcs8.to_vec(),
        })
    }

    /// The PKCS#8 document, to seal and store.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as browsers take it (`applicationServerKey`): the uncompressed point,
    /// base64url without padding.
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }

    /// The `Authorization` header for a push service at `endpoint`.
    pub fn authorization(
        &self,
        endpoint: &str,
        subject: &str,
        now_s: i64,
    ) -> Result<String, String> {
        let aud = origin(endpoint).ok_or("the endpoint is not an http(s) URL")?;
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = B64.encode(
            json!({"aud": aud, "exp": now_s + 12 * 3600, "sub": subject})
                .to_string()
                .as_bytes(),
        );
        let input = format!("{header}.{claims}");
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| "could not sign the VAPID token".to_owned())?;
        Ok(format!(
            "vapid t={input}.{}, k={}",
            B64.encode(sig.as_ref()),
            self.public_key()
        ))
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct Subscription {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

impl Subscription {
    /// The decoded keys: the browser's public point (65 bytes) and its auth secret (16 bytes).
    pub fn decoded(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let p = decode(&self.keys.p256dh).ok_or("keys.p256dh is not base64url")?;
        let a = decode(&self.keys.auth).ok_or("keys.auth is not base64url")?;
        if p.len() != 65 || p[0] != 4 {
            return Err("keys.p256dh must be an uncompressed P-256 point (65 bytes)".into());
        }
        if a.len() != 16 {
            return Err("keys.auth must be 16 bytes".into());
        }
        Ok((p, a))
    }
}

/// base64url with or without padding (browsers differ).
fn decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim_end_matches('=')).ok()
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &hkdf::Prk, info: &[&[u8]], len: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![0; len];
    prk.expand(info, Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| "key derivation failed".to_owned())?;
    Ok(out)
}

/// Encrypts `payload` for the browser key `ua_public` and auth secret `auth` (RFC 8291): a
/// fresh ephemeral key and salt each time; one record, padded with nothing.
pub fn encrypt(ua_public: &[u8], auth: &[u8], payload: &[u8]) -> Result<Vec<u8>, String> {
    let rng = SystemRandom::new();
    let fail = |_| "encryption failed".to_owned();
    let ephemeral =
        agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).map_err(fail)?;
    let as_public = ephemeral.compute_public_key().map_err(fail)?;
    let as_public = as_public.as_ref().to_vec();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(fail)?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public);
    let ikm = agreement::agree_ephemeral(ephemeral, &peer, |shared| {
        // PRK_key = HKDF-Extract(auth, ecdh); IKM = HKDF-Expand(PRK_key, key_info, 32).
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, auth).extract(shared);
        expand(&prk, &[b"WebPush: info\0", ua_public, &as_public], 32)
    })
    .map_err(|_| "the subscription's key is not a valid P-256 point".to_owned())??;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let cek = expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16)?;
    let nonce = expand(&prk, &[b"Content-Encoding: nonce\0"], 12)?;
    let key =
        aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(fail)?);
    let mut record = payload.to_vec();
    record.push(2); // the last (and only) record's delimiter
    let nonce = aead::Nonce::try_assume_unique_for_key(&nonce).map_err(fail)?;
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), &mut record)
        .map_err(fail)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// Sends one notice: `out.to` is the subscription (JSON), `out.text` the payload, and
/// `out.secrets.vapid_pkcs8` the server's key (base64url). A 404 or 410 means the browser
/// unsubscribed: a permanent error marked `gone`.
pub(crate) async fn send(http: &Http, out: &Outgoing<'_>, now_s: i64) -> Result<Sent, SendError> {
    let sub: Subscription = serde_json::from_str(out.to)
        .map_err(|e| SendError::permanent(format!("not a push subscription: {e}")))?;
    let (ua_public, auth) = sub.decoded().map_err(SendError::permanent)?;
    let pkcs8 = out
        .secrets
        .get("vapid_pkcs8")
        .and_then(|v| v.as_str())
        .and_then(decode)
        .ok_or_else(|| SendError::permanent("no VAPID key"))?;
    let vapid = VapidKey::from_pkcs8(&pkcs8).map_err(SendError::permanent)?;
    let subject = out
        .config
        .get("subject")
        .and_then(|v| v.as_str())
        .unwrap_or("mailto:admin@yingke.local");
    let authorization = vapid
        .authorization(&sub.endpoint, subject, now_s)
        .map_err(SendError::permanent)?;
    if out.text.len() > MAX_PAYLOAD {
        return Err(SendError::permanent("the notice is too long for web push"));
    }
    let body = encrypt(&ua_public, &auth, out.text.as_bytes()).map_err(SendError::permanent)?;
    let res = http
        .post(sub.endpoint.clone())
        .header("authorization", authorization)
        .header("content-encoding", "aes128gcm")
        .header("content-type", "application/octet-stream")
        .header("ttl", TTL_SECS.to_string())
        .header("urgency", "high")
        .body(body)
        .send()
        .await?;
    let answer = format!("{} {}", res.status, res.text.trim());
    match res.status {
        200..=299 => Ok(Sent {
            provider_id: None,
            response: answer,
            confirmed: true,
        }),
        404 | 410 => Err(SendError {
            message: format!("the browser unsubscribed ({})", res.status),
            response: Some(answer),
            retryable: false,
            gone: true,
        }),
        429 | 500..=599 => Err(SendError {
            message: format!("the push service answered {}", res.status),
            response: Some(answer),
            retryable: true,
            gone: false,
        }),
        s => Err(SendError {
            message: format!("the push service refused the notice ({s})"),
            response: Some(answer),
            retryable: false,
            gone: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The browser's side: decrypts what [`encrypt`] produced.
    fn decrypt(
        ua: agreement::EphemeralPrivateKey,
        ua_public: &[u8],
        auth: &[u8],
        body: &[u8],
    ) -> Vec<u8> {
        let (salt, rest) = body.split_at(16);
        assert_eq!(&rest[..4], &RECORD_SIZE.to_be_bytes());
        let idlen = rest[4] as usize;
        let (as_public, ciphertext) = rest[5..].split_at(idlen);
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, as_public);
        let ikm = agreement::agree_ephemeral(ua, &peer, |shared| {
            let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, auth).extract(shared);
            expand(&prk, &[b"WebPush: info\0", ua_public, as_public], 32).expect("ikm")
        })
        .expect("agree");
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&ikm);
        let cek = expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16).expect("cek");
        let nonce = expand(&prk, &[b"Content-Encoding: nonce\0"], 12).expect("nonce");
        let key =
            aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).expect("key"));
        let mut buf = ciphertext.to_vec();
        let plain = key
            .open_in_place(
                aead::Nonce::try_assume_unique_for_key(&nonce).expect("n"),
                aead::Aad::empty(),
                &mut buf,
            )
            .expect("authentic")
            .to_vec();
        assert_eq!(plain.last(), Some(&2), "the last record's delimiter");
        plain[..plain.len() - 1].to_vec()
    }

    #[test]
    fn a_browser_decrypts_the_payload_and_a_tampered_body_is_refused() {
        let rng = SystemRandom::new();
        let ua =
            agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).expect("key");
        let ua_public = ua.compute_public_key().expect("public").as_ref().to_vec();
        let auth = [7u8; 16];
        let payload = r#"{"title":"待办提醒","body":"回访张三"}"#.as_bytes();
        let body = encrypt(&ua_public, &auth, payload).expect("encrypt");
        assert_eq!(decrypt(ua, &ua_public, &auth, &body), payload);
        // Two encryptions of one payload differ (fresh salt and key).
        assert_ne!(encrypt(&ua_public, &auth, payload).expect("again"), body);
        assert!(
            encrypt(&[4u8; 65], &auth, payload).is_err(),
            "not a point on the curve"
        );
    }

    #[test]
    fn the_vapid_token_is_signed_by_the_key_it_names_for_the_endpoint_origin() {
        let key = VapidKey::generate().expect("key");
        let again = VapidKey::from_pkcs8(key.pkcs8()).expect("reload");
        assert_eq!(again.public_key(), key.public_key());
        let h = key
            .authorization(
                "https://fcm.googleapis.com/fcm/send/abc?x=1",
                "mailto:ops@example.com",
                1_800_000_000,
            )
            .expect("header");
        let (t, k) = h
            .strip_prefix("vapid t=")
            .and_then(|r| r.split_once(", k="))
            .expect("shape");
        assert_eq!(k, key.public_key());
        let (input, sig) = t.rsplit_once('.').expect("signed");
        let claims: serde_json::Value = serde_json::from_slice(
            &B64.decode(input.split('.').nth(1).expect("claims"))
                .expect("b64"),
        )
        .expect("json");
        assert_eq!(claims["aud"], "https://fcm.googleapis.com");
        assert_eq!(claims["exp"], 1_800_000_000 + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:ops@example.com");
        let public = B64.decode(k).expect("k");
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &public)
            .verify(input.as_bytes(), &B64.decode(sig).expect("sig"))
            .expect("a valid ES256 signature");
        assert!(key.authorization("ftp://x", "mailto:a@b", 0).is_err());
    }

    #[test]
    fn subscription_keys_are_checked() {
        let sub = |p: &str, a: &str| Subscription {
            endpoint: "https://push.example/x".into(),
            keys: SubscriptionKeys {
                p256dh: p.into(),
                auth: a.into(),
            },
        };
        let point = B64.encode([4u8; 65]);
        assert!(sub(&point, &B64.encode([1u8; 16])).decoded().is_ok());
        assert!(
            sub(
                &format!("{point}="),
                &format!("{}==", B64.encode([1u8; 16]))
            )
            .decoded()
            .is_ok()
        );
        assert!(
            sub(&B64.encode([4u8; 33]), &B64.encode([1u8; 16]))
                .decoded()
                .is_err()
        );
        assert!(sub(&point, &B64.encode([1u8; 8])).decoded().is_err());
        assert!(sub("!!", "??").decoded().is_err());
    }
}
