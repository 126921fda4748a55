import { Page } from "@playwright/test";
import { test, expect, hydrated, checkAccessibility, receivedMail, signInAs, openOrganization, openFromMenu, operator, signUp, uniqueEmail, secondBrowser, linkIn } from "./fixtures";

/** On a phone the filters fold behind a "Filters" button: open it (once). */
async function showFilters(page: Page) {
  const toggle = page.getByRole("button", { name: /^Filters/ });
  if ((await toggle.isVisible()) && (await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await expect(page.getByLabel("Search by name")).toBeVisible();
}

async function openProducts(page: Page, mobile: boolean) {
  if (mobile) await page.getByRole("button", { name: "Menu", exact: true }).click();
  await page.locator("#side-menu").getByRole("link", { name: "Products" }).click();
  await expect(page.getByRole("heading", { name: "Products", level: 1 })).toBeVisible();
}

test("products: list, filter, search, pages and a product's page", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "bruno@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openProducts(page, mobile);
  const rows = page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(20);
  await checkAccessibility(page, "product list");

  // The next page continues where the first stopped.
  const firstOnPageOne = await rows.first().locator("a").textContent();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(rows.first().locator("a")).not.toHaveText(firstOnPageOne ?? "");
  await page.getByRole("link", { name: "First page" }).click();
  await expect(rows.first().locator("a")).toHaveText(firstOnPageOne ?? "");

  // Filter by kind and search by name.
  if (mobile) await expect(page.getByLabel("Search by name")).toBeHidden();
  await showFilters(page);
  await page.getByLabel("Kind").selectOption("domain");
  await page.getByLabel("Search by name").fill("cafe");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/kind=domain/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("cafe-du-lac.ch");
  // The button says how many filters are on (it shows on phones only).
  if (mobile) await expect(page.getByTestId("active-filters")).toHaveText("2");

  // Sort by expiry: the soonest first.
  await page.getByLabel("Search by name").fill("");
  await page.getByLabel("Kind").selectOption("");
  await page.getByLabel("Sort by").selectOption("expiry");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=expiry/);
  await expect(rows.first()).toContainText("Expired");
  // Opened afresh, the page shows the order in use (the select is not blank).
  await page.reload();
  await hydrated(page);
  await showFilters(page);
  await expect(page.getByLabel("Sort by")).toHaveValue("expiry");
  await expect(page.getByLabel("Kind")).toHaveValue("");
  await checkAccessibility(page, "product list sorted by expiry");

  // A product's page: holder apart from who pays.
  await page.getByLabel("Sort by").selectOption("name");
  await page.getByLabel("Search by name").fill("cafe-du-lac.ch");
  await page.getByRole("button", { name: "Apply" }).click();
  await rows.first().getByRole("link", { name: "cafe-du-lac.ch" }).click();
  await expect(page.getByTestId("product-name")).toHaveText("cafe-du-lac.ch");
  await expect(page.getByTestId("product-holder")).toContainText("cafe du lac SA");
  await expect(page.getByTestId("product-holder")).toContainText("CH-1003 Lausanne");
  await expect(page.getByTestId("product-holder")).toContainText("contact@cafe-du-lac.ch");
  await expect(page.getByTestId("product-payer")).toHaveText("Helvetia Web Agency");
  await checkAccessibility(page, "product page");
});

test("a collaborator sees only their products; an empty list says which organization and account", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "david@demo.steward.test");
  await openOrganization(page, "Helvetia Web Agency");
  await openProducts(page, mobile);
  const rows = page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(page.getByText("that were made available to you")).toBeVisible();

  // David's personal organization has no products: the page says where and for whom.
  await openOrganization(page, "David Meier");
  await openProducts(page, mobile);
  const empty = page.getByTestId("no-products");
  await expect(empty).toContainText("David Meier");
  await expect(empty).toContainText("david@demo.steward.test");
  await checkAccessibility(page, "empty product list");
});

