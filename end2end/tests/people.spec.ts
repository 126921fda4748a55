import { Page } from "@playwright/test";
import { test, expect, hydrated, visit, checkAccessibility } from "./fixtures";

async function signInAs(page: Page, email: string) {
  await visit(page, "/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill("steward-demo-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
}

async function openOrganization(page: Page, name: string) {
  await page.getByRole("button", { name: /Organization/ }).first().click();
  await page.locator("#switcher-menu").getByRole("link", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("current-organization")).toHaveText(name);
}

test("users page: members with role and two-factor status, externals apart, search", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  if (mobile) await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  const members = page.getByTestId("members").locator("tbody tr");
  await expect(members).toHaveCount(4);
  await expect(page.getByTestId("members")).toContainText("Legal representative");
  await expect(page.getByTestId("externals").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("externals")).toContainText("Emma Rossi");
  await checkAccessibility(page, "users page");

  await page.getByLabel("Search by name or email").fill("chloe");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/search=chloe/);
  await expect(members).toHaveCount(1);
  await expect(members.first()).toContainText("Chloé Dubois");
  await expect(page.getByRole("heading", { name: "External users (0)" })).toBeVisible();
});

test("an external person gets no users link", async ({ page }) => {
  await signInAs(page, "emma@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  // (Counted in the DOM: on a phone the menu is a closed drawer.)
  await expect(page.locator("#side-menu a", { hasText: "Products" })).toHaveCount(1);
  await expect(page.locator("#side-menu a", { hasText: "Users" })).toHaveCount(0);
});
