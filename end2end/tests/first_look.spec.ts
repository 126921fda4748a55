import { test, expect, hydrated, checkAccessibility, signInAs, openOrganization } from "./fixtures";

test("the first look: back in the organization used last, an overview of what needs attention", async ({ page }) => {
  await signInAs(page, "alice@demo.steward.test");
  // Open another organization: the next sign-in comes back to it.
  await openOrganization(page, "Alpine Trail Club");
  await page.getByRole("button", { name: /Account menu of Alice Martin/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signInAs(page, "alice@demo.steward.test");
  await expect(page.getByTestId("current-organization")).toHaveText("Alpine Trail Club");

  // The agency's overview: each part for an administrator, each with a link to act on it.
  await openOrganization(page, "Helvetia Web Agency");
  const due = page.getByTestId("dashboard-due");
  await expect(due.getByRole("heading", { name: "Expiring and expired products" })).toBeVisible();
  await expect(due.getByRole("listitem").first()).toContainText(/Expire/);
  await expect(page.getByTestId("dashboard-two-factor")).toBeVisible();
  await expect(page.getByTestId("dashboard-invitations")).toBeVisible();
  await expect(page.getByTestId("dashboard-activity").getByRole("listitem").first()).toBeVisible();
  await expect(page.getByTestId("dashboard-my-security")).toContainText("Two-factor authentication");
  await checkAccessibility(page, "organization overview");

  // "All products by expiry date" opens the list in that order, and says so.
  await due.getByRole("link", { name: "All products by expiry date" }).click();
  await expect(page).toHaveURL(/sort=expiry/);
  await expect(page.getByTestId("products").locator("tbody tr").first()).toContainText("Expired");
  await page.reload();
  await hydrated(page);
  const toggle = page.getByRole("button", { name: /^Filters/ });
  if (await toggle.isVisible()) await toggle.click();
  await expect(page.getByLabel("Sort by")).toHaveValue("expiry");
  await checkAccessibility(page, "products by expiry date");
});

test("the users page fits a phone: every column of a member, no sideways scrolling", async ({ page }, testInfo) => {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  const organization = new URL(page.url()).pathname.split("/")[2];
  await page.goto(`/o/${organization}/users`);
  await hydrated(page);
  const row = page.locator("table tbody tr").filter({ hasText: "Chloé Dubois" }).first();
  // The role is on screen at both widths (on a phone, as one of the stacked row's lines).
  // (The role cell itself: "Modify the role" in the name cell lists the roles too, folded away.)
  await expect(row.locator("td[data-label=Role]").getByText("Administrator")).toBeInViewport();
  if (testInfo.project.name === "mobile") {
    await expect(row.locator("td[data-label=Role]")).toBeVisible();
  }
  await checkAccessibility(page, "users page");
});
