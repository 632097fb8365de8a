//! Running the `yingke` binary in tests: start it, read its address, stop or kill it.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::json;

pub const BIN: &str = env!("CARGO_BIN_EXE_yingke");

pub fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let d = std::env::temp_dir().join(format!("yingke-bin-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A running `yingke serve`, its address, and what it printed on stdout.
pub struct Served {
    pub child: Child,
    pub addr: String,
    pub stdout: Vec<String>,
    pub stderr: mpsc::Receiver<String>,
}

pub fn serve(envs: &[(&str, &str)]) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("YINGKE_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start yingke");
    let (err_tx, err_rx) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let mut addr = None;
    // Wait for the address line, then collect the lines printed right after it.
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if let Some(rest) = line.strip_prefix("Yingke is listening on ") {
            addr = rest.split_whitespace().next().map(str::to_owned);
        }
        lines.push(line);
        if addr.is_some() {
            while let Ok(more) = rx.recv_timeout(Duration::from_millis(300)) {
                lines.push(more);
            }
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no address printed; stdout: {lines:?}"));
    Served {
        child,
        addr,
        stdout: lines,
        stderr: err_rx,
    }
}

impl Served {
    pub fn terminate(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("wait for yingke");
        std::thread::sleep(Duration::from_millis(100));
        let logs = self.stderr.try_iter().collect();
        (status, logs)
    }
}

pub async fn login(addr: &str, email: &str, password: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{addr}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request")
        .status()
}

/// A server a test dropped without stopping it (it failed, or it was done with it) is killed, so
/// no instance outlives its test.
impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Served {
    /// SIGKILL: no shutdown, no flush beyond what was committed.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs in on one instance: the session cookie and the CSRF token.
pub async fn session(addr: &str, email: &str, password: &str) -> (String, String) {
    let res = reqwest::Client::new()
        .post(format!("{addr}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let body: serde_json::Value = res.json().await.expect("json");
    (
        cookie,
        body["csrf_token"].as_str().expect("csrf").to_owned(),
    )
}

/// A signed-in user calling one instance's API.
pub struct Admin {
    client: reqwest::Client,
    addr: String,
    cookie: String,
    csrf: String,
}

impl Admin {
    pub async fn sign_in(addr: &str, email: &str, password: &str) -> Self {
        let (cookie, csrf) = session(addr, email, password).await;
        Self {
            client: reqwest::Client::new(),
            addr: addr.to_owned(),
            cookie,
            csrf,
        }
    }

    /// Calls the API and answers the JSON body; panics unless the status is a success.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.addr))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let v: serde_json::Value = res.json().await.unwrap_or(serde_json::Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}
