import { test, expect, hydrated, checkAccessibility, expectNoSidewaysScroll, signInAs, openOrganization, openFromMenu } from "./fixtures";

test("a domain in redemption is restored through the cart: the restore fee and one renewal", async ({ page }, testInfo) => {
  // One demo domain per browser project: both lapsed five or six days ago (.ch: no renewal at
  // the normal price after expiry, 40 days of redemption).
  const domain = testInfo.project.name === "mobile" ? "trail-run-2024.ch" : "trail-run-2025.ch";
  await signInAs(page, "alice@demo.steward.test");
  await openOrganization(page, "Alpine Trail Club");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);

  // The list says where it stands, until when and for how much.
  await page.goto(`/o/${organizationId}/products?search=${domain}`);
  await hydrated(page);
  const row = page.getByTestId("products").locator("tbody tr").filter({ hasText: domain });
  await expect(row).toContainText(/in redemption — restore until \d{2}\.\d{2}\.\d{4} for CHF 50\.00 \+ renewal/);

  // Its page: the same words on a banner, the extension's rules, the exact quote.
  await row.getByRole("link", { name: domain }).click();
  await hydrated(page);
  await expect(page.getByTestId("domain-standing")).toContainText("In redemption — restore until");
  await expect(page.getByTestId("domain-rules")).toContainText("Rules of .ch");
  const quote = page.getByTestId("restore-quote");
  await expect(quote).toContainText("restore fee CHF 50.00 + one year of renewal CHF 13.00 = CHF 63.00, VAT excluded");
  await checkAccessibility(page, "domain in redemption");
  await expectNoSidewaysScroll(page, "domain in redemption");

  // Restore: the cart shows the line with both parts, and the total with VAT before paying.
  await quote.getByRole("button", { name: "Restore" }).click();
  await expect(page).toHaveURL(/billing\/shop/);
  await hydrated(page);
  const line = page.getByTestId("cart-line").filter({ hasText: domain });
  await expect(line).toContainText(`Restore of Domain name ${domain}: restore fee CHF 50.00 + renewal CHF 13.00`);
  // 63.00 + 8.1 % VAT = 68.103, rounded to 68.10.
  await expect(page.getByTestId("cart-total")).toHaveText("CHF 68.10");
  await checkAccessibility(page, "cart with a restore");
  await page.getByLabel(/Prepaid balance/).check();
  await page.getByTestId("place-order").click();
  await expect(page.getByTestId("order-placed")).toContainText("Paid (CHF 68.10)");

  // The invoice names the restore; the domain is active again.
  await openFromMenu(page, testInfo, "Invoices");
  await hydrated(page);
  const invoice = page.getByTestId("invoice-row").filter({ hasText: domain });
  await expect(invoice).toContainText(`Restore of Domain name ${domain} (restore fee + renewal), 1 year`);
  await expect(invoice).toContainText("CHF 68.10");
  await page.goto(`/o/${organizationId}/products?search=${domain}`);
  await hydrated(page);
  await expect(row).toContainText("Active");
  await expect(row).not.toContainText("redemption");
});

test("a released domain is gone from the list and kept in the history", async ({ page }) => {
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await page.goto(`/o/${organizationId}/products?search=summer-campaign`);
  await hydrated(page);
  await expect(page.getByTestId("no-products")).toBeVisible();
  await page.goto(`/o/${organizationId}/domains/released`);
  await hydrated(page);
  await expect(page.getByTestId("released-domains")).toContainText("summer-campaign.fr");
  await checkAccessibility(page, "released domains");
  // A domain still in its grace period says until when it renews at the normal price.
  await page.goto(`/o/${organizationId}/products?search=helvetia-agency.com`);
  await hydrated(page);
  await expect(page.getByTestId("products").locator("tbody tr").first()).toContainText(
    /expired 3 days ago — renew at the normal price until \d{2}\.\d{2}\.\d{4}/,
  );
});

test("a failed transfer shows why on a red banner and restarts free with the right code", async ({ page }, testInfo) => {
  // One demo transfer per browser project; the simulated registrar's code is BERG-2026-OK.
  const domain = testInfo.project.name === "mobile" ? "bergbahn-tickets.net" : "bergbahn-tickets.com";
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await page.goto(`/o/${organizationId}/products?search=${domain}`);
  await hydrated(page);
  // The list tells the truth: not "Active" with no expiry, but a failed transfer.
  const listed = page.getByTestId("products").locator("tbody tr").filter({ hasText: domain });
  await expect(listed).toContainText("transfer failed: open it to see why and restart");
  await expect(listed).toContainText("After the transfer");
  await page.getByTestId("products").getByRole("link", { name: domain }).click();
  await hydrated(page);
  const banner = page.getByTestId("transfer-banner");
  await expect(banner).toContainText(`The transfer of ${domain} failed`);
  await expect(banner).toContainText("not the one the current registrar gave");
  await expect(banner).toContainText("Ask the current registrar for the authorization code again");
  await checkAccessibility(page, "failed transfer");
  await expectNoSidewaysScroll(page, "failed transfer");

  // Still a wrong code: one more try, said on the banner.
  await banner.getByLabel("Authorization code").fill("BERG-2026-KO");
  await banner.getByRole("button", { name: "Restart the transfer" }).click();
  await expect(banner).toContainText("Tries so far: 2");
  // The right one: transferred, the banner gone.
  await banner.getByLabel("Authorization code").fill("BERG-2026-OK");
  await banner.getByRole("button", { name: "Restart the transfer" }).click();
  await expect(page.getByTestId("transfer-done")).toBeVisible();
  await expect(page.getByTestId("transfer-banner")).toHaveCount(0);
});
