import { Page, TestInfo } from "@playwright/test";
import { test, expect, hydrated, checkAccessibility, signInAs, openOrganization } from "./fixtures";

/** Side menu → Activity: the organization's log for those who may read it, else their own. */
async function openActivity(page: Page, testInfo: TestInfo, heading: string) {
  if (testInfo.project.name === "mobile") await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
}

test("activity: my log and the organization's, filtered by action, exported as CSV", async ({ page }, testInfo) => {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openActivity(page, testInfo, "Organization activity");
  await hydrated(page);
  await page.getByRole("link", { name: "My activity" }).click();
  await expect(page.getByRole("heading", { name: "My activity", level: 1 })).toBeVisible();
  await checkAccessibility(page, "my activity");

  await page.getByRole("link", { name: "Organization activity" }).click();
  await expect(page.getByRole("heading", { name: "Organization activity", level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Action").selectOption("organization_created");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/scope=organization.*action=organization_created/);
  const rows = page.getByTestId("activity").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Organization created");
  await checkAccessibility(page, "organization activity, filtered");

  // The export holds the same filtered view.
  const href = await page.getByRole("link", { name: "Export as CSV" }).getAttribute("href");
  expect(href).toContain("action=organization_created");
  const response = await page.request.get(href ?? "");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const lines = (await response.text()).trim().split("\r\n");
  expect(lines[0]).toBe("id,time_utc,action,action_label,organization,actor,product,detail,ip,user_agent");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(",organization_created,Organization created,Helvetia Web Agency,");

  // A date range with nothing in it says so.
  await page.getByLabel("From").fill("2001-01-01");
  await page.getByLabel("To").fill("2001-01-31");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("activity-empty")).toBeVisible();
});

test("a collaborator sees only their own activity", async ({ page }, testInfo) => {
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openActivity(page, testInfo, "My activity");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Organization activity" })).toHaveCount(0);
});
