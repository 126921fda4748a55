import { chromium } from "@playwright/test";
const base = process.env.BASE_URL;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const [name, viewport] of [["desktop", { width: 1280, height: 800 }], ["mobile", { width: 375, height: 800 }]]) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${base}/login`);
  await page.waitForSelector("body[data-hydrated]", { timeout: 15000 }).catch(() => {});
  await page.getByLabel("Email address").fill("bruno@demo.steward.test");
  await page.getByLabel("Password").fill("steward-demo-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/\d+$/);
  const orgs = await page.evaluate(async () => (await (await fetch("/api/my_organizations", { method: "POST" })).json()));
  const agency = orgs.find((o) => o.name === "Helvetia Web Agency").id;
  await page.goto(`${base}/o/${agency}/reseller`);
  await page.waitForTimeout(2500);
  await page.getByRole("button", { name: /Actions for Lakeside Bakery/ }).click();
  await page.getByRole("checkbox", { name: /Tick Lakeside Bakery/ }).check();
  console.log(name, await page.evaluate(() => { const m = document.querySelector('.row-menu.in-flow .menu:not([hidden])'); const a = m && m.querySelector('a'); return m ? [m.className, getComputedStyle(m).position, a && getComputedStyle(a).whiteSpace, m.getBoundingClientRect().width, [...document.styleSheets].map(s => s.href).join(' ')] : 'no open in-flow menu'; }));
  await page.screenshot({ path: `/tmp/reseller-${name}.png`, fullPage: true });
  await page.goto(`${base}/o/${agency}/settings`);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: `/tmp/settings-${name}.png`, fullPage: true });
  await page.getByLabel("Domain").fill("helvetia-web.example");
  await page.getByRole("button", { name: "Add the domain" }).click();
  await page.waitForTimeout(1500);
  await page.getByTestId("verified-domains").screenshot({ path: `/tmp/domains-${name}.png` });
}
await browser.close();
