//! Keys derived from the server's secret key: sealing secrets at rest (channel identity secrets,
//! later SMTP passwords and SMS keys), signing visitor tokens, checking identity HMACs.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Serialize, de::DeserializeOwned};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The server's keys. Built from one secret (config `secret_key` or the data dir's `secret.key`);
/// `Debug` shows nothing.
#[derive(Clone)]
pub struct Keyring {
    seal: [u8; 32],
    visitor: [u8; 32],
    urls: [u8; 32],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring([redacted])")
    }
}

/// HMAC-SHA256 keyed with `key` (HMAC takes keys of any length, so this cannot fail).
fn mac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn derive(master: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = mac(master);
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A random 256-bit secret, hex-encoded (for `secret.key` and channel identity secrets).
pub fn random_secret_hex() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

impl Keyring {
    /// From the master secret (at least 32 bytes of entropy expected).
    pub fn from_master(master: &[u8]) -> Self {
        Self {
            seal: derive(master, "yingke/seal/v1"),
            visitor: derive(master, "yingke/visitor-token/v1"),
            urls: derive(master, "yingke/signed-url/v1"),
        }
    }

    /// Encrypts `plain` for storage: `v1.<base64(nonce ‖ ciphertext)>`. `context` (e.g.
    /// `channel:12`) is bound in, so a sealed value cannot be moved to another row.
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let cipher = ChaCha20Poly1305::new((&self.seal).into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("ChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!("v1.{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// Decrypts what [`Keyring::seal`] produced with the same context; `None` when it was sealed
    /// with another key or tampered with.
    pub fn open(&self, sealed: &str, context: &str) -> Option<String> {
        let raw = URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1.")?).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let cipher = ChaCha20Poly1305::new((&self.seal).into());
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// A signed token carrying `claims`: `base64(json).base64(hmac)`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let mut mac = mac(&self.visitor);
        mac.update(body.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{sig}")
    }

    /// The claims of a token this keyring signed; `None` for anything else.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let (body, sig) = token.split_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut mac = mac(&self.visitor);
        mac.update(body.as_bytes());
        mac.verify_slice(&sig).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
    }
}

impl Keyring {
    /// A short signature of `what` for URLs that must work without headers (`<img src>`).
    pub fn url_signature(&self, what: &str) -> String {
        let mut m = mac(&self.urls);
        m.update(what.as_bytes());
        URL_SAFE_NO_PAD.encode(&m.finalize().into_bytes()[..18])
    }

    /// Whether `sig` is [`Keyring::url_signature`] of `what` (constant time).
    pub fn url_signature_matches(&self, what: &str, sig: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.url_signature(what)
            .as_bytes()
            .ct_eq(sig.as_bytes())
            .into()
    }
}

/// Byte-wise equality in constant time (for tokens in URLs).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Whether `presented_hex` is HMAC-SHA256(`secret`, `user_id`) in hex, compared in constant time.
pub fn identity_hmac_matches(secret: &str, user_id: &str, presented_hex: &str) -> bool {
    let Ok(presented) = hex::decode(presented_hex.trim()) else {
        return false;
    };
    let mut mac = mac(secret.as_bytes());
    mac.update(user_id.as_bytes());
    mac.verify_slice(&presented).is_ok()
}

/// What the embedding site's server computes: hex(HMAC-SHA256(secret, user_id)).
pub fn identity_hmac(secret: &str, user_id: &str) -> String {
    let mut mac = mac(secret.as_bytes());
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let k = Keyring::from_master(b"0123456789abcdef0123456789abcdef");
        let sealed = k.seal("top secret", "channel:1");
        assert!(!sealed.contains("top secret"));
        assert_eq!(k.open(&sealed, "channel:1").as_deref(), Some("top secret"));
        assert_eq!(k.open(&sealed, "channel:2"), None);
        let other = Keyring::from_master(b"another master key of 32 bytes!!");
        assert_eq!(other.open(&sealed, "channel:1"), None);
    }

    #[test]
    fn tokens_verify_only_unaltered() {
        let k = Keyring::from_master(b"0123456789abcdef0123456789abcdef");
        let t = k.sign(&serde_json::json!({"c": 5}));
        assert_eq!(
            k.verify::<serde_json::Value>(&t),
            Some(serde_json::json!({"c": 5}))
        );
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"c":6}"#),
            t.split_once('.').map(|x| x.1).unwrap_or("")
        );
        assert_eq!(k.verify::<serde_json::Value>(&forged), None);
    }

    #[test]
    fn identity_hmac_matches_the_documented_formula() {
        // Python: hmac.new(b"s3cret", b"u-42", hashlib.sha256).hexdigest()
        let h = identity_hmac("s3cret", "u-42");
        assert_eq!(
            h,
            "a9027c183213595f656c8ef75f68e6d9551372821b86d944e07b3fe0e58010bb"
        );
        assert!(identity_hmac_matches("s3cret", "u-42", &h));
        assert!(identity_hmac_matches("s3cret", "u-42", &h.to_uppercase()));
        assert!(!identity_hmac_matches("s3cret", "u-43", &h));
        assert!(!identity_hmac_matches("other", "u-42", &h));
        assert!(!identity_hmac_matches("s3cret", "u-42", "not hex"));
    }
}
