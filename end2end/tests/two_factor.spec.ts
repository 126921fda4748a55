import { Page } from "@playwright/test";
import { test, expect, hydrated, visit, checkAccessibility, expectRefusal, uniqueEmail, codeFor, PASSWORD, signUp as signUpAs } from "./fixtures";

const signUp = (page: Page, email: string) => signUpAs(page, email, "Tara", "Factor");

async function signOut(page: Page) {
  await page.getByRole("button", { name: /Account menu of Tara Factor/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
}

async function passwordStep(page: Page, email: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await hydrated(page);
}

test("turn on an authenticator app, then sign in with a code and with a backup code", async ({ page }) => {
  const email = uniqueEmail("totp");
  await signUp(page, email);

  // Security page, from the account menu.
  await page.getByRole("button", { name: /Account menu of Tara Factor/ }).click();
  await page.locator("#account-menu").getByRole("link", { name: "Security" }).click();
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
  await expect(page.getByTestId("two-factor-status")).toContainText("Off");
  await checkAccessibility(page, "security page, two-factor off");

  // Set up: read the key from the page as a person would type it into their app.
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secretElement = page.getByTestId("totp-secret");
  await expect(secretElement).toBeVisible();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  const secret = ((await secretElement.textContent()) ?? "").replace(/\s+/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await checkAccessibility(page, "authenticator setup");

  // A wrong code is explained next to the field.
  expectRefusal(page, "/api/confirm_totp_enrolment");
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.locator("#totp-code-error")).toContainText(/does not match|already been used/);
  await expect(page.getByLabel("Code from the app")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Code from the app").fill(codeFor(secret));
  await page.getByLabel("Name of this device (optional)").fill("Test phone");
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();

  // Ten backup codes, shown once, downloadable.
  const codes = page.getByTestId("backup-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const backupCodes = (await codes.allTextContents()).map((c) => c.trim());
  const download = page.getByRole("link", { name: "Download as .txt" });
  await expect(download).toHaveAttribute("download", "steward-backup-codes.txt");
  expect(decodeURIComponent((await download.getAttribute("href")) ?? "")).toContain(backupCodes[0]);
  await expect(page.getByTestId("two-factor-status")).toContainText("On");
  await expect(page.getByTestId("two-factor-methods")).toContainText("Test phone");
  await expect(page.getByTestId("backup-codes-remaining")).toContainText("10 of 10");
  await checkAccessibility(page, "security page with backup codes");
  await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByTestId("backup-codes")).toHaveCount(0);

  // Sign out; signing in now takes a code. (The setup spent the current 30-second step, so the
  // app's next code is the one to type: it is accepted one step early.)
  await signOut(page);
  await passwordStep(page, email);
  await checkAccessibility(page, "two-step verification");
  await page.getByLabel("Code from your app").fill(codeFor(secret, 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("organization-name")).toHaveText("Tara Factor");

  // And with a backup code instead, typed in capitals.
  await signOut(page);
  await passwordStep(page, email);
  await page.getByRole("button", { name: "Use a backup code instead" }).click();
  await page.getByLabel("Backup code").fill(backupCodes[0].toUpperCase());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);

  // That code is spent: 9 remain, and it cannot be used again.
  await page.goto(page.url() + "/security");
  await hydrated(page);
  await expect(page.getByTestId("backup-codes-remaining")).toContainText("9 of 10");
  await signOut(page);
  await passwordStep(page, email);
  expectRefusal(page, "/api/verify_second_factor");
  await page.getByRole("button", { name: "Use a backup code instead" }).click();
  await page.getByLabel("Backup code").fill(backupCodes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#code-error")).toContainText("not valid or has already been used");
  await checkAccessibility(page, "two-step verification with an error");

  // Cancelling goes back to the password.
  await page.getByRole("button", { name: "Cancel and go back to sign-in" }).click();
  await expect(page).toHaveURL(/\/login$/);
});
