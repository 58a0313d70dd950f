//! Prometheus metrics: request counts and latencies by route, findings by category. Labels
//! are route templates and category names only; a text never reaches a metric.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use postguard_scan::Report;
use postguard_store::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CategoryLabels {
    category: String,
}

/// The service's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    findings: Family<CategoryLabels, Counter>,
    queue: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 1.6 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.000_05, 2.0, 16,
    ))
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("postguard");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let findings = Family::<CategoryLabels, Counter>::default();
        let queue = Gauge::default();
        registry.register(
            "review_queue_length",
            "Drafts waiting for review, counted at each scrape",
            queue.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "findings",
            "Findings reported by the check API, by category",
            findings.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            findings,
            queue,
        }
    }

    /// Records the review queue's length.
    pub fn set_queue_length(&self, length: usize) {
        self.queue.set(i64::try_from(length).unwrap_or(i64::MAX));
    }

    /// Counts a report's findings by category.
    pub fn count_findings(&self, report: &Report) {
        for f in &report.findings {
            self.findings
                .get_or_create(&CategoryLabels {
                    category: f.category.to_string(),
                })
                .inc();
        }
    }

    fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Middleware: counts and times every request by its route template (`/api/v1/check`), so
/// ids in paths never become labels.
pub(crate) async fn track<S: Store>(
    State(state): State<AppState<S>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    // Method, route template and status only: never the path's values, a header or the body.
    tracing::debug!(%method, %route, status, micros = elapsed.as_micros() as u64, "request");
    let metrics = state.metrics();
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status,
        })
        .inc();
    metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(elapsed.as_secs_f64());
    response
}

/// `GET /metrics`, in the Prometheus text format.
pub(crate) async fn render<S: Store>(State(state): State<AppState<S>>) -> Response {
    // The queue as it is now (one count), not as a reviewer last listed it.
    match state.store().review_queue_length().await {
        Ok(length) => state
            .metrics()
            .set_queue_length(usize::try_from(length).unwrap_or(usize::MAX)),
        Err(e) => tracing::warn!(error = %e, "cannot count the review queue for /metrics"),
    }
    match state.metrics().encode() {
        Ok(body) => (
            [(
                CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(_) => crate::AppError::Internal("cannot encode metrics".to_owned()).into_response(),
    }
}
