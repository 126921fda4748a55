// Lighthouse 12 (mobile preset) on one page with Debian's Chromium: performance score, LCP, TBT,
// CLS, FCP and time to interactive, median of N runs, once with the default simulated throttling
// (the page loads at full speed and Lighthouse estimates a phone from its trace) and once with
// applied throttling (`devtools`: the browser really is slowed to the same network and 4x CPU).
// The estimate counts every request that finished before the real largest paint; on a loopback
// server that includes the preloaded WASM, which on a phone's network arrives seconds after the
// page has painted, so the applied run is the one that shows what a person sees.
// Usage: node bench/lighthouse.mjs <label> <url> [cookie]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [label, url, cookie] = process.argv.slice(2);
const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "steward-lighthouse-"));
try {
  for (const throttling of ["simulate", "devtools"]) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(measure(throttling, join(dir, `${throttling}${i}.json`)));
    report(throttling, results);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function measure(throttling, out) {
  const args = [
    url, "--quiet", `--throttling-method=${throttling}`, "--output=json", `--output-path=${out}`, "--only-categories=performance",
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic",
  ];
  if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  execFileSync("lighthouse", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" } });
  const report = JSON.parse(readFileSync(out, "utf8"));
  const audit = (id) => report.audits[id]?.numericValue ?? NaN;
  return {
    score: report.categories.performance.score,
    lcpMs: audit("largest-contentful-paint"),
    tbtMs: audit("total-blocking-time"),
    cls: audit("cumulative-layout-shift"),
    fcpMs: audit("first-contentful-paint"),
    ttiMs: audit("interactive"),
    finalUrl: report.finalDisplayedUrl ?? report.finalUrl,
    observedLcpMs: report.audits.metrics?.details?.items?.[0]?.observedLargestContentfulPaint ?? NaN,
  };
}

function report(throttling, results) {
  const median = (key) => {
    const v = results.map((r) => r[key]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  const round = (n, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
  console.log(JSON.stringify({
    page: label, throttling, runs, score: median("score"), lcpMs: round(median("lcpMs")), tbtMs: round(median("tbtMs")),
    cls: round(median("cls"), 3), fcpMs: round(median("fcpMs")), ttiMs: round(median("ttiMs")),
    observedLcpMs: round(median("observedLcpMs")), finalUrl: results[0]?.finalUrl,
  }));
}
