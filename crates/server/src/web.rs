//! The web UI built by Vite into `web/dist`, embedded in the binary. Any GET that is not the API's
//! gets the file it names or, for the client-side routes, `index.html`.
//!
//! `YINGKE_WEB_DIR` (a directory holding `dist/` and `widget/dist/`, i.e. a built `web/` folder)
//! serves those files from disk instead: a customised UI without rebuilding the binary, and one
//! server binary for several checkouts of the web code during development.

use axum::{
    Router,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;
use std::borrow::Cow;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

/// A file of the UI: from `YINGKE_WEB_DIR` when set, otherwise the embedded copy.
fn asset(sub: &str, path: &str) -> Option<Cow<'static, [u8]>> {
    static DIR: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| std::env::var_os("YINGKE_WEB_DIR").map(Into::into));
    let Some(dir) = dir else {
        return if sub == "dist" {
            Assets::get(path).map(|f| f.data)
        } else {
            WidgetAssets::get(path).map(|f| f.data)
        };
    };
    // Only plain relative names: no `..`, no absolute paths, no drive prefixes.
    let rel = std::path::Path::new(path);
    if path.is_empty()
        || !rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    std::fs::read(dir.join(sub).join(rel)).ok().map(Cow::Owned)
}

pub fn router() -> Router {
    widget_router().fallback(serve)
}

async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return yingke_api::ApiError::not_found().into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = asset("dist", path).filter(|_| !path.is_empty()) {
        // Vite puts content-hashed files under assets/: they never change, cache them for good.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return file_response(file, path, cache);
    }
    match asset("dist", "index.html") {
        Some(index) => file_response(index, "index.html", "no-cache"),
        None => (
            StatusCode::NOT_FOUND,
            "The web UI was not built into this binary: run `npm --prefix web ci && npm --prefix web run build`, then rebuild.",
        )
            .into_response(),
    }
}

fn file_response(data: Cow<'static, [u8]>, path: &str, cache: &'static str) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut res = data.into_owned().into_response();
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
    match asset("widget/dist", path) {
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
