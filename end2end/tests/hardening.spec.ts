import { test, expect, hydrated, visit, checkAccessibility, uniqueEmail, receivedMail, linkIn, signUp, secondBrowser, PASSWORD } from "./fixtures";

const HOSTILE = "</title><script>window.__pwned = 1</script><title>";

test("a name typed as markup stays text, in the title and on the page", async ({ page }) => {
  await signUp(page, uniqueEmail("hostile"), "Hal", "Hostile");
  const overview = page.url();
  await page.goto(overview + "/settings");
  await hydrated(page);
  await page.getByLabel("Name of the organization").fill(HOSTILE);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByTestId("current-organization")).toHaveText(HOSTILE);

  // Rendered by the server (a fresh load) and by the hydrated page alike.
  await page.goto(overview);
  await hydrated(page);
  await expect(page.getByTestId("organization-name")).toHaveText(HOSTILE);
  await expect(page).toHaveTitle(`${HOSTILE} · Steward`);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // The HTML as the server sent it (the CSP would stop the script anyway: this checks the text).
  const html = await (await page.request.get(overview)).text();
  expect(html).not.toContain("<script>window.__pwned");
  await checkAccessibility(page, "overview with a hostile name");
});

test("forgot my password: a link by email, a new password, every session ended", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("forgot");
  await signUp(page, email, "Fern", "Forgot");
  const home = page.url();

  const { context: other, page: stranger } = await secondBrowser(browser, testInfo);
  await visit(stranger, "/login");
  await stranger.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(stranger).toHaveURL(/\/forgot-password$/);
  await hydrated(stranger);
  await checkAccessibility(stranger, "forgot-password page");
  await stranger.getByLabel("Email address").fill(email);
  const since = Date.now() - 1000;
  await stranger.getByRole("button", { name: "Send me a link" }).click();
  await expect(stranger.getByTestId("reset-sent")).toContainText("If an account uses this address");

  const link = linkIn(await receivedMail(email, "Reset your Steward password", 20_000, since), "/reset-password");
  await visit(stranger, link);
  await checkAccessibility(stranger, "reset-password page");
  const newPassword = "a fresh and unusual phrase";
  await stranger.getByLabel("New password", { exact: true }).fill(newPassword);
  await stranger.getByLabel("New password again").fill(newPassword);
  await stranger.getByRole("button", { name: "Set my new password" }).click();
  await expect(stranger.getByTestId("password-reset")).toContainText("every session");

  // The first browser's session ended.
  await page.goto(home);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await other.close();
});

test("sign-up confirms the address with the emailed link; a taken address answers the same", async ({ page, browser }, testInfo) => {
  const email = uniqueEmail("linked");
  await visit(page, "/signup");
  await page.getByLabel("First name").fill("Lina");
  await page.getByLabel("Last name").fill("Linked");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByTestId("sign-up-started")).toContainText(email);
  await checkAccessibility(page, "sign-up: check your inbox");

  const link = linkIn(await receivedMail(email, "Confirm your email address"), "/signup/confirm");
  await visit(page, link);
  await checkAccessibility(page, "sign-up confirmation page");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and create my account" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("organization-name")).toHaveText("Lina Linked");

  // Someone signs up with an address that has an account: the same page; its owner is told.
  const { context: other, page: stranger } = await secondBrowser(browser, testInfo);
  await visit(stranger, "/signup");
  await stranger.getByLabel("First name").fill("Eve");
  await stranger.getByLabel("Last name").fill("Taken");
  await stranger.getByLabel("Email address").fill(email);
  await stranger.getByLabel("Password").fill("another long phrase here");
  await stranger.getByRole("button", { name: "Create my account" }).click();
  await expect(stranger.getByTestId("sign-up-started")).toContainText(email);
  const notice = await receivedMail(email, "Someone tried to create a Steward account");
  expect(notice).toContain("/forgot-password");
  await other.close();
});
