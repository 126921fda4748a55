import { Page } from "@playwright/test";
import { test, expect, hydrated, visit, checkAccessibility, expectRefusal, uniqueEmail, receivedMail, linkIn, PASSWORD, secondBrowser, signUp } from "./fixtures";


async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function openSecurity(page: Page) {
  await page.goto(page.url().replace(/(\/o\/\d+).*$/, "$1/security"));
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
}


test("see and end another session; a sign-in alert's link ends the intruder's session", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("sessions");
  await signUp(page, email, "Sean", "Sessions");
  await openSecurity(page);
  await expect(page.getByTestId("sessions").getByRole("listitem")).toHaveCount(1);
  await expect(page.getByTestId("sessions")).toContainText("This device");

  // Ask for an email at every sign-in.
  await page.getByLabel("when someone signs in to my account").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await checkAccessibility(page, "security page with sessions and alerts");

  // Another browser signs in.
  const other = await secondBrowser(browser, testInfo);
  await other.page.goto("/login");
  await hydrated(other.page);
  await signIn(other.page, email);
  await expect(other.page).toHaveURL(/\/o\/\d+$/);

  await page.reload();
  await hydrated(page);
  const sessions = page.getByTestId("sessions").getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  const otherSession = sessions.filter({ hasNotText: "This device" });
  await expect(otherSession).toHaveCount(1);
  await expect(page.getByTestId("connections")).toContainText("Success");

  // The alert arrived by SMTP, with time, IP, device and a "this wasn't me" link.
  const alert = await receivedMail(email, "New sign-in to your Steward account");
  expect(alert).toContain("IP address: 127.0.0.1");
  expect(alert).toMatch(/Device: Chrome on \w+/);
  const notMe = linkIn(alert, "/not-me");

  // End the other session from here: the other browser is signed out.
  await otherSession.getByRole("button", { name: /End session/ }).click();
  await expect(sessions).toHaveCount(1);
  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login$/);

  // The other browser signs in again; this time the alert's link ends it.
  await hydrated(other.page);
  await signIn(other.page, email);
  await expect(other.page).toHaveURL(/\/o\/\d+$/);
  const second = await receivedMail(email, "New sign-in to your Steward account").then(async () => {
    // Two alerts now; take the newest link by waiting until it differs from the first.
    for (let i = 0; i < 80; i++) {
      const { readdirSync, readFileSync } = await import("node:fs");
      const dir = `${process.env.TEST_SMTP_MAILDIR}/new`;
      const bodies = readdirSync(dir).map((n) => readFileSync(`${dir}/${n}`, "utf8")).filter((t) => t.includes(email) && t.includes("New sign-in"));
      const links = bodies.map((b) => linkIn(b, "/not-me")).filter((l) => l !== notMe);
      if (links.length > 0) return links[0];
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("the second alert did not arrive");
  });
  await visit(page, second);
  await checkAccessibility(page, "this wasn't me");
  await page.getByRole("button", { name: "End that session and secure my account" }).click();
  await expect(page.getByTestId("not-me-done")).toContainText("We have ended that session");
  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login$/);
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test("lockout after the chosen number of failures, unlocked through the emailed link", async ({ page }) => {
  const email = uniqueEmail("lockout");
  await signUp(page, email, "Lena", "Locked");
  await openSecurity(page);
  await page.getByLabel("Lock my account after this many failed attempts in a row").fill("3");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // Out of range: explained next to the field.
  expectRefusal(page, "/api/save_safety_settings");
  await page.getByLabel("Lock my account after this many failed attempts in a row").fill("2");
  await page.getByLabel("Lock my account after this many failed attempts in a row").evaluate((el: HTMLInputElement) => el.removeAttribute("min"));
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#lockout_threshold-error")).toHaveText("Choose a number from 3 to 20.");

  await page.getByRole("button", { name: /Account menu of Lena Locked/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);

  expectRefusal(page, "/api/sign_in");
  for (let i = 0; i < 3; i++) {
    await signIn(page, email, "not my password");
    await expect(page.getByRole("alert").filter({ hasText: "The email address or the password is incorrect." })).toBeVisible();
  }
  await signIn(page, email);
  await expect(page.getByRole("alert").filter({ hasText: "This account is locked" })).toBeVisible();
  await checkAccessibility(page, "sign-in page, account locked");

  const mail = await receivedMail(email, "Your Steward account has been locked");
  const unlock = linkIn(mail, "/unlock");
  await visit(page, unlock);
  await checkAccessibility(page, "unlock page");
  await page.getByRole("button", { name: "Unlock my account" }).click();
  await expect(page.getByTestId("unlocked")).toBeVisible();

  // The link works once.
  expectRefusal(page, "/api/unlock_with_link");
  await visit(page, unlock);
  await page.getByRole("button", { name: "Unlock my account" }).click();
  await expect(page.getByRole("alert")).toContainText("expired or has already been used");

  await visit(page, "/login");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/o\/\d+$/);
});
