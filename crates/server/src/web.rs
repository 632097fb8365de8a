//! The web UI built by Vite into `web/dist`, embedded in the binary. Any GET that is not the API's
//! gets the file it names or, for the client-side routes, `index.html`.

use axum::{
    Router,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

pub fn router() -> Router {
    widget_router().fallback(serve)
}

async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return yingke_api::ApiError::not_found().into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        // Vite puts content-hashed files under assets/: they never change, cache them for good.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return file_response(file, path, cache);
    }
    match Assets::get("index.html") {
        Some(index) => file_response(index, "index.html", "no-cache"),
        None => (
            StatusCode::NOT_FOUND,
            "The web UI was not built into this binary: run `npm --prefix web ci && npm --prefix web run build`, then rebuild.",
        )
            .into_response(),
    }
}

fn file_response(file: rust_embed::EmbeddedFile, path: &str, cache: &'static str) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut res = file.data.into_owned().into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// The visitor widget built into `web/widget/dist`: `/widget.js` for the one-line embed and
/// `/chat/{channel_key}` for the full-page H5 chat.
#[derive(RustEmbed)]
#[folder = "../../web/widget/dist"]
#[allow_missing = true]
struct WidgetAssets;

pub fn widget_router() -> Router {
    Router::new()
        .route(
            "/widget.js",
            axum::routing::get(|| async { widget_file("widget.js", "no-cache") }),
        )
        .route(
            "/chat/{channel_key}",
            axum::routing::get(|| async { widget_file("h5.html", "no-cache") }),
        )
        .route(
            "/widget/{*path}",
            axum::routing::get(
                |axum::extract::Path(path): axum::extract::Path<String>| async move {
                    widget_file(&path, "public, max-age=3600")
                },
            ),
        )
}

fn widget_file(path: &str, cache: &'static str) -> Response {
    match WidgetAssets::get(path) {
        Some(file) => {
            let mut res = file_response(file, path, cache);
            // The embed runs on other sites' pages.
            res.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            res
        }
        None => yingke_api::ApiError::not_found().into_response(),
    }
}
