// A customer's first hour (issue 25), acted as a person acts: typing what they type, reading
// what the page shows, at both widths (the desktop and mobile projects).
import type { Locator, Page } from "@playwright/test";
import {
  test,
  expect,
  hydrated,
  visit,
  checkAccessibility,
  expectNoSidewaysScroll,
  uniqueEmail,
  PASSWORD,
  receivedMail,
  signInAs,
  openOrganization,
  openFromMenu,
  expectRefusal,
  operator,
} from "./fixtures";

/** The 6-digit code of the newest "Confirm your email address" message to `email`. */
async function emailedCode(email: string, since = 0): Promise<string> {
  const body = await receivedMail(email, "Confirm your email address", 20_000, since);
  const code = body.match(/^\s+(\d{6})\s*$/m)?.[1];
  if (!code) throw new Error(`no code in:\n${body}`);
  return code;
}

/** Fails when two of these controls' boxes overlap (both visible). */
async function expectApart(controls: Locator, label: string) {
  const boxes = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    if (box) boxes.push(box);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap, `${label}: controls ${i} and ${j} overlap (${JSON.stringify(a)} / ${JSON.stringify(b)})`).toBe(false);
    }
  }
}

test("sign up for a company by typing the emailed code, after correcting the address; the first landing's next steps", async ({ page }, testInfo) => {
  expectRefusal(page, "/api/resend_sign_up_code");
  const typo = uniqueEmail("typo");
  const email = uniqueEmail("lumen");
  await visit(page, "/signup");
  await page.getByLabel("For a company or an association").check();
  await page.getByLabel("Company or association name").fill("Atelier Lumen Sàrl");
  await page.getByLabel("First name").fill("Lina");
  await page.getByLabel("Last name").fill("Lumen");
  await page.getByLabel("Email address").fill(typo);
  await page.getByLabel("Password").fill(PASSWORD);
  await checkAccessibility(page, "sign-up form for a company");
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByTestId("sign-up-started")).toContainText(typo);
  await expect(page.getByLabel("Code from the email")).toHaveValue("");

  // The address was mistyped: back to the form, which still holds what was typed.
  await page.getByRole("button", { name: "Change the address" }).click();
  await expect(page.getByLabel("First name")).toHaveValue("Lina");
  await expect(page.getByLabel("Company or association name")).toHaveValue("Atelier Lumen Sàrl");
  await page.getByLabel("Email address").fill(email);
  const since = Date.now() - 1000;
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByTestId("sign-up-started")).toContainText(email);

  // A fresh, empty code field; asking for another code at once is answered with patience.
  const field = page.getByLabel("Code from the email");
  await expect(field).toHaveValue("");
  await page.getByRole("button", { name: "Send the code again" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "less than a minute ago" })).toBeVisible();
  await checkAccessibility(page, "sign-up code step");

  // Typed as a person types it, key by key, and sent with Enter.
  const code = await emailedCode(email, since);
  await field.click();
  await page.keyboard.type(code);
  await expect(field).toHaveValue(code);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("organization-name")).toHaveText("Atelier Lumen Sàrl");
  await expect(page.getByTestId("my-role")).toHaveText("Legal representative");

  // The first landing: next steps for what a legal representative may do, not empty lists.
  const overview = new URL(page.url()).pathname;
  await expect(page.getByTestId("next-steps")).toContainText("Welcome! Where would you like to start?");
  for (const id of ["order-domain", "transfer-domain", "invite-people", "two-factor"]) {
    await expect(page.getByTestId(`step-${id}`)).toBeVisible();
  }
  await expect(page.getByTestId("dashboard-due")).toHaveCount(0);
  await expect(page.getByTestId("dashboard-activity")).toHaveCount(0);
  await checkAccessibility(page, "first landing");
  await expectNoSidewaysScroll(page, "first landing");
  await page.screenshot({ path: testInfo.outputPath("first-landing.png"), fullPage: true });

  // Inviting the team is done from its step; back on the overview, that step is gone.
  await page.getByTestId("step-invite-people").getByRole("link").click();
  await page.getByLabel("Email address").fill(uniqueEmail("colleague"));
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByTestId("invitation-sent")).toBeVisible();
  await visit(page, overview);
  await expect(page.getByTestId("step-invite-people")).toHaveCount(0);
  await expect(page.getByTestId("step-order-domain")).toBeVisible();
  await expect(page.getByTestId("dashboard-invitations")).toBeVisible();
});

