import { test, expect, expectRefusal, hydrated, checkAccessibility, openFromMenu, operator, signUp, uniqueEmail, expectNoSidewaysScroll } from "./fixtures";

test("the shop: two products in the cart, a promo code on one, paid from the prepaid balance, its invoice as a PDF", async ({ page }, testInfo) => {
  expectRefusal(page, "/api/update_cart_line");
  expectRefusal(page, "/api/apply_promo_code");
  expectRefusal(page, "/api/request_withdrawal");
  const run = Date.now().toString(36);
  const email = uniqueEmail("shopper");
  await signUp(page, email, "Sam", "Shopper");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);

  // A billing address first (invoices need one), then CHF 50.00 paid in by bank transfer.
  await openFromMenu(page, testInfo, "Billing addresses");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Sam Shopper");
  await page.getByLabel("Street and number").fill("Rue du Marché 3");
  await page.getByLabel("Postal code").fill("1204");
  await page.getByLabel("City").fill("Genève");
  await page.getByRole("button", { name: "Add the address" }).click();
  await expect(page.getByTestId("default-address")).toHaveCount(1);
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  const reference = (await page.getByTestId("slip-reference").textContent()) ?? "";
  expect(operator("record-transfer", "--reference", reference, "--amount", "50.00", "--currency", "CHF", "--transfer", `e2e-${run}-${testInfo.project.name}`)).toContain("Credited CHF 50.00");
  const code = `E2E-${run}-${testInfo.project.name}`.toUpperCase();
  expect(operator("create-promo-code", "--code", code, "--percent", "20", "--kinds", "domain")).toContain("created");

  // The cart: a domain for two years, a wrong code refused, the right one taken off.
  await openFromMenu(page, testInfo, "Shop");
  await hydrated(page);
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  const domain = `journey-${run}-${testInfo.project.name}.ch`;
  await page.getByLabel("Domain name").fill(domain);
  await page.getByLabel("Number of years").fill("2");
  await page.getByRole("button", { name: "Add to the cart" }).click();
  const line = page.getByTestId("cart-line").filter({ hasText: domain });
  await expect(line).toContainText(`Domain name ${domain}`);
  await expect(line.getByTestId("line-net")).toHaveText("CHF 26.00");
  // One promo-code field for the whole cart.
  const promo = page.getByLabel("Promo code", { exact: true });
  await promo.fill("NOT-A-CODE");
  await page.getByRole("button", { name: "Apply the code" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "There is no promo code NOT-A-CODE" })).toBeVisible();
  // A second product: a mail service for a month.
  await page.getByLabel("Product", { exact: true }).first().selectOption("mail_service");
  await page.getByLabel("Name", { exact: true }).fill("team mail");
  await page.getByLabel("Number of months").fill("1");
  await page.getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  // The code finds the line it fits (a domain), and says so there.
  await promo.fill(code.toLowerCase());
  await page.getByRole("button", { name: "Apply the code" }).click();
  await expect(page.getByTestId("promo-applied")).toContainText(`${code} applied to Domain name ${domain}`);
  await expect(line).toContainText(`Promo code ${code}`);
  // 26.00 − 20 % = 20.80, plus 1.92 for the mail service: 22.72; VAT 8.1 % = 1.84; 24.56
  // rounds to 24.55.
  await expect(line.getByTestId("line-net")).toHaveText("CHF 20.80");
  await expect(page.getByTestId("cart-line").filter({ hasText: "team mail" })).not.toContainText(`Promo code ${code}`);
  const totals = page.getByTestId("cart-totals");
  await expect(totals).toContainText("VAT 8.1 % on CHF 22.72");
  await expect(totals).toContainText("Rounding to 0.05");
  await expect(page.getByTestId("cart-total")).toHaveText("CHF 24.55");
  await checkAccessibility(page, "shop with a cart");
  await expectNoSidewaysScroll(page, "shop");

  // Paid from the balance.
  await page.getByLabel(/Prepaid balance \(CHF 50\.00\)/).check();
  await page.getByTestId("place-order").click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toContainText(/Order placed: invoice CHF-\d{6}/);
  await expect(placed).toContainText("Paid (CHF 24.55)");
  await expect(page.getByTestId("cart-empty")).toBeVisible();

  // The invoice, as a PDF the browser can open.
  const pdfHref = await placed.getByRole("link", { name: "Invoice (PDF)" }).getAttribute("href");
  const pdf = await page.request.get(pdfHref ?? "");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await openFromMenu(page, testInfo, "Invoices");
  await hydrated(page);
  const row = page.getByTestId("invoice-row").first();
  await expect(row).toContainText("CHF 24.55");
  await expect(row).toContainText("Paid from the prepaid balance");
  await expect(row).toContainText(`Domain name ${domain}, 2 years`);
  await checkAccessibility(page, "invoices");
  await expectNoSidewaysScroll(page, "invoices");

  // What is left on the balance, and the domain among the products.
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  await expect(page.getByTestId("balance-chf")).toHaveText("CHF 25.45");

  // The rest requested back to a bank account: a mistyped IBAN is caught by its check digits.
  // The amount starts empty: nobody sends the whole balance away by pressing Enter.
  await expect(page.getByLabel("Amount", { exact: true })).toHaveValue("");
  await expect(page.locator("#withdraw-amount-hint")).toHaveText("At most the balance: CHF 25.45.");
  await page.getByLabel("Amount", { exact: true }).fill("25.45");
  await page.getByLabel("IBAN", { exact: true }).fill("CH93 0076 2011 6238 5295 8");
  await page.getByLabel("Account holder").fill("Sam Shopper");
  await page.getByRole("button", { name: "Request the money back" }).click();
  await expect(page.locator("#withdraw-destination-error")).toContainText("check digits do not match");
  await page.getByLabel("IBAN", { exact: true }).fill("CH93 0076 2011 6238 5295 7");
  await page.getByRole("button", { name: "Request the money back" }).click();
  await expect(page.getByTestId("balance-chf")).toHaveText("CHF 0.00");
  const withdrawal = page.getByTestId("withdrawals").locator("tbody tr").first();
  await expect(withdrawal).toContainText("CH93 0076 2011 6238 5295 7");
  await expect(withdrawal).toContainText("Requested: reserved until it is paid out");
  await checkAccessibility(page, "prepaid account with a withdrawal");
  await page.goto(`/o/${organizationId}/products`);
  await hydrated(page);
  await expect(page.getByRole("link", { name: domain })).toBeVisible();

  // A billing email turned off: saved at once, still off after a reload.
  await openFromMenu(page, testInfo, "Billing notifications");
  await hydrated(page);
  await page.getByLabel("Invoice issued").uncheck();
  await expect(page.getByTestId("status-invoice_issued")).toHaveText("Saved");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Invoice issued")).not.toBeChecked();
});