test("tags: tag selected products, filter by tag, rename on the tag page", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  await signInAs(page, "giulia@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  await openProducts(page, mobile);
  const rows = page.getByTestId("products").locator("tbody tr");
  await expect(rows).toHaveCount(5);

  // Select two products and put a new tag on them.
  // New each run: a run that stopped halfway, or a second run on the same database, finds no
  // leftover tag of this name.
  const tagName = `Shop ${testInfo.project.name} ${Date.now().toString(36)}`;
  await page.getByRole("checkbox", { name: "Select lakeside-bakery.ch" }).check();
  await page.getByRole("checkbox", { name: "Select lakeside-bakery.com" }).check();
  await expect(page.getByRole("heading", { name: "2 products selected" })).toBeVisible();
  await page.getByLabel("New tag name").fill(tagName);
  await page.getByLabel("Colour", { exact: true }).selectOption("green");
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(rows.filter({ hasText: tagName })).toHaveCount(2);
  await checkAccessibility(page, "product list with tags");

  // Filter by the tag.
  await showFilters(page);
  await page.getByLabel("Tag", { exact: true }).selectOption({ label: tagName });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/tag=\d+/);
  await expect(rows).toHaveCount(2);

  // Rename it on the tag page.
  await page.getByRole("link", { name: "Manage tags" }).click();
  await expect(page.getByRole("heading", { name: "Tags", level: 1 })).toBeVisible();
  await checkAccessibility(page, "tag page");
  await page.getByLabel(`Name of ${tagName}`).fill(`${tagName} renamed`);
  await page.getByRole("button", { name: `Save ${tagName}` }).click();
  await expect(page.getByTestId("tags")).toContainText(`${tagName} renamed`);
});

test("blocking a product: collaborators see it but cannot manage it, and everyone is emailed", async ({ page, browser }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  // Chloé, a collaborator, was given this one.
  const product = "lakeside-bakery.ch";
  await signInAs(page, "felix@demo.steward.test");
  await openOrganization(page, "Lakeside Bakery");
  await openProducts(page, mobile);
  await page.getByTestId("products").getByRole("link", { name: product, exact: true }).click();
  await expect(page.getByTestId("product-name")).toHaveText(product);
  await hydrated(page);
  // A run that stopped halfway may have left it blocked: start from unblocked.
  const leftover = page.getByRole("button", { name: "Unblock product management" });
  if (await leftover.isVisible()) {
    await leftover.click();
    await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
  }

  const since = Date.now() - 1000;
  await page.getByTestId("more-actions").getByText("More actions").click();
  await page.getByRole("button", { name: "Block product management" }).click();
  await checkAccessibility(page, "block confirmation");
  await page.getByRole("button", { name: "Confirm: block" }).click();
  await expect(page.getByTestId("blocked-banner")).toContainText("Management blocked by Felix Weber");
  const mail = await receivedMail("chloe@demo.steward.test", `Management of ${product} is blocked`, 20_000, since);
  expect(mail).toContain(`Felix Weber blocked the management of ${product}`);

  // Chloé, a collaborator with access, in her own browser.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: testInfo.project.use.viewport });
  const chloe = await context.newPage();
  const errors: string[] = [];
  chloe.on("pageerror", (e) => errors.push(e.message));
  await signInAs(chloe, "chloe@demo.steward.test");
  const organizationId = await page.evaluate(() => location.pathname.split("/")[2]);
  await chloe.goto(`/o/${organizationId}/products`);
  await hydrated(chloe);
  const row = chloe.getByTestId("products").locator("tbody tr").filter({ has: chloe.getByRole("link", { name: product, exact: true }) });
  await expect(row).toContainText("Blocked");
  await row.getByRole("checkbox").check();
  await chloe.getByLabel("New tag name").fill("Not allowed");
  await chloe.getByRole("button", { name: "Add tag" }).click();
  await expect(chloe.getByRole("alert").filter({ hasText: "blocked by an administrator" })).toBeVisible();
  expect(errors).toEqual([]);
  await context.close();

  // Unblock again: the demo data is shared with the other tests.
  await page.getByRole("button", { name: "Unblock product management" }).click();
  await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
});