test("Modify the role opens on the person's current role, and the row's controls never overlap", async ({ page }, testInfo) => {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Users");
  await hydrated(page);
  const rows = page.getByTestId("members").locator("tbody tr");
  for (const row of await rows.all()) await expectApart(row.locator(".row-actions > *"), "a member's actions");
  await expectNoSidewaysScroll(page, "users");

  const alice = page.getByTestId("members").locator("tbody tr", { hasText: "Alice" });
  await expect(alice).toContainText("Administrator");
  await alice.locator("summary", { hasText: "Modify the role" }).click();
  const select = page.getByLabel(/New role for Alice/);
  await expect(select).toHaveValue("administrator");
  await expect(select.locator("option:checked")).toHaveText("Administrator (current)");
  const save = alice.getByRole("button", { name: "Save" });
  await expect(save).toBeDisabled();
  await expectApart(alice.locator(".row-actions > *"), "Alice's actions with the role menu open");
  await checkAccessibility(page, "role menu open on the current role");
  // Choosing another role and coming back leaves nothing to save.
  await select.selectOption("collaborator");
  await expect(save).toBeEnabled();
  await select.selectOption("administrator");
  await expect(save).toBeDisabled();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("members").locator("tbody tr", { hasText: "Alice" })).toContainText("Administrator");
});

test("a collaborator with billing rights sees the balance but finds no way to send it away", async ({ page }, testInfo) => {
  // David: a collaborator of the agency with billing rights on two of its products.
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  await expect(page.getByTestId("balance-chf")).toBeVisible();
  await expect(page.getByTestId("withdrawal-for-legal-representatives")).toContainText(
    "Only the organization's legal representatives can request the balance back",
  );
  await expect(page.getByRole("button", { name: "Request the money back" })).toHaveCount(0);
  await expect(page.getByLabel("IBAN", { exact: true })).toHaveCount(0);
  await checkAccessibility(page, "prepaid account without withdrawal");
});

