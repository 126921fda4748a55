// Lighthouse 12 (mobile preset, default simulated throttling) on one page with Debian's
// Chromium: performance score, LCP, TBT, CLS, FCP and time to interactive, median of N runs.
// Usage: node bench/lighthouse.mjs <label> <url> [cookie]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [label, url, cookie] = process.argv.slice(2);
const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "steward-lighthouse-"));
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const out = join(dir, `run${i}.json`);
    const args = [
      url, "--quiet", "--output=json", `--output-path=${out}`, "--only-categories=performance",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic",
    ];
    if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
    execFileSync("lighthouse", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" } });
    const report = JSON.parse(readFileSync(out, "utf8"));
    const audit = (id) => report.audits[id]?.numericValue ?? NaN;
    results.push({
      score: report.categories.performance.score,
      lcpMs: audit("largest-contentful-paint"),
      tbtMs: audit("total-blocking-time"),
      cls: audit("cumulative-layout-shift"),
      fcpMs: audit("first-contentful-paint"),
      ttiMs: audit("interactive"),
      finalUrl: report.finalDisplayedUrl ?? report.finalUrl,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (key) => {
  const v = results.map((r) => r[key]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
const round = (n, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
console.log(JSON.stringify({
  page: label, runs, score: median("score"), lcpMs: round(median("lcpMs")), tbtMs: round(median("tbtMs")),
  cls: round(median("cls"), 3), fcpMs: round(median("fcpMs")), ttiMs: round(median("ttiMs")), finalUrl: results[0]?.finalUrl,
}));
