import { test, expect, hydrated, checkAccessibility, receivedMail, operator, signUp, uniqueEmail, secondBrowser, linkIn, openFromMenu } from "./fixtures";
import type { Page, TestInfo } from "@playwright/test";

/** The organization's settings, from the side menu. */
async function openSettings(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name === "mobile") await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Organization settings", level: 1 })).toBeVisible();
  await hydrated(page);
}

test("a partner applies, is approved, asks a customer for access and sees what the customer granted instead", async ({ page, browser }, testInfo) => {
  // The agency applies from its settings.
  const agencyEmail = uniqueEmail("agency");
  await signUp(page, agencyEmail, "Hella", "Agency");
  const agency = await page.evaluate(() => location.pathname.split("/")[2]);
  await openSettings(page, testInfo);
  const program = page.getByTestId("partner-program");
  await program.getByLabel("Trade-register number").fill("CHE-123.456.789");
  await program.getByLabel("Website").fill("helvetia-web.example");
  await program.getByRole("button", { name: "Apply to the partner program" }).click();
  await expect(program.getByTestId("partner-state")).toContainText("Application under review");
  await checkAccessibility(page, "settings with a partner application");

  // The operator approves it with its rates; the Reseller area appears in the menu.
  expect(operator("approve-partner", "--organization", agency, "--rates", "web_hosting=20")).toContain("approved as a partner");
  await page.reload();
  await hydrated(page);
  await openFromMenu(page, testInfo, "Reseller area");
  await hydrated(page);
  await expect(page.getByText("Your discount rates: 20 % on web hosting.")).toBeVisible();
  await expect(page.getByTestId("no-customers")).toBeVisible();

  // Add a customer: full access with the partner's payment methods.
  const customerEmail = uniqueEmail("customer");
  await page.getByRole("button", { name: "Add a customer" }).click();
  await page.getByLabel("Email of the customer's legal representative").fill(customerEmail);
  await page.getByLabel("Full access, with the partner's payment methods").check();
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the request" }).click();
  await expect(page.getByText("The request is sent: the customer answers by email within 30 days.")).toBeVisible();
  const rows = page.getByTestId("customer-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`Waiting for ${customerEmail}`);
  await checkAccessibility(page, "the Reseller area with a request waiting");

  // The customer signs up in their own browser, opens the emailed link and grants less: full
  // access, but paid with their own payment methods.
  const other = await secondBrowser(browser, testInfo);
  await signUp(other.page, customerEmail, "Cleo", "Customer");
  const link = linkIn(await receivedMail(customerEmail, "Hella Agency asks to manage your products", 20_000, since), "/partner-request");
  await other.page.goto(link);
  await hydrated(other.page);
  await expect(other.page.getByRole("heading", { name: "Hella Agency asks to manage your products" })).toBeVisible();
  await expect(other.page.getByTestId("request-facts")).toContainText("Full access, with the partner's payment methods");
  await checkAccessibility(other.page, "a partner's request for access");
  await other.page.getByLabel("Full access, with the customer's payment methods").check();
  await other.page.getByRole("button", { name: "Grant this access" }).click();
  await expect(other.page.getByTestId("request-answered")).toContainText("Granted");

  // The partner sees both: what it got, and what it asked.
  await receivedMail(agencyEmail, "Cleo Customer granted you access", 20_000, since);
  await page.reload();
  await hydrated(page);
  await expect(rows.first()).toContainText("Cleo Customer");
  await expect(rows.first()).toContainText("Full access, with the customer's payment methods (asked: Full access, with the partner's payment methods)");
  await checkAccessibility(page, "the Reseller area with a customer");

  // The customer's profile: asked and granted side by side, and the history.
  await rows.first().getByRole("link", { name: "Cleo Customer", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Cleo Customer", level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("customer-access")).toContainText("Full access, with the partner's payment methods");
  await expect(page.getByTestId("customer-access")).toContainText("Full access, with the customer's payment methods");
  await expect(page.getByTestId("customer-history")).toContainText("Cleo Customer granted full access, with the customer's payment methods");
  await checkAccessibility(page, "a customer's profile");
  await page.getByRole("link", { name: "← Reseller area" }).click();
  await expect(page.getByRole("heading", { name: "Reseller area", level: 1 })).toBeVisible();
  await hydrated(page);

  // The partner enters the customer's manager from its table: a banner says whose it is and
  // leads back; the customer's people and settings are not offered.
  await rows.first().getByRole("link", { name: "Open the manager of Cleo Customer" }).click();
  await expect(page.getByTestId("partner-banner")).toContainText("You are managing Cleo Customer for Hella Agency");
  await hydrated(page);
  await expect(page.getByTestId("current-organization")).toHaveText("Cleo Customer");
  await expect(page.locator("#side-menu").getByRole("link", { name: "Users" })).toHaveCount(0);
  await expect(page.locator("#side-menu").getByRole("link", { name: "Settings" })).toHaveCount(0);
  await checkAccessibility(page, "a customer's manager entered as its partner");
  await page.getByTestId("partner-banner").getByRole("link", { name: "back to Hella Agency" }).click();
  await expect(page.getByTestId("current-organization")).toHaveText("Hella Agency");
  await hydrated(page);

  // The customer ends it from their settings; the partner is told.
  await signUpLanding(other.page);
  await openSettings(other.page, testInfo);
  const partners = other.page.getByTestId("partners-with-access");
  await expect(partners).toContainText("Hella Agency");
  await checkAccessibility(other.page, "settings with a partner's access");
  await partners.getByRole("button", { name: "End access of Hella Agency" }).click();
  await expect(partners).toContainText("No partner manages this organization");
  await receivedMail(agencyEmail, "Hella Agency's access to Cleo Customer ended", 20_000, since);
  expect(other.errors).toEqual([]);
  await other.context.close();
});

/** Back to the customer's own organization (the page a signed-in person lands on). */
async function signUpLanding(page: Page) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/o\/\d+/);
  await hydrated(page);
}