/** Amounts and dates as a person in Switzerland reads them, never split over two lines. */
async function expectSwissFigures(page: Page) {
  const texts = await page.locator("td.amount").allInnerTexts();
  for (const text of texts) expect(text, "an amount").toMatch(/^(CHF|EUR) -?\d{1,3}('\d{3})*\.\d{2}$/);
  for (const cell of await page.locator("td.amount").all()) {
    const box = await cell.boundingBox();
    const lineHeight = await cell.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    if (box) expect(box.height, "an amount on one line").toBeLessThan(lineHeight * 2 + 16);
  }
}

test("money and dates read the Swiss way on the prepaid account", async ({ page }, testInfo) => {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  await expect(page.getByTestId("balance-chf")).toHaveText(/^CHF \d{1,3}('\d{3})*\.\d{2}$/);
  const dates = await page.getByTestId("ledger").locator("td[data-label=Date]").allInnerTexts();
  expect(dates.length).toBeGreaterThan(0);
  for (const date of dates) expect(date).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
  await expectSwissFigures(page);
  await expectNoSidewaysScroll(page, "prepaid account");
});

/** Reads the Swiss QR Code on the page as a banking app would: from its picture. */
async function scanQrBill(page: Page): Promise<string[]> {
  const { PNG } = await import("pngjs");
  const jsQR = (await import("jsqr")).default;
  // Shown large enough for a decoder working from pixels, and clear of the sticky top bar.
  const code = page.getByTestId("qr-bill");
  await code.evaluate((el) => {
    const style = (el as SVGElement).style;
    style.width = "min(480px, 90vw)";
    style.maxWidth = "none";
    el.scrollIntoView({ block: "center" });
  });
  const shot = await code.screenshot({ scale: "device" });
  const png = PNG.sync.read(shot);
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!found) throw new Error("the QR-bill's code does not scan");
  return found.data.split(/\r?\n/);
}

test("topping up: the QR-bill scans to the operator's IBAN, the amount and the reference", async ({ page }, testInfo) => {
  expectRefusal(page, "/api/top_up_slip");
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  const details = page.getByTestId("slip-details");
  await expect(details).toContainText("Steward Hosting Sàrl");
  await expect(page.getByTestId("slip-iban")).toHaveText("CH58 0079 1123 0008 8901 2");
  const reference = (await page.getByTestId("slip-reference").innerText()).trim();
  expect(reference).toMatch(/^RF\d\d( [A-Z0-9]{1,4})+$/);
  await expect(page.getByTestId("slip-amount")).toHaveText("Your choice, in CHF");

  // Without an amount, the payer's bank asks for it.
  let lines = await scanQrBill(page);
  expect(lines.slice(0, 4)).toEqual(["SPC", "0200", "1", "CH5800791123000889012"]);
  expect(lines[5]).toBe("Steward Hosting Sàrl");
  expect(lines[18]).toBe("");
  expect(lines[19]).toBe("CHF");
  expect(lines[27]).toBe("SCOR");
  expect(lines[28]).toBe(reference.replace(/ /g, ""));
  expect(lines[30]).toBe("EPD");

  // With an amount typed the Swiss way, the code carries it.
  await page.getByLabel("Amount to top up").fill("1'250.50");
  await page.getByRole("button", { name: "Put it in the QR-bill" }).click();
  await expect(page.getByTestId("slip-amount")).toHaveText("CHF 1'250.50");
  lines = await scanQrBill(page);
  expect(lines[18]).toBe("1250.50");
  expect(lines[28]).toBe(reference.replace(/ /g, ""));
  await checkAccessibility(page, "prepaid account with its QR-bill");
  await expectNoSidewaysScroll(page, "prepaid account with its QR-bill");

  // The printable payment part: a PDF with the same figures.
  const href = await page.getByRole("link", { name: "Print the payment part (PDF)" }).getAttribute("href");
  expect(href).toContain("amount=1250.50");
  const pdf = await page.request.get(href ?? "");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

  // A mistyped amount is named, and the code stays as it was.
  await page.getByLabel("Amount to top up").fill("12,345.678");
  await page.getByRole("button", { name: "Put it in the QR-bill" }).click();
  await expect(page.locator("#top-up-amount-error")).toContainText("Enter an amount");
  await expect(page.getByTestId("slip-amount")).toHaveText("CHF 1'250.50");
});

test("add two products and see the cart change without scrolling", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "giulia@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  await openFromMenu(page, testInfo, "Shop");
  await hydrated(page);
  const run = `${Date.now().toString(36)}-${testInfo.project.name}`;
  const cart = page.locator("#cart");
  for (const [n, name] of [`first-${run}.ch`, `second-${run}.ch`].entries()) {
    await page.getByLabel("Domain name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Add to the cart" }).click();
    const line = page.getByTestId("cart-line").filter({ hasText: name });
    await expect(line).toHaveCount(1);
    // Feedback where the button was pressed; on a wide screen the cart itself is in view.
    await expect(page.getByTestId("added-feedback")).toBeInViewport();
    if (!mobile) {
      await expect(line).toBeInViewport();
      await expect(cart.locator("#cart-heading")).toHaveText(/^Cart \(\d+\)$/);
    }
    expect(n).toBeLessThan(2);
  }
  await checkAccessibility(page, "shop with two new lines");
  await expectNoSidewaysScroll(page, "shop with two new lines");
  // Taken out again, so the bakery's cart is as it was.
  for (const name of [`first-${run}.ch`, `second-${run}.ch`]) {
    await page.getByTestId("cart-line").filter({ hasText: name }).getByRole("button", { name: /Remove/ }).click();
    await expect(page.getByTestId("cart-line").filter({ hasText: name })).toHaveCount(0);
  }
});

test("renew an expiring domain from its page and pay from a topped-up balance", async ({ page }, testInfo) => {
  // The bakery's two domains, one per browser project, each with its year's price with VAT:
  // .com CHF 16.00 + 8.1 % = 17.30, .ch CHF 13.00 + 8.1 % = 14.05. (No other journey counts
  // the bakery's ledger or invoices.)
  const [domain, price] = testInfo.project.name === "mobile" ? ["lakeside-bakery.ch", "14.05"] : ["lakeside-bakery.com", "17.30"];
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);

  // Topping up: the reference from the prepaid page; the bank transfer recorded by the operator.
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  const reference = (await page.getByTestId("slip-reference").innerText()).trim();
  const transfer = `renew-${Date.now().toString(36)}-${testInfo.project.name}`;
  expect(operator("record-transfer", "--reference", reference, "--amount", price, "--currency", "CHF", "--transfer", transfer)).toContain(`Credited CHF ${price}`);

  // The domain's page says when it expires and offers to renew it.
  await page.goto(`/o/${organizationId}/products?search=${domain}`);
  await hydrated(page);
  await page.getByTestId("products").getByRole("link", { name: domain, exact: true }).click();
  await hydrated(page);
  const renewal = page.getByTestId("renewal");
  await expect(renewal).toContainText(/Automatic renewal (on|off)/);
  const expiry = (text: string) => {
    const found = text.match(/(\d{2})\.(\d{2})\.(\d{4})/);
    if (!found) throw new Error(`no date in: ${text}`);
    return found[0];
  };
  const before = expiry(await page.getByTestId("auto-renew-state").innerText());
  await checkAccessibility(page, "a domain with its renewal");
  await renewal.getByRole("button", { name: "Renew", exact: true }).click();

  // Straight into the cart, which says what was added.
  await expect(page).toHaveURL(/billing\/shop/);
  await hydrated(page);
  await expect(page.getByTestId("added-to-cart")).toBeVisible();
  const line = page.getByTestId("cart-line").filter({ hasText: domain });
  await expect(line).toContainText(`Renewal of Domain name ${domain}`);
  await expect(page.getByTestId("cart-total")).toHaveText(`CHF ${price}`);
  await page.getByLabel(/Prepaid balance/).check();
  await page.getByTestId("place-order").click();
  await expect(page.getByTestId("order-placed")).toContainText(`Paid (CHF ${price})`);

  // A year more on the domain's page.
  await page.goto(`/o/${organizationId}/products?search=${domain}`);
  await hydrated(page);
  await page.getByTestId("products").getByRole("link", { name: domain, exact: true }).click();
  await hydrated(page);
  const after = expiry(await page.getByTestId("auto-renew-state").innerText());
  const [d, m, y] = before.split(".");
  expect(after).toBe(`${d}.${m}.${Number(y) + 1}`);
});

