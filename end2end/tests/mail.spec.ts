import { test, expect, hydrated, checkAccessibility, signInAs, openOrganization, ageConfirmation, expectRefusal, DEMO_PASSWORD } from "./fixtures";

/** The agency's demo mail service (app/src/demo.rs): Café du Lac's addresses. */
async function openMailService(page: import("@playwright/test").Page) {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await page.goto(`/o/${organizationId}/products?search=Mail%20cafe-du-lac`);
  await hydrated(page);
  await page.getByTestId("products").getByRole("link", { name: "Mail cafe-du-lac.ch" }).click();
  await hydrated(page);
  await expect(page.getByTestId("mail-addresses")).toBeVisible();
  return organizationId;
}

test("addresses take the global configuration, rights change one by one or in bulk", async ({ page }, testInfo) => {
  const run = `${testInfo.project.name === "mobile" ? "m" : "d"}${Date.now().toString(36)}`;
  await openMailService(page);
  // The account's login identifier and the address passwords are told apart (ACC-9).
  await expect(page.getByTestId("identifiers-note")).toContainText("different from your account's password");
  await checkAccessibility(page, "mail service");

  // The creation assistant starts from the global configuration: no history, restorations or
  // security in the demo's.
  await expect(page.locator("#new-rights-devices")).toBeChecked();
  await expect(page.locator("#new-rights-rules")).toBeChecked();
  await expect(page.locator("#new-rights-action_history")).not.toBeChecked();
  await expect(page.locator("#new-rights-security")).not.toBeChecked();
  const team = `team-${run}`;
  const shop = `shop-${run}`;
  // The domain the service is named after is pre-selected.
  await expect(page.getByLabel("Domain", { exact: true })).toHaveValue("cafe-du-lac.ch");
  for (const local of [team, shop]) {
    await page.getByLabel("Address", { exact: true }).fill(local);
    await page.getByLabel(/^Users \(email addresses/).fill(`${local}.user@example.net`);
    await page.getByRole("button", { name: "Create the address" }).click();
    await expect(page.getByTestId("mail-addresses")).toContainText(`${local}@cafe-du-lac.ch`);
  }

  // One user's rights: an icon toggled in the table, then "Modify rights" from the row's menu.
  await page.getByTestId("mail-addresses").getByRole("link", { name: `${team}@cafe-du-lac.ch` }).click();
  await hydrated(page);
  await expect(page.getByTestId("address-name")).toHaveText(`${team}@cafe-du-lac.ch`);
  const user = page.getByTestId("mail-user").filter({ hasText: `${team}.user@example.net` });
  await expect(user).toContainText("Global configuration");
  await expect(user).toContainText("Outside the organization");
  const rules = () => user.getByRole("button", { name: /^Manage rules for/ });
  await expect(rules()).toHaveAttribute("aria-pressed", "true");
  await rules().click();
  await expect(rules()).toHaveAttribute("aria-pressed", "false");
  await expect(user).not.toContainText("Global configuration");
  await checkAccessibility(page, "mail address");

  // After ten minutes, changing rights asks for the password again (MAIL-5), then goes through.
  ageConfirmation("bruno@demo.steward.test");
  expectRefusal(page, "/api/set_mail_rights");
  await user.getByRole("button", { name: /Actions for/ }).click();
  await user.getByRole("button", { name: "✎ Modify rights" }).click();
  const editor = page.getByTestId("rights-editor");
  await editor.getByLabel("Manage folders").uncheck();
  await editor.getByRole("button", { name: "Save the rights" }).click();
  const confirm = page.getByRole("region", { name: "Confirm it's you" });
  await expect(confirm).toBeVisible();
  await confirm.getByLabel("Your password").fill(DEMO_PASSWORD);
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await expect(confirm).toContainText("Now repeat what you were doing");
  // The editor kept what was ticked: saving again is all it takes.
  await expect(editor.getByLabel("Manage folders")).not.toBeChecked();
  await editor.getByRole("button", { name: "Save the rights" }).click();
  await expect(user.getByRole("button", { name: /^Manage folders for/ })).toHaveAttribute("aria-pressed", "false");

  // Back on the service: both new addresses ticked, the global configuration applied — it
  // replaces the edited rights, and only those.
  await page.getByRole("link", { name: "Mail cafe-du-lac.ch" }).click();
  await hydrated(page);
  await page.getByLabel(`Select ${team}@cafe-du-lac.ch`).check();
  await page.getByLabel(`Select ${shop}@cafe-du-lac.ch`).check();
  await page.getByTestId("apply-global").click();
  await expect(page.getByTestId("applied")).toContainText("1 user(s) changed");
  await page.getByTestId("mail-addresses").getByRole("link", { name: `${team}@cafe-du-lac.ch` }).click();
  await hydrated(page);
  await expect(rules()).toHaveAttribute("aria-pressed", "true");
  await expect(user).toContainText("Global configuration");
});

test("a device password is seen once; all devices disconnect; maintenance goes on and off", async ({ page }, testInfo) => {
  const run = `${testInfo.project.name === "mobile" ? "m" : "d"}${Date.now().toString(36)}`;
  await openMailService(page);
  const local = `desk-${run}`;
  await page.getByLabel("Address", { exact: true }).fill(local);
  await page.getByLabel("Domain", { exact: true }).selectOption("cafe-du-lac.ch");
  await page.getByLabel(/^Users \(email addresses/).fill(`${local}.user@example.net`);
  await page.getByRole("button", { name: "Create the address" }).click();
  await page.getByTestId("mail-addresses").getByRole("link", { name: `${local}@cafe-du-lac.ch` }).click();
  await hydrated(page);

  // Generate a password: proposed, editable once, saved, shown this once.
  await page.getByLabel("Device name").fill("Laptop");
  const proposed = await page.getByLabel(/^Device password/).inputValue();
  expect(proposed).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){4}$/);
  await page.getByRole("button", { name: "Save the device password" }).click();
  await expect(page.getByTestId("device-password")).toHaveText(proposed);
  // With what the mail client needs besides it, and an Apple profile holding it all.
  const settings = page.getByTestId("server-settings");
  await expect(settings).toContainText("Incoming (IMAP)");
  await expect(settings).toContainText("mail.cafe-du-lac.ch");
  await expect(settings).toContainText("993");
  await expect(settings).toContainText("SSL/TLS");
  const profile = page.getByTestId("apple-profile");
  await expect(profile).toHaveAttribute("download", `${local}@cafe-du-lac.ch.mobileconfig`);
  const href = decodeURIComponent((await profile.getAttribute("href")) ?? "");
  expect(href).toContain(`<key>IncomingPassword</key><string>${proposed}</string>`);
  // For an iPhone: the same profile over https, without the password (iOS asks for it).
  const ios = await page.getByTestId("apple-profile-ios").getAttribute("href");
  expect(ios).toBe(`/mail-setup/apple.mobileconfig?emailaddress=${local}%40cafe-du-lac.ch`);
  const served = await page.request.get(ios ?? "");
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toBe("application/x-apple-aspen-config");
  const text = await served.text();
  expect(text).toContain(`<string>${local}@cafe-du-lac.ch</string>`);
  expect(text).not.toContain("<key>IncomingPassword</key>");
  await expect(page.getByTestId("devices")).toContainText("Laptop");
  await checkAccessibility(page, "device password shown once");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("devices")).toContainText("Laptop");
  await expect(page.getByTestId("device-password")).toHaveCount(0);
  expect(await page.locator("body").innerText()).not.toContain(proposed);

  // "Disconnect all devices", confirmed.
  await page.getByRole("button", { name: "Disconnect all devices" }).click();
  await page.getByRole("button", { name: "Confirm: disconnect all devices" }).click();
  await expect(page.getByTestId("disconnected-all")).toContainText("1 device(s) disconnected");
  await expect(page.getByTestId("no-devices")).toBeVisible();

  // Maintenance, with its red confirmation, then lifted.
  await page.getByRole("button", { name: "Activate maintenance" }).click();
  await expect(page.getByRole("group", { name: "Suspend this address?" })).toContainText("Reception is not interrupted");
  await page.getByRole("button", { name: "Confirm: activate maintenance" }).click();
  await expect(page.getByTestId("maintenance-banner")).toContainText("mail is still received");
  await checkAccessibility(page, "address in maintenance");
  await page.getByRole("button", { name: "Lift maintenance" }).click();
  await expect(page.getByTestId("maintenance-banner")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Activate maintenance" })).toBeVisible();
});