test("move a product to another organization: its legal representative accepts it in their own browser", async ({ page, browser }, testInfo) => {
  const run = Date.now().toString(36);
  // The giver: a new customer who buys a domain, paid from the prepaid balance.
  const giverEmail = uniqueEmail("giver");
  await signUp(page, giverEmail, "Gina", "Giver");
  await openFromMenu(page, testInfo, "Billing addresses");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Gina Giver");
  await page.getByLabel("Street and number").fill("Rue du Marché 3");
  await page.getByLabel("Postal code").fill("1204");
  await page.getByLabel("City").fill("Genève");
  await page.getByRole("button", { name: "Add the address" }).click();
  await expect(page.getByTestId("default-address")).toHaveCount(1);
  await openFromMenu(page, testInfo, "Prepaid account");
  await hydrated(page);
  const reference = (await page.getByTestId("slip-reference").textContent()) ?? "";
  expect(operator("record-transfer", "--reference", reference, "--amount", "30.00", "--currency", "CHF", "--transfer", `move-${run}-${testInfo.project.name}`)).toContain("Credited CHF 30.00");
  await openFromMenu(page, testInfo, "Shop");
  await hydrated(page);
  const domain = `moving-${run}-${testInfo.project.name}.ch`;
  await page.getByLabel("Domain name").fill(domain);
  await page.getByLabel("Number of years").fill("1");
  await page.getByRole("button", { name: "Add to the cart" }).click();
  await expect(page.getByTestId("cart-line").filter({ hasText: domain })).toBeVisible();
  await page.getByLabel(/Prepaid balance \(CHF 30\.00\)/).check();
  await page.getByTestId("place-order").click();
  await expect(page.getByTestId("order-placed")).toContainText("Paid");

  // The receiver: someone else, legal representative of their own new organization.
  const receiverEmail = uniqueEmail("receiver");
  const other = await secondBrowser(browser, testInfo);
  await signUp(other.page, receiverEmail, "Rico", "Receiver");
  const receiving = await other.page.evaluate(() => location.pathname.split("/")[2]);

  // The giver asks, from the product's page.
  await openFromMenu(page, testInfo, "Products");
  await hydrated(page);
  await page.getByRole("link", { name: domain }).click();
  await expect(page.getByTestId("product-name")).toHaveText(domain);
  await hydrated(page);
  const panel = page.getByTestId("move-panel");
  await panel.getByLabel("Email of a legal representative of the receiving organization").fill(receiverEmail);
  const since = Date.now() - 1000;
  await panel.getByRole("button", { name: "Send the request" }).click();
  await expect(panel.getByTestId("move-pending")).toContainText(`Waiting for ${receiverEmail}`);
  await checkAccessibility(page, "product page with a move waiting");

  // The receiver opens the emailed link in their browser and accepts it.
  const link = linkIn(await receivedMail(receiverEmail, `wants to move ${domain} to you`, 20_000, since), "/product-move");
  await other.page.goto(link);
  await hydrated(other.page);
  await expect(other.page.getByRole("heading", { name: `Gina Giver wants to move ${domain} to you` })).toBeVisible();
  await expect(other.page.getByTestId("move-facts")).toContainText("Domain name");
  await checkAccessibility(other.page, "the link to accept a product");
  await other.page.getByRole("button", { name: "Accept the product" }).click();
  await expect(other.page).toHaveURL(new RegExp(`/o/${receiving}/products/\\d+$`));
  await hydrated(other.page);
  await expect(other.page.getByTestId("product-name")).toHaveText(domain);
  await expect(other.page.getByTestId("product-payer")).toHaveText("Rico Receiver");
  await checkAccessibility(other.page, "a product just received");

  // The giver is told, and the product has left their list.
  await receivedMail(giverEmail, `${domain} moved to Rico Receiver`, 20_000, since);
  await openFromMenu(page, testInfo, "Products");
  await hydrated(page);
  await expect(page.getByRole("link", { name: domain })).toHaveCount(0);
  expect(other.errors).toEqual([]);
  await other.context.close();
});
