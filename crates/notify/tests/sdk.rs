//! The providers' official SDKs compute the same signatures as ours for the same inputs:
//! alibabacloud-tea-openapi (RPC v1 and ACS3-HMAC-SHA256), tencentcloud-sdk-python-common (TC3)
//! and DingtalkChatbot. The test command installs them into `target/pyvenv`.

use std::{collections::BTreeMap, path::PathBuf, process::Command};

use serde_json::Value;
use yingke_notify::sign;

fn python() -> PathBuf {
    let p = std::env::var("YINGKE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pyvenv/bin/python")
        });
    assert!(
        p.exists(),
        "{} is missing: run scripts/test.sh once",
        p.display()
    );
    p
}

fn run_python(script: &str) -> Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn signatures_match_the_official_sdks() {
    let rpc = map(&[
        ("AccessKeyId", "LTAI5tExample"),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("OutId", "notice.0:r1:c7:sms"),
        ("PhoneNumbers", "13812341234"),
        ("RegionId", "cn-hangzhou"),
        ("SignName", "迎客科技"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3a-0000000000abcdef"),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", "SMS_123456"),
        (
            "TemplateParam",
            "{\"number\":\"T-2026001\",\"status\":\"处理中 *~\"}",
        ),
        ("Timestamp", "2026-11-21T02:42:19Z"),
        ("Version", "2017-05-25"),
    ]);
    let query = map(&[
        ("PhoneNumbers", "13812341234"),
        ("SignName", "迎客科技"),
        ("TemplateCode", "SMS_123456"),
        ("TemplateParam", "{\"number\":\"T-2026001\"}"),
    ]);
    let headers = map(&[
        ("host", "dysmsapi.aliyuncs.com"),
        ("x-acs-action", "SendSms"),
        ("x-acs-version", "2017-05-25"),
        ("x-acs-date", "2026-11-21T02:42:19Z"),
        ("x-acs-signature-nonce", "3a-0000000000abcdef"),
        ("x-acs-content-sha256", &sign::sha256_hex_of(b"")),
    ]);
    let tc_payload = r#"{"PhoneNumberSet":["+8613812341234"],"SmsSdkAppId":"1400006666","SignName":"迎客科技","TemplateId":"1234","TemplateParamSet":["T-2026001"],"SessionContext":"k"}"#;
    let script = format!(
        r#"
import json, hashlib, time, urllib.parse
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest
from tencentcloud.common.sign import Sign
import dingtalkchatbot.chatbot as chatbot

rpc = json.loads({rpc:?})
out = {{"v1": Utils.get_rpcsignature(rpc, "GET", "secretExample")}}

req = DaraRequest()
req.method = "POST"
req.pathname = "/"
req.query = json.loads({query:?})
req.headers = json.loads({headers:?})
out["acs3"] = Utils.get_authorization(req, "ACS3-HMAC-SHA256", hashlib.sha256(b"").hexdigest(), "LTAI5tExample", "secretExample")

payload = {payload:?}
canonical = "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\n\ncontent-type;host\n" + hashlib.sha256(payload.encode()).hexdigest()
date = "2026-11-21"
str2sign = "TC3-HMAC-SHA256\n1795228939\n" + date + "/sms/tc3_request\n" + hashlib.sha256(canonical.encode()).hexdigest()
out["tc3"] = Sign.sign_tc3("tcSecretKeyExample", date, "sms", str2sign)

chatbot.time.time = lambda: 1763692939.123
bot = chatbot.DingtalkChatbot("https://oapi.dingtalk.com/robot/send?access_token=abc", secret="SECexample0123")
q = urllib.parse.parse_qs(urllib.parse.urlparse(bot.webhook).query)
out["ding_ts"] = int(q["timestamp"][0])
out["ding_sign"] = q["sign"][0]
print(json.dumps(out))
"#,
        rpc = serde_json::to_string(&rpc).expect("json"),
        query = serde_json::to_string(&query).expect("json"),
        headers = serde_json::to_string(&headers).expect("json"),
        payload = tc_payload,
    );
    let sdk = run_python(&script);

    assert_eq!(sdk["v1"], sign::aliyun_rpc_v1(&rpc, "GET", "secretExample"));
    let ours = sign::aliyun_acs3(
        "POST",
        "/",
        &query,
        &headers,
        b"",
        "LTAI5tExample",
        "secretExample",
    );
    assert_eq!(sdk["acs3"], ours.authorization);
    let (sig, auth) = sign::tencent_tc3(
        "sms",
        "sms.tencentcloudapi.com",
        tc_payload,
        1_795_228_939,
        "AKIDExample",
        "tcSecretKeyExample",
    );
    assert_eq!(sdk["tc3"], sig);
    assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDExample/2026-11-21/sms/tc3_request, SignedHeaders=content-type;host, Signature="));
    let ts = sdk["ding_ts"].as_i64().expect("timestamp");
    assert_eq!(ts, 1_763_692_939_123);
    assert_eq!(sdk["ding_sign"], sign::dingtalk("SECexample0123", ts));
}

/// Our web push payloads decrypt with Mozilla's `http_ece` (what pywebpush uses), and our VAPID
/// token verifies as ES256 with `cryptography` for the endpoint's origin.
#[test]
fn web_push_matches_http_ece_and_vapid() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    let browser = run_python(
        r#"
import base64, json, os
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
k = ec.generate_private_key(ec.SECP256R1())
pub = k.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
b = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")
pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
print(json.dumps({"p256dh": b(pub), "auth": b(os.urandom(16)), "pem": pem.decode()}))
"#,
    );
    let sub = yingke_notify::webpush::Subscription {
        endpoint: "https://updates.push.services.mozilla.com/wpush/v2/abc".into(),
        keys: yingke_notify::webpush::SubscriptionKeys {
            p256dh: browser["p256dh"].as_str().expect("p256dh").into(),
            auth: browser["auth"].as_str().expect("auth").into(),
        },
    };
    let (ua, auth) = sub.decoded().expect("keys");
    let payload = r#"{"title":"待办提醒","body":"回访张三","url":"/todos/7"}"#;
    let body = yingke_notify::webpush::encrypt(&ua, &auth, payload.as_bytes()).expect("encrypt");
    let key = yingke_notify::webpush::VapidKey::generate().expect("vapid");
    let header = key
        .authorization(&sub.endpoint, "mailto:ops@example.com", 1_900_000_000)
        .expect("vapid");
    let script = format!(
        r#"
import base64, json, http_ece
from cryptography.hazmat.primitives import serialization, hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
k = serialization.load_pem_private_key({pem:?}.encode(), password=None)
plain = http_ece.decrypt(d({body:?}), private_key=k, auth_secret=d({auth:?}), version="aes128gcm")
t, kk = {header:?}[len("vapid t="):].split(", k=")
head, claims, sig = t.split(".")
pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), d(kk))
raw = d(sig)
der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
pub.verify(der, (head + "." + claims).encode(), ec.ECDSA(hashes.SHA256()))
print(json.dumps({{"plain": plain.decode(), "claims": json.loads(d(claims)), "head": json.loads(d(head))}}))
"#,
        pem = browser["pem"].as_str().expect("pem"),
        body = B64.encode(&body),
        auth = browser["auth"].as_str().expect("auth"),
    );
    let got = run_python(&script);
    assert_eq!(got["plain"], payload);
    assert_eq!(got["head"]["alg"], "ES256");
    assert_eq!(
        got["claims"]["aud"],
        "https://updates.push.services.mozilla.com"
    );
    assert_eq!(got["claims"]["sub"], "mailto:ops@example.com");
}
