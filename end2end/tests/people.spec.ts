import { test, expect, checkAccessibility, receivedMail, signInAs, openOrganization } from "./fixtures";

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

test("modify the role: the person moves between tables and is told by email", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  if (mobile) await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Users" }).click();
  const externals = page.getByTestId("externals");
  await expect(externals).toContainText("Hugo Favre");

  const since = Date.now() - 1000;
  await externals.locator("summary", { hasText: "Modify the role" }).click();
  await page.getByLabel("New role for Hugo Favre").selectOption("collaborator");
  await checkAccessibility(page, "role menu open");
  await externals.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The role is changed" })).toBeVisible();
  const row = page.getByTestId("members").locator("tbody tr", { hasText: "Hugo Favre" });
  await expect(row).toContainText("Collaborator");
  const mail = await receivedMail("hugo@demo.steward.test", "Your role in Lakeside Bakery is now Collaborator", 20_000, since);
  expect(mail).toContain("Before: External");

  // And back, so both viewports start from the demo data.
  await row.locator("summary", { hasText: "Modify the role" }).click();
  await page.getByLabel("New role for Hugo Favre").selectOption("external");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("externals")).toContainText("Hugo Favre");
});
