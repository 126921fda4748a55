import { test as base, expect, Browser, Page, TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as OTPAuth from "otpauth";
import { execFileSync } from "node:child_process";

// Requests a test makes fail on purpose (a 404 page, a refused sign-in): the browser logs their
// 4xx status as a console error, which is expected there and nowhere else.
const refusedOnPurpose = new WeakMap<Page, Set<string>>();
export function expectRefusal(page: Page, path: string) {
  const paths = refusedOnPurpose.get(page) ?? new Set<string>();
  paths.add(path);
  refusedOnPurpose.set(page, paths);
}

// Every test fails on any uncaught page error or console error.
export const test = base.extend<{ failOnErrors: void }>({
  failOnErrors: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        const url = message.location().url ?? "";
        const path = url ? new URL(url).pathname : "";
        const deliberate = /status of 4\d\d/.test(message.text()) && refusedOnPurpose.get(page)?.has(path);
        if (!deliberate) problems.push(`console error: ${message.text()} (${url})`);
      });
      await use();
      expect(problems, "the page reported errors").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Waits until the WASM has hydrated the page: only then do clicks reach Rust handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
}

export async function visit(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function checkAccessibility(page: Page, label: string) {
  // A lazily loaded page sets its <title> once its piece has loaded, and the page it replaces
  // takes its own title away as it goes: wait until a title has stayed put for a moment.
  await page.waitForFunction(() => {
    const w = window as unknown as { __titleSeen?: { title: string; since: number } };
    const title = document.querySelector("title") ? document.title : "";
    const now = performance.now();
    if (!title || w.__titleSeen?.title !== title) {
      w.__titleSeen = { title, since: now };
      return false;
    }
    return now - w.__titleSeen.since >= 300;
  }, undefined, { polling: 50 });
  // The duplicate-id rules are off by default in axe 4.x and rated minor; a repeated id makes
  // aria-describedby point at another form's message, so here they count like any failure.
  const duplicateIds = ["duplicate-id", "duplicate-id-active", "duplicate-id-aria"];
  const rules = Object.fromEntries(duplicateIds.map((id) => [id, { enabled: true }]));
  const results = await new AxeBuilder({ page }).options({ rules }).analyze();
  const bad = results.violations.filter(
    (v) => v.impact === "serious" || v.impact === "critical" || duplicateIds.includes(v.id),
  );
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `accessibility of ${label}`).toEqual([]);
  await expectNoSidewaysScroll(page, label);
}

/** Nothing on the page is wider than the viewport (on a phone, nothing scrolls sideways). */
export async function expectNoSidewaysScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && getComputedStyle(e).position !== "fixed";
      })
      .filter((e) => !e.closest(".visually-hidden, [hidden], .side-menu"))
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""} (right edge ${Math.round(e.getBoundingClientRect().right)})`);
    return { scroll: document.documentElement.scrollWidth, width, wide };
  });
  expect(overflow.scroll, `${label} is wider than the viewport: ${overflow.wide.join(", ")}`).toBeLessThanOrEqual(overflow.width);
}

export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = "a long and unusual phrase";

/**
 * Makes every session of `email` count as confirmed long ago, as if the person had signed in
 * an hour before ("confirm it's you" asks again after 10 minutes). Straight in the test
 * server's SQLite file (`scripts/test` names it), never through anything the server offers.
 */
export function ageConfirmation(email: string) {
  const database = process.env.STEWARD_TEST_DATABASE;
  if (!database) throw new Error("STEWARD_TEST_DATABASE is not set (scripts/test sets it)");
  execFileSync("python3", [
    "-c",
    "import sqlite3, sys\n" +
      "db = sqlite3.connect(sys.argv[1], timeout=10)\n" +
      "db.execute('UPDATE sessions SET confirmed_at = confirmed_at - 3600 WHERE user_id = (SELECT id FROM users WHERE email = ?)', (sys.argv[2],))\n" +
      "db.commit()",
    database,
    email,
  ]);
}

/**
 * Runs one of the operator's commands (`server record-transfer …`, `server create-promo-code …`)
 * on the test server's database, as an operator would on theirs; returns what it printed.
 */
export function operator(...args: string[]): string {
  const binary = process.env.STEWARD_SERVER_BINARY;
  const database = process.env.STEWARD_TEST_DATABASE;
  if (!binary || !database) throw new Error("STEWARD_SERVER_BINARY / STEWARD_TEST_DATABASE are not set (scripts/test sets them)");
  return execFileSync(binary, args, {
    // Playwright runs in end2end/; the commands read Leptos.toml at the top of the repository.
    cwd: `${process.cwd()}/..`,
    env: { ...process.env, DATABASE_URL: `sqlite://${database}`, STEWARD_DEMO_DATA: "0", RUST_LOG: "warn" },
  }).toString();
}

/**
 * Waits for a message to `to` whose subject contains `subject` at the test SMTP server
 * (aiosmtpd, started by scripts/test, which stores every message in TEST_SMTP_MAILDIR), and
 * returns its text body. With `since` (epoch ms), only messages received from then on count.
 */
