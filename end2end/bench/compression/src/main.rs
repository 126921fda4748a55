//! What compressing one server-rendered page costs, per encoder setting: CPU time per page
//! against the bytes sent (run by `scripts/bench` on the agency's products page; the choice in
//! `server::router` comes from these numbers, README "The server"). Release build, one thread.
//! Usage: `cargo run --release --manifest-path end2end/bench/compression/Cargo.toml -- PAGE.html`

use std::io::Write;
use std::time::{Duration, Instant};

fn brotli(page: &[u8], quality: u32, lgwin: u32) -> Vec<u8> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, quality, lgwin);
    writer.write_all(page).expect("in memory");
    writer.into_inner()
}

fn gzip(page: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(page).expect("in memory");
    encoder.finish().expect("in memory")
}

/// The median time of one compression over `rounds`, and the compressed size.
fn measure(page: &[u8], compress: &dyn Fn(&[u8]) -> Vec<u8>) -> (Duration, usize) {
    let rounds = 201;
    let mut times = Vec::with_capacity(rounds);
    let mut size = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        size = compress(page).len();
        times.push(started.elapsed());
    }
    times.sort();
    (times[rounds / 2], size)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: compression_bench PAGE.html");
    let page = std::fs::read(&path).expect("the page");
    println!(
        "  one page of {:.1} KB, median of 201 compressions each:",
        page.len() as f64 / 1000.0
    );
    let mut candidates: Vec<(String, Box<dyn Fn(&[u8]) -> Vec<u8>>)> = Vec::new();
    for quality in [1, 2, 3, 4, 5] {
        for lgwin in [22, 16] {
            let label = if (quality, lgwin) == (4, 22) {
                format!("brotli quality {quality}, window 2^{lgwin} (tower-http's default)")
            } else {
                format!("brotli quality {quality}, window 2^{lgwin}")
            };
            candidates.push((label, Box::new(move |p| brotli(p, quality, lgwin))));
        }
    }
    for level in [1, 4, 6] {
        candidates.push((
            format!("gzip level {level}"),
            Box::new(move |p| gzip(p, level)),
        ));
    }
    for (label, compress) in &candidates {
        let (time, size) = measure(&page, compress.as_ref());
        println!(
            "  {label:52} {:7.0} µs/page ({:6.0} pages/s on one core)   {:6.1} KB",
            time.as_secs_f64() * 1e6,
            1.0 / time.as_secs_f64(),
            size as f64 / 1000.0
        );
    }
}