test("order a domain while signed out, create the account at checkout, and find the cart waiting", async ({ page }, testInfo) => {
  expectRefusal(page, "/api/add_to_guest_cart");
  const name = `first-shop-${Date.now().toString(36)}-${testInfo.project.name}.ch`;
  await visit(page, "/login");
  await page.getByRole("link", { name: "order a domain" }).click();
  await expect(page).toHaveURL(/\/order$/);
  await hydrated(page);
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  await checkAccessibility(page, "order page");
  await expectNoSidewaysScroll(page, "order page");

  // The domain search comes first: typed, sent with Enter.
  const search = page.getByLabel("Domain name", { exact: true });
  await search.click();
  await page.keyboard.type(name.toUpperCase());
  await page.keyboard.press("Enter");
  const result = page.getByTestId("domain-result");
  await expect(result).toContainText(`${name} is available: CHF 13.00 a year`);
  await result.getByRole("button", { name: "Add to the cart" }).click();
  const cart = page.getByTestId("cart");
  await expect(cart).toContainText(`Domain name ${name}`);
  await expect(page.getByRole("heading", { name: "Cart (1)" })).toBeVisible();
  await expect(page.getByTestId("cart-total")).toHaveText("CHF 13.00");

  // A hosting from the catalogue, which says what it is for and what a month costs.
  const hosting = page.getByTestId("offering-web_hosting");
  await expect(hosting).toContainText("Space for your websites");
  await expect(hosting).toContainText("CHF 9.92 per month");
  await hosting.getByLabel("Name").fill("bakery site");
  await hosting.getByLabel("Months").fill("12");
  await hosting.getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByRole("heading", { name: "Cart (2)" })).toBeVisible();
  await expect(page.getByTestId("cart-total")).toHaveText("CHF 132.04");
  // Searched again, the name in the cart says so when added twice.
  await search.fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  await result.getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is in the cart already" })).toBeVisible();
  await checkAccessibility(page, "order page with a cart");

  // Checkout needs an account: created here, with the cart kept.
  await page.getByTestId("order-create-account").click();
  await expect(page).toHaveURL(/\/signup\?order=1$/);
  await hydrated(page);
  await expect(page.getByTestId("cart-waits")).toBeVisible();
  const email = uniqueEmail("orderer");
  await page.getByLabel("First name").fill("Olga");
  await page.getByLabel("Last name").fill("Order");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  const code = await emailedCode(email);
  const field = page.getByLabel("Code from the email");
  await expect(field).toHaveValue("");
  await field.pressSequentially(code);
  await page.getByRole("button", { name: "Confirm and create my account" }).click();

  // Landed in the new organization's shop, the two lines in its cart.
  await expect(page).toHaveURL(/\/o\/\d+\/billing\/shop\?added=1#cart$/);
  await hydrated(page);
  const lines = page.getByTestId("cart");
  await expect(lines).toContainText(`Domain name ${name}`);
  await expect(lines).toContainText("Web hosting bakery site");
  await expect(page.getByTestId("added-to-cart")).toBeVisible();
  const shop = new URL(page.url()).pathname;

  // The invoice needs an address; then the order waits for a bank transfer with its QR-bill.
  await page.getByRole("link", { name: "add one" }).click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Olga Order");
  await page.getByLabel("Street and number").fill("Marktgasse 3");
  await page.getByLabel("Postal code").fill("3011");
  await page.getByLabel("City").fill("Bern");
  await page.getByRole("button", { name: "Add the address" }).click();
  await expect(page.getByText("CH-3011 Bern")).toBeVisible();
  await visit(page, shop);
  await expect(page.getByTestId("cart")).toContainText(`Domain name ${name}`);
  await page.getByLabel(/Bank transfer/).check();
  await page.getByTestId("place-order").click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toContainText("Order placed: invoice CHF-");
  await expect(placed.getByTestId("qr-bill")).toBeVisible();
  await checkAccessibility(page, "order placed by bank transfer");
  await page.screenshot({ path: testInfo.outputPath("ordered-while-signed-out.png"), fullPage: true });
});

