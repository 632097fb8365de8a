//! What every handler can reach.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use yingke_app::App;
use yingke_realtime::Hub;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub hub: Arc<Hub>,
    pub metrics: PrometheusHandle,
    pub http: HttpSettings,
}

/// HTTP-level settings from the configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client IP from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy_headers: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy_headers: false,
            body_limit: 1024 * 1024,
        }
    }
}
