import { Page } from "@playwright/test";
import { test, expect, hydrated, visit, checkAccessibility } from "./fixtures";

const DEMO_PASSWORD = "steward-demo-2026";

async function signInAs(page: Page, email: string) {
  await visit(page, "/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
}

async function openOrganization(page: Page, name: string) {
  await page.getByRole("button", { name: /Organization/ }).first().click();
  await page.locator("#switcher-menu").getByRole("link", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("current-organization")).toHaveText(name);
}

async function openProducts(page: Page, mobile: boolean) {
  if (mobile) await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Products" }).click();
  await expect(page.getByRole("heading", { name: "Products", level: 1 })).toBeVisible();
}

test("products: list, filter, search, pages and a product's page", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openProducts(page, mobile);
  const rows = page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(20);
  await checkAccessibility(page, "product list");

  // The next page continues where the first stopped.
  const firstOnPageOne = await rows.first().locator("a").textContent();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(rows.first().locator("a")).not.toHaveText(firstOnPageOne ?? "");
  await page.getByRole("link", { name: "First page" }).click();
  await expect(rows.first().locator("a")).toHaveText(firstOnPageOne ?? "");

  // Filter by kind and search by name.
  await page.getByLabel("Kind").selectOption("domain");
  await page.getByLabel("Search by name").fill("cafe");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/kind=domain/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("cafe-du-lac.ch");

  // Sort by expiry: the soonest first.
  await page.getByLabel("Search by name").fill("");
  await page.getByLabel("Kind").selectOption("");
  await page.getByLabel("Sort by").selectOption("expiry");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=expiry/);
  await expect(rows.first()).toContainText("Expired");

  // A product's page: holder apart from who pays.
  await page.getByLabel("Sort by").selectOption("name");
  await page.getByLabel("Search by name").fill("cafe-du-lac.ch");
  await page.getByRole("button", { name: "Apply" }).click();
  await rows.first().getByRole("link", { name: "cafe-du-lac.ch" }).click();
  await expect(page.getByTestId("product-name")).toHaveText("cafe-du-lac.ch");
  await expect(page.getByTestId("product-holder")).toHaveText("cafe du lac SA");
  await expect(page.getByTestId("product-payer")).toHaveText("Helvetia Web Agency");
  await checkAccessibility(page, "product page");
});

test("a collaborator sees only their products; an empty list says which organization and account", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openProducts(page, mobile);
  const rows = page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(page.getByText("that were made available to you")).toBeVisible();

  // David's personal organization has no products: the page says where and for whom.
  await openOrganization(page, "David Meier");
  await openProducts(page, mobile);
  const empty = page.getByTestId("no-products");
  await expect(empty).toContainText("David Meier");
  await expect(empty).toContainText("david@demo.steward.test");
  await checkAccessibility(page, "empty product list");
});