test.describe("times in the person's time zone", () => {
  test.use({ timezoneId: "America/New_York" });

  test("taken from the browser, changed in the profile", async ({ page }, testInfo) => {
    const email = uniqueEmail("zone");
    await visit(page, "/signup");
    await page.getByLabel("First name").fill("Zoe");
    await page.getByLabel("Last name").fill("Zone");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create my account" }).click();
    const code = await emailedCode(email);
    await page.getByLabel("Code from the email").pressSequentially(code);
    await page.getByRole("button", { name: "Confirm and create my account" }).click();
    await expect(page).toHaveURL(/\/o\/\d+$/);
    await hydrated(page);
    const organization = new URL(page.url()).pathname;

    // The browser said where it is: the log's times are on New York's clock (EST in winter).
    await visit(page, `${organization}/activity`);
    const when = page.locator("td[data-label=When]").first();
    await expect(when).toHaveText(/^\d{2}\.\d{2}\.\d{4}\u00a0\d{2}:\d{2}\u00a0E[SD]T$/);
    await visit(page, `${organization}/profile`);
    await expect(page.getByTestId("time-zone-now")).toContainText("Times are shown in America/New_York");
    const select = page.getByLabel("Show times in");
    await expect(select.locator("option:checked")).toHaveText("My browser's (America/New_York)");
    await checkAccessibility(page, "profile with the time zone");

    // Chosen in the profile: every time follows, whatever the browser says.
    await select.selectOption("Europe/Zurich");
    await page.getByRole("button", { name: "Save the time zone" }).click();
    await expect(page.getByTestId("time-zone-now")).toContainText("Times are shown in Europe/Zurich");
    await hydrated(page);
    await visit(page, `${organization}/activity`);
    await expect(page.locator("td[data-label=When]").first()).toHaveText(/\u00a0CES?T$/);
    await expect(page.locator("tbody tr").first()).toContainText("Time zone: Europe/Zurich");
  });
});

