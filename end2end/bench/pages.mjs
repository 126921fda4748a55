// What reaches the browser, measured on the wire in Debian's Chromium (scripts/bench runs this
// against the release server with demo data; never part of the tests).
//
// For the sign-in page and the agency's products page (the first page a signed-in person opens),
// with a cold cache and then a warm one: requests that went to the network, bytes transferred
// (compressed bodies plus headers, as Chromium counts them), and the time until the page is
// hydrated (interactive). Prints one JSON object per line.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const email = process.env.BENCH_EMAIL ?? "alice@demo.steward.test";
const password = process.env.BENCH_PASSWORD ?? "steward-demo-2026";
const organization = process.env.BENCH_ORGANIZATION ?? "Helvetia Web Agency";
const runs = Number(process.env.BENCH_RUNS ?? 5);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic"],
});

// Records when the page became interactive (frontend sets data-hydrated on <body>).
const hydrationProbe = () => {
  const mark = () => {
    if (document.body?.dataset.hydrated === "true" && !window.__hydratedAt) window.__hydratedAt = performance.now();
  };
  new MutationObserver(mark).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
};

async function load(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const requests = new Map();
  cdp.on("Network.requestWillBeSent", (e) => requests.set(e.requestId, { url: e.request.url, bytes: 0, cached: false }));
  cdp.on("Network.requestServedFromCache", (e) => { const r = requests.get(e.requestId); if (r) r.cached = true; });
  cdp.on("Network.responseReceived", (e) => {
    const r = requests.get(e.requestId);
    if (r) { r.status = e.response.status; r.fromDisk = e.response.fromDiskCache || e.response.fromMemoryCache; r.encoding = e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"]; }
  });
  cdp.on("Network.loadingFinished", (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  await page.addInitScript(hydrationProbe);
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const hydratedAt = await page.evaluate(() => window.__hydratedAt ?? null);
  const all = [...requests.values()];
  const network = all.filter((r) => !r.cached && !r.fromDisk);
  const bytes = network.reduce((n, r) => n + r.bytes, 0);
  const uncompressed = network.filter((r) => r.bytes > 1024 && !r.encoding && !/\.(png|jpe?g|webp|ico)(\?|$)/.test(r.url)).map((r) => r.url);
  await page.close();
  return { requests: network.length, bytes, hydratedMs: hydratedAt === null ? null : Math.round(hydratedAt), uncompressed };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(label, url, storageState) {
  const cold = [], warm = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ storageState, viewport: { width: 375, height: 740 } });
    cold.push(await load(context, url));
    warm.push(await load(context, url));
    await context.close();
  }
  const summary = (list) => ({
    requests: median(list.map((r) => r.requests)),
    kilobytes: Math.round(median(list.map((r) => r.bytes)) / 100) / 10,
    hydratedMs: median(list.map((r) => r.hydratedMs ?? Infinity)),
  });
  const line = { page: label, cold: summary(cold), warm: summary(warm) };
  const uncompressed = [...new Set(cold.flatMap((r) => r.uncompressed))];
  if (uncompressed.length) line.uncompressed = uncompressed;
  console.log(JSON.stringify(line));
}

// Sign in once, in the browser, and keep the session for the signed-in page.
const signIn = await browser.newContext();
const page = await signIn.newPage();
await page.goto(`${base}/login`);
await page.waitForSelector("body[data-hydrated=true]");
await page.getByLabel("Email address").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(/\/o\/\d+/);
await page.waitForSelector("body[data-hydrated=true]");
await page.getByRole("button", { name: /Organization/ }).first().click();
await page.locator("#switcher-menu").getByRole("link", { name: new RegExp(organization) }).click();
await page.waitForURL(/\/o\/\d+/);
const agency = new URL(page.url()).pathname.match(/\/o\/(\d+)/)[1];
const storageState = await signIn.storageState();
await signIn.close();

await measure("sign-in", `${base}/login`, undefined);
await measure("products", `${base}/o/${agency}/products`, storageState);
console.log(JSON.stringify({ productsUrl: `${base}/o/${agency}/products`, cookie: storageState.cookies.map((c) => `${c.name}=${c.value}`).join("; ") }));
await browser.close();
