import { test, expect, hydrated, visit, checkAccessibility, expectRefusal, uniqueEmail, PASSWORD, confirmSignUp } from "./fixtures";

test("sign up, create and switch organizations, sign out, sign in again", async ({ page }, testInfo) => {
  const mobile = testInfo.project.name === "mobile";
  const email = uniqueEmail("journey");

  // Sign up → the personal organization is shown.
  await visit(page, "/signup");
  await checkAccessibility(page, "sign-up page");
  await page.getByLabel("First name").fill("Joan");
  await page.getByLabel("Last name").fill("Tester");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await confirmSignUp(page, email);
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  const personalUrl = page.url();

  // Without "Keep me signed in" the session cookie ends with the browser (ACC-8).
  const cookie = (await page.context().cookies()).find((c) => c.name === "steward_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  expect(cookie?.expires).toBe(-1);
  await expect(page.getByTestId("organization-name")).toHaveText("Joan Tester");
  await expect(page.getByTestId("current-organization")).toHaveText("Joan Tester");
  await expect(page.getByTestId("my-role")).toHaveText("Legal representative");
  await checkAccessibility(page, "organization overview");

  // Create a second organization from My organizations (through the account menu).
  await page.getByRole("button", { name: /Account menu of Joan Tester/ }).click();
  await page.locator("#account-menu").getByRole("link", { name: "My organizations" }).click();
  await expect(page.getByRole("heading", { name: "My organizations" })).toBeVisible();
  await checkAccessibility(page, "my organizations");
  await page.getByLabel("Name").fill("Second Company");
  await page.getByRole("button", { name: "Create the organization" }).click();
  await expect(page.getByTestId("organization-name")).toHaveText("Second Company");
  expect(page.url()).not.toBe(personalUrl);
  await expect(page.getByTestId("current-organization")).toHaveText("Second Company");

  // Switch back with the switcher, by keyboard: the URL and the content change.
  const switcher = page.getByRole("button", { name: /Organization/ }).first();
  await switcher.focus();
  await page.keyboard.press("Enter");
  const menu = page.locator("#switcher-menu");
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("link", { name: /Second Company/ })).toHaveAttribute("aria-current", "page");
  await checkAccessibility(page, "open switcher");
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(switcher).toBeFocused();
  await switcher.click();
  await menu.getByRole("link", { name: /Joan Tester/ }).click();
  await expect(page).toHaveURL(personalUrl);
  await expect(page.getByTestId("organization-name")).toHaveText("Joan Tester");
  await expect(page.getByTestId("current-organization")).toHaveText("Joan Tester");

  // The side menu: a drawer on a phone.
  if (mobile) {
    const sideMenu = page.locator("#side-menu");
    await expect(sideMenu).toBeHidden();
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    await expect(sideMenu).toBeVisible();
    await checkAccessibility(page, "open drawer");
    await sideMenu.getByRole("link", { name: "Activity" }).click();
    await expect(sideMenu).toBeHidden();
  } else {
    await page.locator("#side-menu").getByRole("link", { name: "Activity" }).click();
  }
  // A legal representative lands on the organization's log; their own is one click away.
  await expect(page.getByRole("heading", { name: "Organization activity" })).toBeVisible();
  await page.getByRole("link", { name: "My activity" }).click();
  await expect(page.getByRole("heading", { name: "My activity" })).toBeVisible();
  await expect(page.getByTestId("activity")).toContainText("Organization created");
  await expect(page.getByTestId("activity")).toContainText("Account created");
  await checkAccessibility(page, "activity");

  // Sign out.
  await page.getByRole("button", { name: /Account menu of Joan Tester/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await checkAccessibility(page, "sign-in page");

  // Wrong password: one generic message, shown next to the form.
  expectRefusal(page, "/api/sign_in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill("not my password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The email address or the password is incorrect." })).toBeVisible();
  await checkAccessibility(page, "sign-in page with an error");

  // Right password → My organizations lists both.
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  await page.goto(page.url() + "/organizations");
  await hydrated(page);
  const list = page.getByTestId("my-organizations");
  await expect(list.getByRole("listitem")).toHaveCount(2);
  await expect(list).toContainText("Joan Tester");
  await expect(list).toContainText("Second Company");
});

test("demo data: a newcomer signs in and sees a populated manager", async ({ page }) => {
  await visit(page, "/login");
  await page.getByLabel("Email address").fill("alice@demo.steward.test");
  await page.getByLabel("Password").fill("steward-demo-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  await page.getByRole("button", { name: /Organization/ }).first().click();
  const menu = page.locator("#switcher-menu");
  const mine = menu.locator('[aria-labelledby="switcher-heading"]');
  await expect(mine.getByRole("listitem")).toHaveCount(3);
  // An administrator of the agency, a partner: she also manages the bakery for it.
  const customers = menu.getByTestId("switcher-customers");
  await expect(customers.getByRole("listitem")).toHaveCount(1);
  await expect(customers).toContainText("Lakeside Bakery");
  await expect(customers).toContainText("for Helvetia Web Agency");
  await mine.getByRole("link", { name: /Helvetia Web Agency/ }).click();
  await expect(page.getByTestId("organization-name")).toHaveText("Helvetia Web Agency");
  await expect(page.getByRole("row")).toHaveCount(6);
  await checkAccessibility(page, "demo organization with members");
});

test("an organization page without a session goes to sign-in; an unknown page says so", async ({ page }) => {
  await page.goto("/o/1");
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  expectRefusal(page, "/no-such-page");
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await checkAccessibility(page, "not-found page");
});

test("sign-up explains a refused password next to the field and keeps what was typed", async ({ page }) => {
  expectRefusal(page, "/api/sign_up");
  await visit(page, "/signup");
  await page.getByLabel("First name").fill("Pat");
  await page.getByLabel("Last name").fill("Common");
  await page.getByLabel("Email address").fill(uniqueEmail("common"));
  await page.getByLabel("Password").fill("password1234");
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.locator("#password-error")).toHaveText(/commonly used passwords/);
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("First name")).toHaveValue("Pat");
  await expect(page).toHaveURL(/\/signup$/);
  await checkAccessibility(page, "sign-up page with a field error");
});

test("keep me signed in gives a cookie that outlives the browser", async ({ page }) => {
  await visit(page, "/login");
  await page.getByLabel("Email address").fill("bruno@demo.steward.test");
  await page.getByLabel("Password").fill("steward-demo-2026");
  await page.getByLabel("Keep me signed in").check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "steward_session");
  const days = ((cookie?.expires ?? 0) - Date.now() / 1000) / 86400;
  expect(days).toBeGreaterThan(29);
  expect(days).toBeLessThan(31);
});