test("the generic password cannot be reset; a user sees their own addresses", async ({ page }) => {
  const organizationId = await openMailService(page);
  await page.getByTestId("mail-addresses").getByRole("link", { name: "info@cafe-du-lac.ch" }).click();
  await hydrated(page);
  const generic = page.getByTestId("devices").locator("li").filter({ hasText: "Generic password" });
  await expect(generic.getByRole("button", { name: /^Change password/ })).toBeDisabled();
  await expect(generic).toContainText("cannot be reset");
  await expect(page.getByTestId("devices")).toContainText("David's laptop");

  // David, one of its users: his view shows what he may do, and only that.
  await page.context().clearCookies();
  await signInAs(page, "david@demo.steward.test");
  await page.goto(`/o/${organizationId}/mail`);
  await hydrated(page);
  const events = page.getByTestId("my-address").filter({ hasText: "events@cafe-du-lac.ch" });
  await expect(events).toContainText("Manage rules");
  // A granted permission says where it is used, not "Yours to manage" with nothing to click.
  await expect(events.locator("li").filter({ hasText: "Manage rules" })).toContainText("Granted: in webmail");
  await expect(events).not.toContainText("Yours to manage");
  // Security is not his on events@: shown, its action disabled; aliases would be hidden.
  const security = events.locator("li").filter({ hasText: "Manage security" });
  await expect(security).toContainText("Not granted to you");
  await expect(security.getByRole("button", { name: "Manage" })).toBeDisabled();
  const info = page.getByTestId("my-address").filter({ hasText: "info@cafe-du-lac.ch" });
  await expect(info).toContainText("David's laptop");
  await checkAccessibility(page, "my mail addresses");
  // With "Configure a device" he makes his own device password, shown once.
  await info.getByLabel("Device name").fill("Tablet");
  const proposed = await info.getByLabel(/^Its password/).inputValue();
  await info.getByRole("button", { name: "Add a device" }).click();
  await expect(page.getByTestId("device-password")).toHaveText(proposed);
  await expect(page.getByTestId("my-address").filter({ hasText: "info@cafe-du-lac.ch" }).getByTestId("my-devices")).toContainText("Tablet");
});
