// What reaches the browser, measured on the wire in Debian's Chromium (scripts/bench runs this
// against the release server with demo data; never part of the tests).
//
// For every page in the router (signed out, then the agency's pages as Alice), with a cold cache
// and then a warm one: requests that went to the network, bytes transferred (compressed bodies
// plus headers, as Chromium counts them), and the time until the page is hydrated
// (interactive). Prints one JSON object per line, then checks the budgets: the sign-in page
// ≤ 160 KB cold, the first signed-in pages (overview, products) ≤ 300 KB, every other page of
// the organization ≤ 350 KB, and no WASM or JS fetched again on a warm visit. Over budget: the
// offending lines are printed and the script exits with 3 (scripts/bench then fails at its end).
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const email = process.env.BENCH_EMAIL ?? "alice@demo.steward.test";
const password = process.env.BENCH_PASSWORD ?? "steward-demo-2026";
const organization = process.env.BENCH_ORGANIZATION ?? "Helvetia Web Agency";
const runs = Number(process.env.BENCH_RUNS ?? 3);
const KB = 1000;
const BUDGET = { signIn: 160 * KB, firstSignedIn: 300 * KB, organization: 350 * KB };

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
  const code = network.filter((r) => /\/pkg\/.*\.(wasm|js)(\?|$)/.test(r.url) && r.status === 200).map((r) => r.url.split("/pkg/")[1]);
  const bytes = network.reduce((n, r) => n + r.bytes, 0);
  const uncompressed = network.filter((r) => r.bytes > 1024 && !r.encoding && !/\.(png|jpe?g|webp|ico)(\?|$)/.test(r.url)).map((r) => r.url);
  await page.close();
  return { requests: network.length, bytes, hydratedMs: hydratedAt === null ? null : Math.round(hydratedAt), uncompressed, code };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results = [];
async function measure(label, url, storageState, budget) {
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
  const line = { page: label, path: new URL(url).pathname, cold: summary(cold), warm: summary(warm), budgetKB: budget / KB };
  const uncompressed = [...new Set(cold.flatMap((r) => r.uncompressed))];
  if (uncompressed.length) line.uncompressed = uncompressed;
  const refetched = [...new Set(warm.flatMap((r) => r.code))];
  if (refetched.length) line.warmCodeFetched = refetched;
  results.push({ line, coldBytes: median(cold.map((r) => r.bytes)), budget, refetched });
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

const signedOut = ["/login", "/signup", "/order", "/signup/confirm", "/login/two-factor", "/unlock",
  "/forgot-password", "/reset-password", "/not-me", "/confirm-email", "/invitation", "/mail-setup"];
for (const path of signedOut) {
  await measure(path === "/login" ? "sign-in" : path.slice(1), `${base}${path}`, undefined,
    path === "/login" ? BUDGET.signIn : BUDGET.organization);
}

// Pages of the agency, as Alice; ids of a product, a mail address and a member found by link.
const o = `/o/${agency}`;
const finder = await browser.newContext({ storageState });
const find = async (path, selector) => {
  const p = await finder.newPage();
  await p.goto(`${base}${path}`);
  await p.waitForSelector("body[data-hydrated=true]");
  const href = await p.locator(selector).first().getAttribute("href").catch(() => null);
  await p.close();
  return href;
};
const product = await find(`${o}/products`, `a[href^="${o}/products/"]`);
const mailService = await find(`${o}/products?search=Mail%20cafe`, `a[href^="${o}/products/"]`);
const address = mailService && await find(mailService, `a[href*="/addresses/"]`);
const removal = await find(`${o}/users`, `a[href$="/remove"]`);
await finder.close();
const organizationPages = [["overview", o, BUDGET.firstSignedIn], ["products", `${o}/products`, BUDGET.firstSignedIn]];
for (const path of ["domains/released", "domains/transfer", "mail", "tags", "users", "users/invite", "activity",
  "settings", "billing/prepaid", "billing/addresses", "billing/notifications", "billing/shop", "billing/invoices",
  "organizations", "profile", "security", "security/compromised"]) {
  organizationPages.push([path, `${o}/${path}`, BUDGET.organization]);
}
for (const [label, href] of [["a product", product], ["a mail address", address], ["removing a member", removal]]) {
  if (href) organizationPages.push([label, href, BUDGET.organization]);
  else console.log(JSON.stringify({ page: label, missing: "no link found to it in the demo data" }));
}
for (const [label, path, budget] of organizationPages) {
  await measure(label, `${base}${path}`, storageState, budget);
}
console.log(JSON.stringify({ productsUrl: `${base}${o}/products`, cookie: storageState.cookies.map((c) => `${c.name}=${c.value}`).join("; ") }));
await browser.close();

const over = results.filter((r) => r.coldBytes > r.budget || r.refetched.length);
for (const { line, coldBytes, budget, refetched } of over) {
  console.log(`OVER BUDGET: ${line.page} (${line.path}): ${(coldBytes / KB).toFixed(1)} KB cold, budget ${budget / KB} KB${refetched.length ? `; fetched again when warm: ${refetched.join(", ")}` : ""}`);
}
console.log(`pages: ${results.length} measured, ${over.length} over budget`);
if (over.length) process.exit(3);