test("a bank-transfer order waits with its reference and can be cancelled", async ({ page }, testInfo) => {
  const email = uniqueEmail("transfer");
  await signUp(page, email, "Tia", "Transfer");
  await openFromMenu(page, testInfo, "Billing addresses");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Tia Transfer");
  await page.getByLabel("Street and number").fill("Bahnhofstrasse 1");
  await page.getByLabel("Postal code").fill("8001");
  await page.getByLabel("City").fill("Zürich");
  await page.getByRole("button", { name: "Add the address" }).click();
  await expect(page.getByTestId("default-address")).toHaveCount(1);

  await openFromMenu(page, testInfo, "Shop");
  await hydrated(page);
  await page.getByLabel("Product", { exact: true }).first().selectOption("drive");
  await page.getByLabel("Name", { exact: true }).fill("Archive");
  await page.getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByTestId("cart-total")).toHaveText("CHF 64.85");
  // The balance is empty: bank transfer is the choice.
  await expect(page.getByLabel(/Prepaid balance/)).toBeDisabled();
  await page.getByTestId("place-order").click();
  await expect(page.getByTestId("order-reference")).toHaveText(/^RF\d\d STWO/);

  await openFromMenu(page, testInfo, "Invoices");
  await hydrated(page);
  const row = page.getByTestId("invoice-row").first();
  await expect(row).toContainText("Awaiting bank transfer");
  await row.getByRole("button", { name: /Cancel/ }).click();
  await checkAccessibility(page, "cancel an order");
  await page.getByRole("button", { name: "Cancel the order" }).click();
  await expect(row).toContainText("Cancelled");
  await expect(row.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
});
