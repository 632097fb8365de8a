//! Delivery adapters for Yingke's notifications: e-mail over SMTP (lettre), SMS through Alibaba
//! Cloud, Tencent Cloud or a generic HTTP provider, and IM through WeCom, DingTalk and Feishu
//! robots and WeCom application messages, and web push to agents' browsers. Each implements the app's [`Notifier`] port; every
//! provider's base URL is configurable so tests (and private deployments) point them elsewhere.

pub mod email;
mod http;
pub mod sign;
pub mod webpush;

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use serde_json::{Value, json};
use yingke_app::notifier::{Notifier, Outgoing, SendError, Sent};

/// The adapters, sharing one HTTP client.
#[derive(Clone)]
pub struct Adapters {
    http: http::Http,
    wecom_tokens: Arc<Mutex<HashMap<String, (String, i64)>>>,
}

impl std::fmt::Debug for Adapters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Adapters")
    }
}

impl Adapters {
    pub fn new() -> Self {
        Self {
            http: http::Http::new(),
            wecom_tokens: Arc::default(),
        }
    }
}

impl Default for Adapters {
    fn default() -> Self {
        Self::new()
    }
}

fn conf<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn conf_or<'a>(v: &'a Value, key: &str, default: &'a str) -> &'a str {
    match conf(v, key) {
        "" => default,
        s => s.trim_end_matches('/'),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Reads a provider's JSON answer; 5xx and 429 are retryable, garbage is not.
fn json_answer(res: http::Response) -> Result<(u16, Value, String), SendError> {
    let http::Response { status, text } = res;
    if !(200..300).contains(&status) {
        return Err(SendError {
            message: format!("the provider answered HTTP {status}"),
            response: Some(text.chars().take(2000).collect()),
            retryable: status >= 500 || status == 429,
            gone: false,
        });
    }
    match serde_json::from_str(&text) {
        Ok(v) => Ok((status, v, text)),
        Err(_) => Err(SendError {
            message: "the provider's answer is not JSON".into(),
            response: Some(text.chars().take(2000).collect()),
            retryable: false,
            gone: false,
        }),
    }
}

fn rejected(what: &str, code: &str, text: String, retryable: bool) -> SendError {
    SendError {
        message: format!("{what} refused it: {code}"),
        response: Some(text),
        retryable,
        gone: false,
    }
}

/// A mainland number without its country code, as Alibaba Cloud wants it.
fn national(phone: &str) -> String {
    let p: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    p.strip_prefix("+86").map(str::to_owned).unwrap_or(p)
}

/// E.164, as Tencent Cloud wants it (mainland numbers get +86).
fn e164(phone: &str) -> String {
    let p: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if p.starts_with('+') {
        p
    } else {
        format!("+86{p}")
    }
}

/// Template parameters for SMS providers: `param_map` maps the provider's names to ours.
fn sms_params(config: &Value, vars: &Value) -> serde_json::Map<String, Value> {
    let default = json!({"number": "number", "status": "status"});
    let map = config
        .get("param_map")
        .filter(|m| m.is_object())
        .unwrap_or(&default);
    map.as_object()
        .into_iter()
        .flatten()
        .map(|(theirs, ours)| {
            let v = ours
                .as_str()
                .and_then(|o| vars.get(o))
                .cloned()
                .unwrap_or(Value::Null);
            let s = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (theirs.clone(), Value::String(s))
        })
        .collect()
}

fn iso8601(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn im_text(out: &Outgoing<'_>) -> String {
    if out.subject.is_empty() {
        out.text.to_owned()
    } else {
        format!("{}\n{}", out.subject, out.text)
    }
}

impl Adapters {
    async fn aliyun_sms(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let endpoint = conf_or(out.config, "endpoint", "https://dysmsapi.aliyuncs.com");
        let key_id = conf(out.secrets, "access_key_id");
        let secret = conf(out.secrets, "access_key_secret");
        let params = serde_json::to_string(&sms_params(out.config, out.vars)).unwrap_or_default();
        let mut q: BTreeMap<String, String> = [
            ("PhoneNumbers", national(out.to)),
            ("SignName", conf(out.config, "sign_name").to_owned()),
            ("TemplateCode", conf(out.config, "template_code").to_owned()),
            ("TemplateParam", params),
            ("OutId", out.idempotency_key.chars().take(256).collect()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let nonce = nonce();
        let ts = iso8601(now_ms());
        let req = if conf(out.config, "signature") == "acs3" {
            let host = endpoint.split("://").nth(1).unwrap_or(endpoint).to_owned();
            let headers: BTreeMap<String, String> = [
                ("host", host),
                ("x-acs-action", "SendSms".to_owned()),
                ("x-acs-version", "2017-05-25".to_owned()),
                ("x-acs-date", ts),
                ("x-acs-signature-nonce", nonce),
                ("x-acs-content-sha256", sign::sha256_hex_of(b"")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            let s = sign::aliyun_acs3("POST", "/", &q, &headers, b"", key_id, secret);
            let query = encode_query(&q);
            let mut r = self.http.post(format!("{endpoint}/?{query}"));
            for (k, v) in &headers {
                if k != "host" {
                    r = r.header(k, v);
                }
            }
            r.header("Authorization", s.authorization)
        } else {
            for (k, v) in [
                ("AccessKeyId", key_id),
                ("Action", "SendSms"),
                ("Format", "JSON"),
                ("RegionId", conf_or(out.config, "region", "cn-hangzhou")),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureNonce", &nonce),
                ("SignatureVersion", "1.0"),
                ("Timestamp", &ts),
                ("Version", "2017-05-25"),
            ] {
                q.insert(k.to_owned(), v.to_owned());
            }
            let signature = sign::aliyun_rpc_v1(&q, "GET", secret);
            q.insert("Signature".into(), signature);
            self.http.get(format!("{endpoint}/?{}", encode_query(&q)))
        };
        let (_, v, text) = json_answer(req.send().await?)?;
        match v.get("Code").and_then(Value::as_str) {
            Some("OK") => Ok(Sent {
                provider_id: v.get("BizId").and_then(Value::as_str).map(str::to_owned),
                response: text,
                confirmed: false,
            }),
            Some(code) => Err(rejected(
                "Alibaba Cloud SMS",
                code,
                text.clone(),
                code.contains("LIMIT") || code.contains("Throttling"),
            )),
            None => Err(rejected(
                "Alibaba Cloud SMS",
                "no Code in the answer",
                text,
                false,
            )),
        }
    }

    async fn tencent_sms(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let endpoint = conf_or(out.config, "endpoint", "https://sms.tencentcloudapi.com");
        let host = endpoint.split("://").nth(1).unwrap_or(endpoint).to_owned();
        let names: Vec<String> = out
            .config
            .get("params")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec!["number".into(), "status".into()]);
        let params: Vec<String> = names
            .iter()
            .map(|n| match out.vars.get(n) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            })
            .collect();
        let body = json!({
            "PhoneNumberSet": [e164(out.to)],
            "SmsSdkAppId": conf(out.config, "sdk_app_id"),
            "SignName": conf(out.config, "sign_name"),
            "TemplateId": conf(out.config, "template_id"),
            "TemplateParamSet": params,
            "SessionContext": out.idempotency_key,
        })
        .to_string();
        let ts = now_ms() / 1000;
        let (_, auth) = sign::tencent_tc3(
            "sms",
            &host,
            &body,
            ts,
            conf(out.secrets, "secret_id"),
            conf(out.secrets, "secret_key"),
        );
        let res = self
            .http
            .post(format!("{endpoint}/"))
            .header("Authorization", auth)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("X-TC-Action", "SendSms")
            .header("X-TC-Version", "2021-01-11")
            .header("X-TC-Timestamp", ts.to_string())
            .header("X-TC-Region", conf_or(out.config, "region", "ap-guangzhou"))
            .body(body)
            .send()
            .await?;
        let (_, v, text) = json_answer(res)?;
        let r = &v["Response"];
        if let Some(code) = r["Error"]["Code"].as_str() {
            return Err(rejected(
                "Tencent Cloud SMS",
                code,
                text.clone(),
                code.starts_with("RequestLimitExceeded") || code.starts_with("InternalError"),
            ));
        }
        let status = &r["SendStatusSet"][0];
        match status["Code"].as_str() {
            Some("Ok") => Ok(Sent {
                provider_id: status["SerialNo"].as_str().map(str::to_owned),
                response: text,
                confirmed: false,
            }),
            Some(code) => Err(rejected(
                "Tencent Cloud SMS",
                code,
                text.clone(),
                code.contains("LimitExceeded"),
            )),
            None => Err(rejected(
                "Tencent Cloud SMS",
                "no SendStatusSet",
                text,
                false,
            )),
        }
    }

    async fn http_sms(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let body = json!({
            "to": out.to,
            "text": out.text,
            "idempotency_key": out.idempotency_key,
            "callback_url": out.links.receipts,
            "vars": out.vars,
        })
        .to_string();
        let mut req = self
            .http
            .post(conf(out.config, "url"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", out.idempotency_key);
        let secret = conf(out.secrets, "signing_secret");
        if !secret.is_empty() {
            let mut m = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any length");
            hmac::Mac::update(&mut m, body.as_bytes());
            let sig = hex::encode(hmac::Mac::finalize(m).into_bytes());
            req = req.header("X-Yingke-Signature", format!("sha256={sig}"));
        }
        let (_, v, text) = json_answer(req.body(body).send().await?)?;
        let receipts = out
            .config
            .get("receipts")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(Sent {
            provider_id: v.get("id").and_then(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .or_else(|| i.as_i64().map(|n| n.to_string()))
            }),
            response: text,
            confirmed: !receipts,
        })
    }

    async fn robot(&self, url: String, body: Value, what: &str) -> Result<Sent, SendError> {
        let res = self.http.post(url).json(&body).send().await?;
        let (_, v, text) = json_answer(res)?;
        let code = v
            .get("errcode")
            .or_else(|| v.get("code"))
            .or_else(|| v.get("StatusCode"))
            .and_then(Value::as_i64);
        match code {
            Some(0) => Ok(Sent {
                provider_id: None,
                response: text,
                confirmed: true,
            }),
            // Throttled (WeCom 45009, DingTalk 130101, Feishu 11232): try again later.
            Some(c) => Err(rejected(
                what,
                &c.to_string(),
                text,
                matches!(c, 45009 | 130101 | 11232 | -1),
            )),
            None => Err(rejected(what, "no error code in the answer", text, false)),
        }
    }

    async fn wecom_app(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        let base = conf_or(out.config, "base_url", "https://qyapi.weixin.qq.com");
        let corp = conf(out.config, "corp_id");
        let agent = out.config.get("agent_id").cloned().unwrap_or(Value::Null);
        let cache_key = format!("{base}|{corp}|{agent}");
        let cached = self
            .wecom_tokens
            .lock()
            .ok()
            .and_then(|m| m.get(&cache_key).cloned())
            .filter(|(_, exp)| *exp > now_ms());
        let token = match cached {
            Some((t, _)) => t,
            None => {
                let res = self
                    .http
                    .get(format!(
                        "{base}/cgi-bin/gettoken?corpid={}&corpsecret={}",
                        sign::pop_encode(corp),
                        sign::pop_encode(conf(out.secrets, "corp_secret"))
                    ))
                    .send()
                    .await?;
                let (_, v, text) = json_answer(res)?;
                let Some(t) = v
                    .get("access_token")
                    .and_then(Value::as_str)
                    .filter(|_| v["errcode"].as_i64() == Some(0))
                else {
                    return Err(rejected(
                        "WeCom gettoken",
                        &v["errcode"].to_string(),
                        text,
                        false,
                    ));
                };
                let ttl = v.get("expires_in").and_then(Value::as_i64).unwrap_or(7200);
                if let Ok(mut m) = self.wecom_tokens.lock() {
                    m.insert(
                        cache_key.clone(),
                        (t.to_owned(), now_ms() + (ttl - 300).max(60) * 1000),
                    );
                }
                t.to_owned()
            }
        };
        let agent_id = agent
            .as_i64()
            .or_else(|| agent.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        let body = json!({"touser": out.to, "msgtype": "text", "agentid": agent_id,
                          "text": {"content": im_text(out)}});
        let r = self
            .robot(
                format!("{base}/cgi-bin/message/send?access_token={token}"),
                body,
                "WeCom",
            )
            .await;
        if let Err(e) = &r
            && (e.message.ends_with("40014") || e.message.ends_with("42001"))
        {
            // The token expired early: forget it and let the retry fetch a new one.
            if let Ok(mut m) = self.wecom_tokens.lock() {
                m.remove(&cache_key);
            }
            return Err(SendError {
                retryable: true,
                gone: false,
                ..e.clone()
            });
        }
        r
    }
}

/// A signature nonce, unique per attempt (128 random bits).
fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn encode_query(q: &BTreeMap<String, String>) -> String {
    q.iter()
        .map(|(k, v)| format!("{}={}", sign::pop_encode(k), sign::pop_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[async_trait]
impl Notifier for Adapters {
    async fn send(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        match out.kind {
            "smtp" => email::send(out).await,
            "aliyun_sms" => self.aliyun_sms(out).await,
            "tencent_sms" => self.tencent_sms(out).await,
            "http_sms" => self.http_sms(out).await,
            "wecom_robot" => {
                let base = conf_or(out.config, "base_url", "https://qyapi.weixin.qq.com");
                let url = format!(
                    "{base}/cgi-bin/webhook/send?key={}",
                    sign::pop_encode(conf(out.secrets, "key"))
                );
                self.robot(
                    url,
                    json!({"msgtype": "text", "text": {"content": im_text(out)}}),
                    "WeCom robot",
                )
                .await
            }
            "dingtalk_robot" => {
                let base = conf_or(out.config, "base_url", "https://oapi.dingtalk.com");
                let ts = now_ms();
                let sig = sign::dingtalk(conf(out.secrets, "secret"), ts);
                let url = format!(
                    "{base}/robot/send?access_token={}&timestamp={ts}&sign={}",
                    sign::pop_encode(conf(out.secrets, "access_token")),
                    sign::pop_encode(&sig)
                );
                self.robot(
                    url,
                    json!({"msgtype": "text", "text": {"content": im_text(out)}}),
                    "DingTalk robot",
                )
                .await
            }
            "feishu_bot" => {
                let base = conf_or(out.config, "base_url", "https://open.feishu.cn");
                let ts = now_ms() / 1000;
                let url = format!(
                    "{base}/open-apis/bot/v2/hook/{}",
                    sign::pop_encode(conf(out.secrets, "hook_id"))
                );
                let body = json!({"timestamp": ts.to_string(), "sign": sign::feishu(conf(out.secrets, "secret"), ts),
                                  "msg_type": "text", "content": {"text": im_text(out)}});
                self.robot(url, body, "Feishu bot").await
            }
            "wecom_app" => self.wecom_app(out).await,
            "web_push" => webpush::send(&self.http, out, now_ms() / 1000).await,
            other => Err(SendError::permanent(format!(
                "unknown channel kind {other}"
            ))),
        }
    }

    fn new_push_key(&self) -> Option<Vec<u8>> {
        webpush::VapidKey::generate()
            .map(|k| k.pkcs8().to_vec())
            .map_err(|e| tracing::error!("web push: {e}"))
            .ok()
    }

    fn push_public_key(&self, pkcs8: &[u8]) -> Option<String> {
        webpush::VapidKey::from_pkcs8(pkcs8)
            .map(|k| k.public_key())
            .map_err(|e| tracing::error!("web push: {e}"))
            .ok()
    }
}
