import { test, expect, hydrated, checkAccessibility, receivedMail, linkIn, uniqueEmail, signInAs, openOrganization, openFromMenu, secondBrowser, PASSWORD } from "./fixtures";

test("invite a collaborator with two products; they join, see only those, and lose management of a blocked one", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("invited");
  await signInAs(page, "alice@demo.steward.test");
  await openOrganization(page, "Alpine Trail Club");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await openFromMenu(page, testInfo, "Users");
  await page.getByRole("link", { name: "Invite a user" }).click();
  await expect(page.getByRole("heading", { name: "Invite a user", level: 1 })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("Email address").fill(email);
  await expect(page.getByLabel("Role")).toHaveValue("collaborator");
  await page.getByLabel("alpine-trail-club.ch (Domain name)", { exact: true }).check();
  await page.getByLabel("Hosting alpine-trail-club (Web hosting)", { exact: true }).check();
  await page.getByLabel("Billing rights for Hosting alpine-trail-club").check();
  await checkAccessibility(page, "invitation form");
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByTestId("invitation-sent")).toContainText(email);

  await page.locator("#main").getByRole("link", { name: "Users" }).click();
  const pending = page.getByTestId("pending-invitations").locator("tbody tr", { hasText: email });
  await expect(pending).toContainText("Collaborator");
  await expect(pending).toContainText("Hosting alpine-trail-club (billing)");
  await checkAccessibility(page, "users page with pending invitations");

  const mail = await receivedMail(email, "Alice Martin invites you to Alpine Trail Club", 20_000, since);
  expect(mail).toContain("Hosting alpine-trail-club (Web hosting, with billing rights)");
  const link = linkIn(mail, "/invitation");

  // The invited person, in their own browser, creates an account on the spot.
  const invited = await secondBrowser(browser, testInfo);
  await invited.page.goto(link);
  await hydrated(invited.page);
  await expect(invited.page.getByRole("heading", { name: "Join Alpine Trail Club" })).toBeVisible();
  await expect(invited.page.getByTestId("invitation-summary")).toContainText(`Alice Martin invites ${email} as collaborator`);
  await checkAccessibility(invited.page, "invitation page");
  await invited.page.getByLabel("First name").fill("Ines");
  await invited.page.getByLabel("Last name").fill("Invited");
  await invited.page.getByLabel("Password").fill(PASSWORD);
  await invited.page.getByRole("button", { name: "Create my account and join" }).click();
  await expect(invited.page).toHaveURL(new RegExp(`/o/${organizationId}$`));
  await hydrated(invited.page);

  await invited.page.goto(`/o/${organizationId}/products`);
  await hydrated(invited.page);
  const rows = invited.page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "alpine-trail-club.ch" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Hosting alpine-trail-club" })).toHaveCount(1);

  // The link worked once.
  await invited.page.goto(link);
  await hydrated(invited.page);
  await expect(invited.page.getByTestId("invitation-refused")).toContainText("already used");

  // Alice blocks one of the two products; the collaborator is told and can no longer manage it.
  const blockedAt = Date.now() - 1000;
  await page.goto(`/o/${organizationId}/products`);
  await hydrated(page);
  await page.getByTestId("products").getByRole("link", { name: "alpine-trail-club.ch", exact: true }).click();
  await expect(page.getByTestId("product-name")).toHaveText("alpine-trail-club.ch");
  await hydrated(page);
  // A run that stopped halfway may have left it blocked: start from unblocked.
  const leftover = page.getByRole("button", { name: "Unblock product management" });
  if (await leftover.isVisible()) {
    await leftover.click();
    await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
  }
  await page.getByTestId("more-actions").getByText("More actions").click();
  await page.getByRole("button", { name: "Block product management" }).click();
  await page.getByRole("button", { name: "Confirm: block" }).click();
  await expect(page.getByTestId("blocked-banner")).toContainText("Management blocked by Alice Martin");
  await receivedMail(email, "Management of alpine-trail-club.ch is blocked", 20_000, blockedAt);

  await invited.page.goto(`/o/${organizationId}/products`);
  await hydrated(invited.page);
  const blocked = rows.filter({ hasText: "alpine-trail-club.ch" });
  await expect(blocked).toContainText("Blocked");
  await blocked.getByRole("checkbox").check();
  await invited.page.getByLabel("New tag name").fill("Not allowed");
  await invited.page.getByRole("button", { name: "Add tag" }).click();
  await expect(invited.page.getByRole("alert").filter({ hasText: "blocked by an administrator" })).toBeVisible();
  expect(invited.errors).toEqual([]);
  await invited.context.close();

  // Unblock again (the demo data is shared by both viewports).
  await page.getByRole("button", { name: "Unblock product management" }).click();
  await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
});

test("an invitation is revoked: its link stops working", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("revoked");
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await page.goto(`/o/${organizationId}/users/invite`);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role").selectOption("administrator");
  await expect(page.getByText("Products they get")).toHaveCount(0);
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByTestId("invitation-sent")).toContainText(email);
  const link = linkIn(await receivedMail(email, "invites you to Lakeside Bakery", 20_000, since), "/invitation");

  await page.goto(`/o/${organizationId}/users`);
  await hydrated(page);
  await page.getByRole("button", { name: `Revoke the invitation of ${email}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "The invitation is revoked" })).toBeVisible();
  await expect(page.getByTestId("pending-invitations").locator("tbody tr", { hasText: email })).toHaveCount(0);

  const invited = await secondBrowser(browser, testInfo);
  await invited.page.goto(link);
  await hydrated(invited.page);
  await expect(invited.page.getByTestId("invitation-refused")).toContainText("revoked");
  await checkAccessibility(invited.page, "refused invitation");
  expect(invited.errors).toEqual([]);
  await invited.context.close();
});
