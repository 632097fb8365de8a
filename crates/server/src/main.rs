//! The `yingke` binary: reads the configuration, wires the database, the use cases and the HTTP
//! API together with the embedded web UI, and offers the operator's commands. It is the only crate
//! that names concrete adapters.

mod cli;
mod config;
mod telemetry;
mod web;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's allocator: under a burst of conversations a third of the server's
/// CPU went to glibc `malloc`/`free` (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("yingke: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yingke: {e:#}");
            ExitCode::FAILURE
        }
    }
}
