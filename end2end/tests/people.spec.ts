import { test, expect, expectRefusal, hydrated, visit, inviteAndJoin, checkAccessibility, receivedMail, linkIn, uniqueEmail, signInAs, openOrganization, openFromMenu, secondBrowser, PASSWORD, confirmSignUp, signUp } from "./fixtures";

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

test("modify the role: the person moves between tables and is told by email", async ({ page, browser }, testInfo) => {
  // An organization and a member of this test's own: no demo person changes role.
  await signUp(page, uniqueEmail("roles"), "Rhea", "Roles");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  const memberEmail = uniqueEmail("moved");
  const other = await inviteAndJoin(page, browser, testInfo, organizationId, memberEmail, "Milo", "Moved");
  await other.context.close();
  await page.goto(`/o/${organizationId}/users`);
  await hydrated(page);
  const row = page.getByTestId("members").locator("tbody tr", { hasText: "Milo Moved" });
  await expect(row).toContainText("Collaborator");

  const since = Date.now() - 1000;
  await row.locator("summary", { hasText: "Modify the role" }).click();
  await page.getByLabel("New role for Milo Moved").selectOption("external");
  await checkAccessibility(page, "role menu open");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The role is changed" })).toBeVisible();
  await expect(page.getByTestId("externals")).toContainText("Milo Moved");
  await expect(page.getByTestId("members")).not.toContainText("Milo Moved");
  const mail = await receivedMail(memberEmail, "Your role in Rhea Roles is now External", 20_000, since);
  expect(mail).toContain("Before: Collaborator");
});

test("block, unblock, then remove a user with the wizard", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("leaving");
  // A name of this run's own: a run that stopped halfway leaves no namesake behind.
  const last = `Removed ${Date.now().toString(36)}`;
  const rita = `Rita ${last}`;
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);

  // Someone to remove: invited as an external, joining in their own browser.
  await page.goto(`/o/${organizationId}/users/invite`);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role").selectOption("external");
  await page.getByLabel("lakeside-bakery.com (Domain name)", { exact: true }).check();
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByTestId("invitation-sent")).toBeVisible();
  const link = linkIn(await receivedMail(email, "invites you to Lakeside Bakery", 20_000, since), "/invitation");
  const other = await secondBrowser(browser, testInfo);
  await other.page.goto(link);
  await hydrated(other.page);
  await other.page.getByLabel("First name").fill("Rita");
  await other.page.getByLabel("Last name").fill(last);
  await other.page.getByLabel("Password").fill(PASSWORD);
  await other.page.getByRole("button", { name: "Create my account and join" }).click();
  await expect(other.page).toHaveURL(new RegExp(`/o/${organizationId}$`));

  // Block: Rita is told, and her organization page says so.
  await page.goto(`/o/${organizationId}/users`);
  await hydrated(page);
  const row = page.getByTestId("externals").locator("tbody tr", { hasText: rita });
  const blockedAt = Date.now() - 1000;
  await row.locator("summary", { hasText: "Block" }).click();
  await row.getByRole("button", { name: `Confirm: block ${rita}` }).click();
  await expect(row).toContainText("Blocked");
  await receivedMail(email, "Your access to Lakeside Bakery is suspended", 20_000, blockedAt);
  await other.page.goto(`/o/${organizationId}`);
  await hydrated(other.page);
  await expect(other.page.getByTestId("blocked-member")).toBeVisible();
  await checkAccessibility(other.page, "overview of a blocked member");
  await row.getByRole("button", { name: `Unblock ${rita}` }).click();
  await expect(row).not.toContainText("Blocked");

  // The wizard: review → tick → review → my email and tick → removed.
  await row.getByRole("link", { name: `Remove ${rita} from the organization` }).click();
  await expect(page.getByRole("heading", { name: `Remove ${rita} from Lakeside Bakery` })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("removal-summary")).toContainText("Their access to 1 product");
  await checkAccessibility(page, "removal wizard, review");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Tick the box to continue.")).toBeVisible();
  await page.getByLabel(new RegExp(`I confirm that ${rita}`)).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Check once more" })).toBeVisible();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByLabel("Your login email address").fill("someone@else.example");
  await page.getByLabel("I understand that this removal is permanent.").check();
  await checkAccessibility(page, "removal wizard, last step");
  expectRefusal(page, "/api/remove_member");
  await page.getByRole("button", { name: "Remove this user" }).click();
  await expect(page.locator("#my-email-error")).toContainText("Type your own login email");
  await page.getByLabel("Your login email address").fill("felix@demo.steward.test");
  await page.getByLabel("I understand that this removal is permanent.").check();
  await page.getByRole("button", { name: "Remove this user" }).click();
  await expect(page.getByTestId("removal-done")).toContainText(`${rita} is no longer a member`);
  await page.getByRole("link", { name: "Back to the users" }).click();
  await expect(page.getByTestId("externals")).not.toContainText(rita);
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test("leaving an organization as its last legal representative is refused with the reason", async ({ page }, testInfo) => {
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  await openFromMenu(page, testInfo, "My organizations");
  await hydrated(page);
  const bakery = page.getByTestId("my-organizations").locator("li", { hasText: "Lakeside Bakery" });
  await bakery.locator("summary", { hasText: "Leave" }).click();
  await checkAccessibility(page, "my organizations, leave open");
  expectRefusal(page, "/api/leave_organization");
  await bakery.getByRole("button", { name: "Confirm: leave Lakeside Bakery" }).click();
  await expect(page.getByTestId("leave-refused")).toContainText("You are the only legal representative of this organization");
  await expect(page.getByTestId("my-organizations")).toContainText("Lakeside Bakery");
});