test("every product renews from its page, the list switches automatic renewal at once, and the cart is counted in the top bar", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "alice@demo.steward.test");
  await openOrganization(page, "Alpine Trail Club");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  const hosting = "Hosting alpine-trail-club";
  const mail = "Mail alpine-trail-club.ch";

  // The list: two products chosen, their automatic renewal turned on at once.
  await page.goto(`/o/${organizationId}/products?search=alpine-trail-club`);
  await hydrated(page);
  const products = page.getByTestId("products");
  for (const name of [hosting, mail]) await page.getByLabel(`Select ${name}`, { exact: true }).check();
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("batch-renew-status")).toContainText("Automatic renewal changed for 2 products.");
  for (const name of [hosting, mail]) {
    await expect(products.locator("tr", { hasText: name }).getByTestId("renews-itself")).toHaveCount(1);
  }
  await checkAccessibility(page, "products with automatic renewal");

  // A hosting's page: its renewal, and Renew straight into the cart.
  await products.getByRole("link", { name: hosting, exact: true }).click();
  await hydrated(page);
  const renewal = page.getByTestId("renewal");
  await expect(page.getByTestId("auto-renew-state")).toContainText("Automatic renewal on");
  await expect(page.getByTestId("auto-renew-state")).toContainText("for one month (CHF 9.92)");
  await checkAccessibility(page, "a hosting with its renewal");
  await renewal.getByLabel("Months").fill("3");
  await renewal.getByRole("button", { name: "Renew", exact: true }).click();
  await expect(page).toHaveURL(/billing\/shop\?added=1#cart$/);
  await hydrated(page);
  const renewalLine = page.getByTestId("cart-line").filter({ hasText: `Renewal of Web hosting ${hosting}` });
  await expect(renewalLine).toContainText("1 × 3 months");
  const counted = page.getByTestId("topbar-cart");
  await expect(counted).toBeVisible();
  const before = Number(await counted.locator(".count").innerText());
  // The shop no longer lists a switch per product: it says how many renew, and where to switch.
  await expect(page.getByTestId("auto-renew-summary")).toContainText(/\d+ of \d+ products with an expiry renew themselves/);
  await expect(page.locator("#cart-heading")).toBeVisible();

  // The shop opens on a domain search: a taken name says so, a free one goes in the cart.
  await page.getByLabel("Domain to find").fill("alpine-trail-club.ch");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByTestId("domain-result")).toContainText("alpine-trail-club.ch is taken");
  const free = `trail-${Date.now().toString(36)}-${testInfo.project.name}.ch`;
  await page.getByLabel("Domain to find").fill(free);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByTestId("domain-result")).toContainText(`${free} is available: CHF 13.00 a year`);
  await page.getByTestId("domain-result").getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByTestId("cart-line").filter({ hasText: `Domain name ${free}` })).toHaveCount(1);
  await expect(counted.locator(".count")).toHaveText(String(before + 1));
  // On a phone the cart's summary stays in sight at the bottom of the screen.
  const bar = page.getByTestId("cart-summary-bar");
  if (mobile) {
    await expect(bar).toBeInViewport();
    await expect(bar).toContainText(`Cart (${before + 1})`);
  } else {
    await expect(bar).toBeHidden();
  }
  await checkAccessibility(page, "shop with a found domain");
  await expectNoSidewaysScroll(page, "shop with a found domain");

  // The club's cart and renewals as they were.
  for (const text of [`Domain name ${free}`, `Renewal of Web hosting ${hosting}`]) {
    await page.getByTestId("cart-line").filter({ hasText: text }).getByRole("button", { name: /^Remove/ }).click();
    await expect(page.getByTestId("cart-line").filter({ hasText: text })).toHaveCount(0);
  }
  await page.goto(`/o/${organizationId}/products?search=alpine-trail-club`);
  await hydrated(page);
  for (const name of [hosting, mail]) await page.getByLabel(`Select ${name}`, { exact: true }).check();
  await page.getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByTestId("batch-renew-status")).toContainText("Automatic renewal changed for 2 products.");
  for (const name of [hosting, mail]) {
    await expect(products.locator("tr", { hasText: name }).getByTestId("renews-itself")).toHaveCount(0);
  }
});
