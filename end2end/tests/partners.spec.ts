import { test, expect, hydrated, checkAccessibility, receivedMail, operator, signUp, uniqueEmail, secondBrowser, linkIn, openFromMenu, inviteAndJoin } from "./fixtures";
import { readFileSync } from "node:fs";
import type { Page, TestInfo } from "@playwright/test";

/** The organization's settings, from the side menu. */
async function openSettings(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name === "mobile") await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Organization settings", level: 1 })).toBeVisible();
  await hydrated(page);
}

/** Applies to the partner program from the organization's settings, as its legal representative. */
async function applyToTheProgram(page: Page, testInfo: TestInfo) {
  await openSettings(page, testInfo);
  const program = page.getByTestId("partner-program");
  await program.getByLabel("Trade-register number").fill("CHE-123.456.789");
  await program.getByLabel("Website").fill("helvetia-web.example");
  await program.getByRole("button", { name: "Apply to the partner program" }).click();
  await expect(program.getByTestId("partner-state")).toContainText("Application under review");
}

test("a partner applies, is approved, asks a customer for access and sees what the customer granted instead", async ({ page, browser }, testInfo) => {
  // The agency applies from its settings.
  const agencyEmail = uniqueEmail("agency");
  await signUp(page, agencyEmail, "Hella", "Agency");
  const agency = await page.evaluate(() => location.pathname.split("/")[2]);
  await applyToTheProgram(page, testInfo);
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
  await rows.first().getByRole("button", { name: "Actions for Cleo Customer" }).click();
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

/** The records of an RFC 4180 file (quoted fields, doubled quotes, CRLF), as a spreadsheet reads them. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { record.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { record.push(field); records.push(record); record = []; field = ""; i++; }
    else field += c;
  }
  if (field !== "" || record.length > 0) { record.push(field); records.push(record); }
  return records;
}

test("a partner asked for full access gets one product, enters with it alone, delegates the customer, and exports the cashback", async ({ page, browser }, testInfo) => {
  const run = `${Date.now().toString(36)}-${testInfo.project.name}`;
  // The agency: applied from its settings, approved by the operator.
  const agencyEmail = uniqueEmail("agency");
  await signUp(page, agencyEmail, "Hella", "Agency");
  const agency = await page.evaluate(() => location.pathname.split("/")[2]);
  await applyToTheProgram(page, testInfo);
  expect(operator("approve-partner", "--organization", agency, "--rates", "web_hosting=20")).toContain("approved as a partner");
  // A collaborator of the agency, Pol, in his own browser.
  const pol = await inviteAndJoin(page, browser, testInfo, agency, uniqueEmail("pol"), "Pol", "Collab");

  // Hella asks a new customer for full access.
  await page.goto(`/o/${agency}/reseller`);
  await hydrated(page);
  const customerEmail = uniqueEmail("bakery");
  await page.getByRole("button", { name: "Add a customer" }).click();
  await page.getByLabel("Email of the customer's legal representative").fill(customerEmail);
  await page.getByLabel("Full access, with the customer's payment methods").check();
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Send the request" }).click();
  await expect(page.getByText("The request is sent: the customer answers by email within 30 days.")).toBeVisible();

  // The customer, in a second browser: signs up, pays CHF 50.00 in, orders a site and a mail
  // service, then answers the request with limited access to the site alone.
  const bea = await secondBrowser(browser, testInfo);
  await signUp(bea.page, customerEmail, "Bea", "Baker");
  const bakery = await bea.page.evaluate(() => location.pathname.split("/")[2]);
  await openFromMenu(bea.page, testInfo, "Billing addresses");
  await hydrated(bea.page);
  await bea.page.getByLabel("Name", { exact: true }).fill("Bea Baker");
  await bea.page.getByLabel("Street and number").fill("Rue du Four 1");
  await bea.page.getByLabel("Postal code").fill("1003");
  await bea.page.getByLabel("City").fill("Lausanne");
  await bea.page.getByRole("button", { name: "Add the address" }).click();
  await expect(bea.page.getByTestId("default-address")).toHaveCount(1);
  await openFromMenu(bea.page, testInfo, "Prepaid account");
  await hydrated(bea.page);
  const reference = (await bea.page.getByTestId("slip-reference").textContent()) ?? "";
  expect(operator("record-transfer", "--reference", reference, "--amount", "50.00", "--currency", "CHF", "--transfer", `e2e-partner-${run}`)).toContain("Credited CHF 50.00");
  await openFromMenu(bea.page, testInfo, "Shop");
  await hydrated(bea.page);
  for (const [kind, name] of [["web_hosting", "bakery site"], ["mail_service", "bakery mail"]]) {
    await bea.page.getByLabel("Product", { exact: true }).first().selectOption(kind);
    await bea.page.getByLabel("Name", { exact: true }).fill(name);
    await bea.page.getByRole("button", { name: "Add to the cart" }).click();
    await expect(bea.page.getByTestId("cart-line").filter({ hasText: name })).toBeVisible();
  }
  await bea.page.getByLabel(/Prepaid balance \(CHF 50\.00\)/).check();
  await bea.page.getByTestId("place-order").click();
  await expect(bea.page.getByTestId("order-placed")).toContainText("Paid");
  const link = linkIn(await receivedMail(customerEmail, "Hella Agency asks to manage your products", 20_000, since), "/partner-request");
  await bea.page.goto(link);
  await hydrated(bea.page);
  await expect(bea.page.getByTestId("request-facts")).toContainText("Full access, with the customer's payment methods");
  await bea.page.getByLabel("Limited access to chosen products").check();
  await bea.page.getByLabel("bakery site", { exact: true }).check();
  await checkAccessibility(bea.page, "granting limited access to one product");
  await bea.page.getByRole("button", { name: "Grant this access" }).click();
  await expect(bea.page.getByTestId("request-answered")).toContainText("Granted");

  // Hella's table says what was asked and what was granted; she enters the bakery from the
  // row's menu and sees the site alone, under the banner.
  await page.reload();
  await hydrated(page);
  const row = page.getByTestId("customer-row").filter({ hasText: "Bea Baker" });
  await expect(row).toContainText("(asked: Full access, with the customer's payment methods)");
  await expect(row).toContainText("bakery site");
  await row.getByRole("button", { name: "Actions for Bea Baker" }).click();
  await checkAccessibility(page, "a customer's action menu");
  await row.getByRole("link", { name: /Open the manager of Bea Baker/ }).click();
  await expect(page.getByTestId("partner-banner")).toContainText("for Hella Agency");
  await hydrated(page);
  await openFromMenu(page, testInfo, "Products");
  await hydrated(page);
  const products = page.getByTestId("products");
  await expect(products).toContainText("bakery site");
  await expect(products).not.toContainText("bakery mail");
  await page.screenshot({ path: testInfo.outputPath("partner-in-customer.png") });
  await checkAccessibility(page, "a customer's products as its partner with limited access");

  // Back home, Hella delegates the bakery to Pol; Pol reaches it from the switcher's Customers.
  await page.getByTestId("partner-banner").getByRole("link", { name: "back to Hella Agency" }).click();
  await expect(page.getByTestId("current-organization")).toHaveText("Hella Agency");
  await page.goto(`/o/${agency}/reseller`);
  await hydrated(page);
  await page.getByTestId("delegation").getByRole("button", { name: /Delegate Bea Baker.* to Pol Collab/ }).click();
  await expect(page.getByTestId("delegation")).toContainText("Pol Collab: delegated");
  await pol.page.reload();
  await hydrated(pol.page);
  await pol.page.getByRole("button", { name: /Organization/ }).first().click();
  const customers = pol.page.getByTestId("switcher-customers");
  await expect(customers).toContainText("Bea Baker");
  await checkAccessibility(pol.page, "the switcher with a delegated customer");
  await customers.getByRole("link", { name: /Bea Baker/ }).click();
  await expect(pol.page.getByTestId("partner-banner")).toContainText("for Hella Agency");
  await hydrated(pol.page);
  await expect(pol.page.getByTestId("current-organization")).toContainText("Bea Baker");

  // Bea renews the site the agency manages, from her balance: the agency earns cashback
  // (20 % of CHF 9.92: CHF 1.98), on its statement and in its export.
  await bea.page.goto(`/o/${bakery}/billing/shop`);
  await hydrated(bea.page);
  const site = await bea.page.locator("#renew-product option", { hasText: "bakery site" }).getAttribute("value");
  await bea.page.locator("#renew-product").selectOption(site ?? "");
  await bea.page.getByRole("button", { name: "Add the renewal" }).click();
  await expect(bea.page.getByTestId("cart-line").filter({ hasText: "Renewal of" })).toBeVisible();
  await bea.page.getByLabel(/Prepaid balance/).check();
  await bea.page.getByTestId("place-order").click();
  await expect(bea.page.getByTestId("order-placed")).toContainText("Paid");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("cashback-statement")).toContainText("CHF 1.98");

  // Download → cashback, this year → Export: a CSV the test reads back.
  await page.getByRole("button", { name: "Download" }).click();
  const form = page.getByTestId("export-all-form");
  await form.getByLabel("History").selectOption("cashback");
  await checkAccessibility(page, "the Reseller area's export form");
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByRole("button", { name: "Export all customers" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^steward-cashback-\d{4}-01-01-\d{4}-01-01\.csv$/);
  const records = parseCsv(readFileSync(await download.path(), "utf-8"));
  expect(records[0]).toEqual(["customer", "customer_id", "credited_utc", "invoice", "line", "currency", "public_price", "partner_price", "cashback"]);
  expect(records).toHaveLength(2);
  expect(records[1][0]).toBe("Bea Baker");
  expect(records[1][1]).toBe(bakery);
  expect(records[1][8]).toBe("1.98");

  // Tick the bakery: the menu at the bottom exports its history alone.
  await page.getByRole("checkbox", { name: /Tick Bea Baker/ }).check();
  const bar = page.getByTestId("ticked-bar");
  await expect(bar).toContainText("1 customer ticked");
  await checkAccessibility(page, "the Reseller area with a customer ticked");
  const [ticked] = await Promise.all([page.waitForEvent("download"), bar.getByRole("button", { name: "Export their history" }).click()]);
  const invoices = parseCsv(readFileSync(await ticked.path(), "utf-8"));
  expect(invoices[0].slice(0, 3)).toEqual(["customer", "customer_id", "invoice"]);
  // Limited access does not open the bakery's own invoices to the agency.
  expect(invoices).toHaveLength(1);
  for (const other of [bea, pol]) {
    expect(other.errors).toEqual([]);
    await other.context.close();
  }
});
