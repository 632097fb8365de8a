//! A small HTTPS client for the providers: hyper with rustls on ring and the Mozilla roots. Kept
//! inside this crate so its TLS choice does not change how the rest of the workspace builds
//! HTTP clients.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::{Method, Request as HttpRequest, body::Bytes};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use yingke_app::notifier::SendError;

/// How long one provider call may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Longest answer read from a provider.
const MAX_ANSWER: usize = 64 * 1024;

#[derive(Clone)]
pub(crate) struct Http {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Http {
    pub(crate) fn new() -> Self {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Self {
            client: Client::builder(TokioExecutor::new()).build(https),
        }
    }

    pub(crate) fn get(&self, url: impl Into<String>) -> Request {
        self.request(Method::GET, url.into())
    }

    pub(crate) fn post(&self, url: impl Into<String>) -> Request {
        self.request(Method::POST, url.into())
    }

    fn request(&self, method: Method, url: String) -> Request {
        Request {
            http: self.clone(),
            method,
            url,
            headers: vec![(
                "user-agent".into(),
                concat!("yingke/", env!("CARGO_PKG_VERSION")).into(),
            )],
            body: Vec::new(),
        }
    }
}

pub(crate) struct Request {
    http: Http,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A provider's answer.
pub(crate) struct Response {
    pub status: u16,
    pub text: String,
}

/// Timeouts and connection errors are worth retrying.
fn transport(message: String) -> SendError {
    SendError {
        message,
        response: None,
        retryable: true,
        gone: false,
    }
}

impl Request {
    pub(crate) fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) fn json(self, v: &serde_json::Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }

    pub(crate) async fn send(self) -> Result<Response, SendError> {
        let mut b = HttpRequest::builder().method(self.method).uri(&self.url);
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b
            .body(Full::new(Bytes::from(self.body)))
            .map_err(|e| SendError::permanent(format!("invalid request to the provider: {e}")))?;
        let call = async {
            let res = self
                .http
                .client
                .request(req)
                .await
                .map_err(|e| transport(format!("request failed: {e}")))?;
            let status = res.status().as_u16();
            let body = http_body_util::Limited::new(res.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| transport(format!("reading the answer failed: {e}")))?
                .to_bytes();
            Ok(Response {
                status,
                text: String::from_utf8_lossy(&body).into_owned(),
            })
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| transport(format!("no answer within {} s", TIMEOUT.as_secs())))?
    }
}
