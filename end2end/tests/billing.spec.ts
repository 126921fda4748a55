import { test, expect, expectRefusal, hydrated, checkAccessibility, signInAs, openOrganization, openFromMenu, secondBrowser, visit } from "./fixtures";

test("the prepaid account: its balance and history, for those with billing rights only", async ({ page, browser }, testInfo) => {
  // David is a collaborator of the agency with billing rights on a client's products.
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  // CHF 500.00 paid in; a renewal paid from the balance (14.05), one paid by its own transfer
  // (in and out), 10.70 back from an order cancelled while its transfer was on its way, and the
  // cashback of two customers' renewals (the bakery's hosting 1.98, the club's mail 0.29).
  await expect(page.getByTestId("balance-chf")).toHaveText("CHF 498.92");
  await expect(page.getByTestId("slip-reference")).toHaveText(/^RF\d\d STW0 /);
  const rows = page.getByTestId("ledger").locator("tbody tr");
  await expect(rows).toHaveCount(7);
  for (const n of [0, 1]) await expect(rows.nth(n)).toContainText("Partner cashback");
  await expect(page.getByTestId("ledger")).toContainText("Cashback from Lakeside Bakery");
  await expect(page.getByTestId("ledger")).toContainText("CHF 1.98");
  await expect(rows.nth(2)).toContainText("Credit from a cancelled order");
  await expect(rows.nth(2)).toContainText("CHF 10.70");
  await expect(rows.nth(3)).toContainText("CHF -14.05");
  await expect(rows.nth(4)).toContainText("Top-up by bank transfer");
  await expect(rows.nth(6)).toContainText("CHF 500.00");
  await checkAccessibility(page, "prepaid account");

  // The same history as invoices: paid from the balance, paid by transfer, cancelled.
  await openFromMenu(page, testInfo, "Invoices");
  await hydrated(page);
  const invoices = page.getByTestId("invoice-row");
  await expect(invoices).toHaveCount(3);
  await expect(invoices.nth(0)).toContainText("Cancelled");
  await expect(invoices.nth(1)).toContainText("Paid by bank transfer");
  await expect(invoices.nth(2)).toContainText("Paid from the prepaid balance");
  await page.getByLabel("State").selectOption("cancelled");
  await expect(invoices).toHaveCount(1);
  await checkAccessibility(page, "invoices");

  // Emma, external in the same organization, has no billing: no link, and the page refuses.
  const other = await secondBrowser(browser, testInfo);
  await signInAs(other.page, "emma@demo.steward.test");
  await openOrganization(other.page, "Helvetia Web Agency");
  await expect(other.page.locator("#side-menu").getByRole("link", { name: "Prepaid account" })).toHaveCount(0);
  await visit(other.page, `/o/${organizationId}/billing/prepaid`);
  await expect(other.page.getByRole("alert").filter({ hasText: "does not allow this action" })).toBeVisible();
  await checkAccessibility(other.page, "prepaid account, refused");
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test("billing addresses: add one, make it the default, correct it; the default stays while others remain", async ({ page }, testInfo) => {
  const name = `Finance ${Date.now().toString(36)}`;
  expectRefusal(page, "/api/add_billing_address");
  expectRefusal(page, "/api/delete_billing_address");
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Billing addresses");
  await hydrated(page);
  const list = page.getByTestId("billing-addresses");
  await expect(list.getByTestId("default-address")).toHaveCount(1);

  // A refused address keeps what was typed and says why, next to the field.
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Street and number").fill("Bahnhofstrasse 7");
  await page.getByLabel("Postal code").fill("80<01");
  await page.getByLabel("City").fill("Zürich");
  await page.getByRole("button", { name: "Add the address" }).click();
  await expect(page.locator("#address-postal-code-error")).toContainText("letters, digits, spaces and dashes");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await page.getByLabel("Postal code").fill("8001");
  await page.getByRole("button", { name: "Add the address" }).click();
  const mine = list.locator("li", { hasText: name });
  await expect(mine).toContainText("CH-8001 Zürich");
  await expect(mine.getByTestId("default-address")).toHaveCount(0);
  await checkAccessibility(page, "billing addresses");

  // Made the default: the badge moves to it, and it comes first.
  await mine.getByRole("button", { name: "Make default" }).click();
  await expect(mine.getByTestId("default-address")).toBeVisible();
  await expect(list.getByTestId("default-address")).toHaveCount(1);
  await expect(list.locator("li").first()).toContainText(name);

  // Corrected.
  await mine.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: `Edit the address of ${name}` })).toBeVisible();
  await page.getByLabel("City").fill("Zurich");
  await page.getByRole("button", { name: "Save the address" }).click();
  await expect(mine).toContainText("CH-8001 Zurich");

  // The default cannot go while others remain.
  await mine.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete the address" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "make another one the default first" })).toBeVisible();
  await expect(mine).toHaveCount(1);
});

test("billing notifications: a switch is saved the moment it changes; expiry reminders are checked", async ({ page }, testInfo) => {
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Billing notifications");
  await hydrated(page);
  expectRefusal(page, "/api/set_expiry_reminders");
  const reminder = page.getByLabel("Reminder before an automatic renewal");
  const before = await reminder.isChecked();
  await reminder.setChecked(!before);
  await expect(page.getByTestId("status-renewal_reminder")).toHaveText("Saved");
  await checkAccessibility(page, "billing notifications");
  await page.reload();
  await hydrated(page);
  await expect(reminder).toBeChecked({ checked: !before });
  // Back as it was, for the next run.
  await reminder.setChecked(before);
  await expect(page.getByTestId("status-renewal_reminder")).toHaveText("Saved");

  const days = page.getByLabel("Days before expiry");
  await days.fill("30, 120");
  await page.getByRole("button", { name: "Save the reminders" }).click();
  await expect(page.locator("#reminder-days-error")).toContainText("1 to 90 days");
  await days.fill("7, 30 , 14");
  await page.getByRole("button", { name: "Save the reminders" }).click();
  await expect(page.getByTestId("reminders-status")).toHaveText("Saved: 30, 14, 7 days before");
});