test("leaving my only organization leads to the welcome page, where I create a new one", async ({ page, browser }, testInfo) => {
  const owner = uniqueEmail("owner");
  await visit(page, "/signup");
  await page.getByLabel("First name").fill("Wanda");
  await page.getByLabel("Last name").fill("Owner");
  await page.getByLabel("Email address").fill(owner);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await confirmSignUp(page, owner);
  await expect(page).toHaveURL(/\/o\/\d+$/);
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  // Invited people get no organization of their own: this one is their only one.
  const other = await inviteAndJoin(page, browser, testInfo, organizationId, uniqueEmail("leaver"), "Lou", "Leaver");
  await openFromMenu(other.page, testInfo, "My organizations");
  await hydrated(other.page);
  const only = other.page.getByTestId("my-organizations").locator("li").first();
  await only.locator("summary", { hasText: "Leave" }).click();
  await only.getByRole("button", { name: /^Confirm: leave / }).click();
  await expect(other.page).toHaveURL(/\/welcome$/);
  await hydrated(other.page);
  await expect(other.page.getByRole("heading", { name: "You belong to no organization", level: 1 })).toBeVisible();
  await checkAccessibility(other.page, "welcome page");
  await other.page.getByLabel("Name of the organization").fill("Lou's Lemonade");
  await other.page.getByRole("button", { name: "Create the organization" }).click();
  await expect(other.page).toHaveURL(/\/o\/\d+$/);
  expect(other.page.url()).not.toContain(`/o/${organizationId}`);
  await hydrated(other.page);
  await expect(other.page.getByRole("heading", { name: "Lou's Lemonade", level: 1 })).toBeVisible();
  // The owner's users page no longer lists them.
  await page.goto(`/o/${organizationId}/users`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await expect(page.locator("main")).not.toContainText("Lou Leaver");
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test("a person's page: give a product with billing rights, and they have it at their next click", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("granted");
  const last = `Granted ${Date.now().toString(36)}`;
  const name = `Gina ${last}`;
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  // A collaborator of this run's own, invited without any product.
  const other = await inviteAndJoin(page, browser, testInfo, organizationId, email, "Gina", last);
  await other.page.goto(`/o/${organizationId}/products`);
  await hydrated(other.page);
  await expect(other.page.locator("main")).not.toContainText("lakeside-bakery.com");

  // From the users page to her page, by her name.
  await page.goto(`/o/${organizationId}/users`);
  await hydrated(page);
  await page.getByTestId("members").getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("person-facts")).toContainText("Collaborator");
  await expect(page.getByTestId("person-facts")).toContainText("Invited by Felix Weber");
  await expect(page.getByText(`${name} reaches 0 of the organization's`)).toBeVisible();
  await checkAccessibility(page, "a person's page");

  const since = Date.now() - 1000;
  await page.getByLabel(`Access of ${name} to lakeside-bakery.com`).selectOption({ label: "Access with billing rights" });
  await page.getByRole("button", { name: "Save the access to lakeside-bakery.com" }).click();
  await expect(page.getByTestId("access-saved")).toBeVisible();
  await expect(page.getByText(`${name} reaches 1 of the organization's`)).toBeVisible();
  const mail = await receivedMail(email, "Your access to lakeside-bakery.com in Lakeside Bakery", 20_000, since);
  expect(mail).toContain("Now: Access with billing rights");

  // In her own session: the product is listed, and billing is open to her.
  await other.page.goto(`/o/${organizationId}/products`);
  await hydrated(other.page);
  await expect(other.page.getByRole("link", { name: "lakeside-bakery.com" })).toBeVisible();
  await other.page.goto(`/o/${organizationId}/billing/prepaid`);
  await hydrated(other.page);
  await expect(other.page.getByRole("heading", { name: "Prepaid account", level: 1 })).toBeVisible();
  await checkAccessibility(other.page, "prepaid account of a collaborator with billing rights");

  // She leaves again, so the bakery keeps its people as the demo made them.
  await openFromMenu(other.page, testInfo, "My organizations");
  await hydrated(other.page);
  const bakery = other.page.getByTestId("my-organizations").locator("li", { hasText: "Lakeside Bakery" });
  await bakery.locator("summary", { hasText: "Leave" }).click();
  await bakery.getByRole("button", { name: "Confirm: leave Lakeside Bakery" }).click();
  await expect(other.page).toHaveURL(/\/welcome$/);
  expect(other.errors).toEqual([]);
  await other.context.close();
});