export async function receivedMail(to: string, subject: string, timeoutMs = 20_000, since = 0): Promise<string> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const maildir = process.env.TEST_SMTP_MAILDIR;
  if (!maildir) throw new Error("TEST_SMTP_MAILDIR is not set: run the browser tests through scripts/test");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const sub of ["new", "cur"]) {
      const dir = path.join(maildir, sub);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        if (since && fs.statSync(path.join(dir, name)).mtimeMs < since) continue;
        const text = fs.readFileSync(path.join(dir, name), "utf8");
        const [head, ...rest] = text.split(/\r?\n\r?\n/);
        const headers = head.split(/\r?\n/);
        const toLine = headers.find((l) => l.toLowerCase().startsWith("to:")) ?? "";
        const subjectLine = headers.find((l) => l.toLowerCase().startsWith("subject:")) ?? "";
        if (toLine.includes(to) && subjectLine.includes(subject)) return rest.join("\n\n");
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no message "${subject}" to ${to} arrived within ${timeoutMs} ms`);
}

/** The path and query of the first link to `path` in a message body (its last parameter is the token). */
export function linkIn(body: string, path: string): string {
  const match = body.match(new RegExp(`https?://[^/\\s]+(${path.replace(/[?]/g, "\\?")}\\?(?:[a-z_]+=[0-9A-Za-z_-]+&)*token=[A-Za-z0-9_-]+)`));
  if (!match) throw new Error(`no ${path} link in:\n${body}`);
  return match[1];
}

/** Every demo person signs in with this password (see app/src/demo.rs). */
export const DEMO_PASSWORD = "steward-demo-2026";

/** Signs in as one of the demo people and waits for their first organization. */
export async function signInAs(page: Page, email: string, password = DEMO_PASSWORD) {
  await visit(page, "/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
}

/** Switches to the organization `name` with the switcher at the top left. */
export async function openOrganization(page: Page, name: string) {
  await page.getByRole("button", { name: /Organization/ }).first().click();
  // Among my own organizations (a partner's people also have a Customers list there).
  await page.locator('#switcher-menu [aria-labelledby="switcher-heading"]').getByRole("link", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("current-organization")).toHaveText(name);
}

/** Follows a link of the side menu (on a phone, the menu is a drawer to open first). */
export async function openFromMenu(page: Page, testInfo: TestInfo, link: string) {
  if (testInfo.project.name === "mobile") await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: link }).click();
  await expect(page.getByRole("heading", { name: link, level: 1 })).toBeVisible();
}

/** A second browser (its own cookies), at the same size as the project's. */
export async function secondBrowser(browser: Browser, testInfo: TestInfo) {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: testInfo.project.use.viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** What an authenticator app shows `offsetSeconds` from now for this secret. */
export function codeFor(secret: string, offsetSeconds = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
  return totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

/** Turns on an authenticator app on the security page of `organizationId`, as a person would. */
export async function turnOnAuthenticator(page: Page, organizationId: string) {
  await page.goto(`/o/${organizationId}/security`);
  await hydrated(page);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
  await page.getByLabel("Code from the app").fill(codeFor(secret));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByTestId("two-factor-status")).toContainText("On");
}

/** Invites `email` as a collaborator and has them accept in a second browser with a new account. */
export async function inviteAndJoin(page: Page, browser: Browser, testInfo: TestInfo, organizationId: string, email: string, first: string, last: string) {
  await page.goto(`/o/${organizationId}/users/invite`);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByTestId("invitation-sent")).toBeVisible();
  const link = linkIn(await receivedMail(email, "invites you to", 20_000, since), "/invitation");
  const other = await secondBrowser(browser, testInfo);
  await other.page.goto(link);
  await hydrated(other.page);
  await other.page.getByLabel("First name").fill(first);
  await other.page.getByLabel("Last name").fill(last);
  await other.page.getByLabel("Password").fill(PASSWORD);
  await other.page.getByRole("button", { name: "Create my account and join" }).click();
  await expect(other.page).toHaveURL(new RegExp(`/o/${organizationId}$`));
  await hydrated(other.page);
  return other;
}

/**
 * After "Create my account": reads the 6-digit code the address received (from the test SMTP
 * server), types it, and waits for the new account's organization.
 */
export async function confirmSignUp(page: Page, email: string) {
  await expect(page.getByTestId("sign-up-started")).toContainText(email);
  const body = await receivedMail(email, "Confirm your email address");
  const code = body.match(/^\s+(\d{6})\s*$/m)?.[1];
  if (!code) throw new Error(`no code in:\n${body}`);
  // Typed key by key into what must be an empty field, as a person types it.
  const field = page.getByLabel("Code from the email");
  await expect(field).toHaveValue("");
  await field.pressSequentially(code);
  await page.getByRole("button", { name: "Confirm and create my account" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
}

/** Signs up as a new person through the sign-up page and confirms the address. */
export async function signUp(page: Page, email: string, first: string, last: string) {
  await visit(page, "/signup");
  await page.getByLabel("First name").fill(first);
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await confirmSignUp(page, email);
}
