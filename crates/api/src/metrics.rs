//! The Prometheus recorder (one per process) and the HTTP request metrics.

use std::{sync::OnceLock, time::Duration};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder's handle, installed on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .expect("the bucket list is a non-empty constant")
                // Human reply times span seconds to hours.
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(
                        "yingke_first_response_seconds".into(),
                    ),
                    &[
                        5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 14400.0,
                    ],
                )
                .expect("the bucket list is a non-empty constant")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may exist when embedded in a larger program; ours still renders.
            let _ = ::metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

pub(crate) fn record_request(method: &str, route: &str, status: u16, took: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    ::metrics::counter!("yingke_http_requests_total", &labels).increment(1);
    ::metrics::histogram!("yingke_http_request_duration_seconds", &labels)
        .record(took.as_secs_f64());
}
