import { test, expect, expectRefusal, hydrated, visit, checkAccessibility, receivedMail, uniqueEmail, turnOnAuthenticator, inviteAndJoin, PASSWORD, confirmSignUp } from "./fixtures";

test("organization settings: rename, forbid SMS reset, and require two-factor authentication", async ({ page, browser }, testInfo) => {
  const owner = uniqueEmail("owner");
  await visit(page, "/signup");
  await page.getByLabel("First name").fill("Olga");
  await page.getByLabel("Last name").fill("Owner");
  await page.getByLabel("Email address").fill(owner);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await confirmSignUp(page, owner);
  await expect(page).toHaveURL(/\/o\/\d+$/);
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await turnOnAuthenticator(page, organizationId);
  const member = uniqueEmail("member");
  const other = await inviteAndJoin(page, browser, testInfo, organizationId, member, "Max", "Member");

  await page.goto(`/o/${organizationId}/settings`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Organization settings", level: 1 })).toBeVisible();
  await checkAccessibility(page, "organization settings");

  await page.getByLabel("Name of the organization").fill("Owner & Partners");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByTestId("current-organization")).toHaveText("Owner & Partners");
  await hydrated(page);

  // This installation sends no text messages: the page does not offer to forbid what does not
  // exist (the switch itself is tested against the server with a simulated SMS provider).
  await expect(page.getByTestId("sms-reset")).toContainText("Not offered");
  await expect(page.getByRole("button", { name: "Forbid password reset by SMS" })).toHaveCount(0);

  // Before switching it on: who has no two-factor authentication.
  await page.getByText("Require two-factor authentication for all users…").click();
  await expect(page.getByTestId("two-factor-preview")).toContainText("1 member has no two-factor authentication yet: Max Member");
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Require two-factor authentication" }).click();
  await expect(page.getByTestId("two-factor-requirement")).toContainText("Required");
  await receivedMail(member, "Owner & Partners now requires two-factor authentication", 20_000, since);

  // Max's next step anywhere in the organization lands on the two-factor set-up.
  await other.page.goto(`/o/${organizationId}/products`);
  await expect(other.page).toHaveURL(new RegExp(`/o/${organizationId}/security$`));
  await hydrated(other.page);
  await expect(other.page.getByTestId("two-factor-required")).toContainText("Owner & Partners requires two-factor authentication");
  await checkAccessibility(other.page, "security page, two-factor required");
  await turnOnAuthenticator(other.page, organizationId);
  // Now it cannot be turned off, and the reason is given.
  await expect(other.page.getByRole("button", { name: "Turn off two-factor authentication" })).toBeDisabled();
  await expect(other.page.locator("#disable-reason")).toContainText("cannot be turned off while you are a member");
  await other.page.goto(`/o/${organizationId}/products`);
  await hydrated(other.page);
  await expect(other.page).toHaveURL(new RegExp(`/o/${organizationId}/products$`));
  await expect(other.page.getByRole("heading", { name: "Products", level: 1 })).toBeVisible();
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test("verified domains: a domain is added with the exact record to create, checked, and removed", async ({ page }) => {
  expectRefusal(page, "/api/add_verified_domain");
  const owner = uniqueEmail("domains");
  await visit(page, "/signup");
  await page.getByLabel("First name").fill("Dora");
  await page.getByLabel("Last name").fill("Domain");
  await page.getByLabel("Email address").fill(owner);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await confirmSignUp(page, owner);
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await page.goto(`/o/${organizationId}/settings`);
  await hydrated(page);
  const panel = page.getByTestId("verified-domains");
  await expect(panel.getByTestId("no-domains")).toBeVisible();

  // A public mail domain is refused next to the field, with the reason.
  await panel.getByLabel("Domain").fill("gmail.com");
  await panel.getByRole("button", { name: "Add the domain" }).click();
  await expect(panel.locator("#add-domain-error")).toContainText("public mail service");

  // The organization's own: the record to create is shown exactly.
  const domain = `dora-${Date.now().toString(36)}.example`;
  await panel.getByLabel("Domain").fill(domain.toUpperCase());
  await panel.getByRole("button", { name: "Add the domain" }).click();
  const row = panel.getByTestId("domain-row");
  await expect(row).toContainText(domain);
  await expect(row).toContainText("Waiting for its DNS record");
  const record = row.getByTestId("domain-record");
  await expect(record).toContainText(`_steward-challenge.${domain}`);
  await expect(record).toContainText(/steward-verification=[A-Za-z0-9]{20,}/);
  await checkAccessibility(page, "settings with a domain to verify");

  // No record published (this machine's DNS knows nothing of it): said, nothing changes.
  await row.getByRole("button", { name: `Check the record of ${domain}` }).click();
  await expect(panel.getByTestId("domain-check")).toContainText(`${domain} is not verified yet`, { timeout: 30_000 });
  await expect(row).toContainText("Waiting for its DNS record");

  await row.getByRole("button", { name: `Remove ${domain}` }).click();
  await expect(panel.getByTestId("no-domains")).toBeVisible();
});
