import { Page } from "@playwright/test";
import { test, expect, hydrated, visit, checkAccessibility, expectRefusal, uniqueEmail, receivedMail, linkIn, PASSWORD, signUp as signUpAs, ageConfirmation } from "./fixtures";

const NEW_PASSWORD = "a brand new and long phrase";

const signUp = (page: Page, email: string) => signUpAs(page, email, "Cora", "Compromised");

test("the compromised-password wizard, end to end", async ({ page }) => {
  const email = uniqueEmail("wizard");
  await signUp(page, email);
  const home = page.url();

  // An application password and an API token, each shown once.
  await page.goto(home + "/security");
  await hydrated(page);
  await page.getByLabel("Name of the program or device").fill("Calendar sync");
  await page.getByRole("button", { name: "Create an application password" }).click();
  await expect(page.getByTestId("new-secret")).toHaveText(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await expect(page.getByTestId("app-passwords")).toContainText("Calendar sync");
  await page.getByLabel("Token name").fill("Backup script");
  await page.getByLabel("Access").selectOption("read");
  await page.getByLabel("Expires after (days, empty for never)").fill("30");
  await page.getByRole("button", { name: "Create an API token" }).click();
  await expect(page.getByTestId("api-tokens")).toContainText("Backup script");
  await expect(page.getByTestId("api-tokens")).toContainText("Read only");
  await checkAccessibility(page, "security page with credentials");

  // Signed out, the link from an alert email leads through sign-in straight to the wizard.
  await page.getByRole("button", { name: /Account menu of Cora Compromised/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/security/compromised");
  await expect(page).toHaveURL(/\/login\?next=\/security\/compromised$/);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/security\/compromised$/);
  await hydrated(page);

  // Step 1: a new password (a mismatch first, explained next to the field).
  await expect(page.getByRole("heading", { name: "Step 1 of 3: choose a new password" })).toBeVisible();
  await checkAccessibility(page, "wizard step 1");
  expectRefusal(page, "/api/change_password");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("New password again").fill(NEW_PASSWORD + "x");
  await page.getByRole("button", { name: "Change my password and continue" }).click();
  await expect(page.locator("#confirm_password-error")).toHaveText("The two new passwords are not the same.");
  await page.getByLabel("New password again").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change my password and continue" }).click();

  // Step 2: revoke one by one, then all.
  await expect(page.getByRole("heading", { name: "Step 2 of 3: revoke programs' access" })).toBeVisible();
  const credentials = page.getByTestId("wizard-credentials").getByRole("listitem");
  await expect(credentials).toHaveCount(2);
  await checkAccessibility(page, "wizard step 2");
  await page.getByRole("button", { name: "Revoke Calendar sync" }).click();
  await expect(credentials).toHaveCount(1);
  await page.getByRole("button", { name: "Revoke all of them" }).click();
  await expect(page.getByTestId("no-credentials")).toBeVisible();
  await page.getByRole("button", { name: "Continue to the review" }).click();

  // Step 3: the review, with a link to fix each setting.
  const review = page.getByTestId("security-review");
  await expect(review).toBeVisible();
  await expect(review.getByRole("row", { name: /Two-factor authentication/ })).toContainText("off");
  await expect(review.getByRole("row", { name: /Programs' access/ })).toContainText("0 application password(s), 0 API token(s)");
  await expect(review.getByRole("link", { name: /Turn on/ })).toHaveAttribute("href", /\/security#two-factor-heading$/);
  await checkAccessibility(page, "wizard step 3");

  // The new password is the one that works now.
  await page.getByRole("button", { name: /Account menu of Cora Compromised/ }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/o\/\d+$/);
});

test("profile: recovery contacts, and a login email change confirmed through the emailed link", async ({ page }) => {
  const email = uniqueEmail("profile");
  await signUp(page, email);
  await page.goto(page.url() + "/profile");
  await hydrated(page);
  await checkAccessibility(page, "profile page");
  expectRefusal(page, "/api/set_recovery_contacts");
  await page.getByRole("textbox", { name: "Recovery phone" }).fill("079 123 45 67");
  await page.locator("#recovery-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Save recovery contacts" }).click();
  await expect(page.locator("#recovery_phone-error")).toContainText("international format");
  await page.getByRole("textbox", { name: "Recovery phone" }).fill("+41 79 123 45 67");
  await page.getByRole("textbox", { name: "Recovery email" }).fill("cora.backup@example.org");
  await page.getByRole("button", { name: "Save recovery contacts" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  const newEmail = uniqueEmail("cora-new");
  await page.getByLabel("New login email").fill(newEmail);
  await page.locator("#email-change-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change my login email" }).click();
  await expect(page.getByTestId("pending-email")).toContainText(newEmail);
  await checkAccessibility(page, "profile page after changes");

  // The link sent to the new address makes it the login email.
  const link = linkIn(await receivedMail(newEmail, "Confirm your new Steward login email"), "/confirm-email");
  await receivedMail(email, "A change of your Steward login email was requested");
  await visit(page, link);
  await checkAccessibility(page, "confirm email page");
  await page.getByRole("button", { name: "Confirm my new login email" }).click();
  await expect(page.getByTestId("email-confirmed")).toContainText(newEmail);
});

// The smallest valid PNG: one transparent pixel.
const ONE_PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

test("profile: my name, my picture, and why my account cannot be deleted yet", async ({ page }) => {
  const email = uniqueEmail("picture");
  await signUp(page, email);
  await page.goto(page.url() + "/profile");
  await hydrated(page);

  await page.getByLabel("First name").fill("Carla");
  await page.getByRole("button", { name: "Save my name" }).click();
  await expect(page.getByTestId("profile-name")).toHaveText("Carla Compromised");

  // Anything that is not an image is refused with a clear message, next to the field.
  expectRefusal(page, "/account/avatar");
  await page.getByLabel("Picture file").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not a picture at all") });
  await page.getByRole("button", { name: "Upload the picture" }).click();
  await expect(page.locator("#avatar-error")).toContainText("not a PNG, JPEG or WebP image");
  await expect(page.getByLabel("Picture file")).toHaveAttribute("aria-invalid", "true");

  // A real but tiny picture is kept, with a warning that it may look blurry.
  await page.getByLabel("Picture file").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: ONE_PIXEL_PNG });
  await page.getByRole("button", { name: "Upload the picture" }).click();
  await expect(page.getByTestId("avatar-warning")).toContainText("only 1×1 pixels");
  await expect(page.getByTestId("avatar-image")).toBeVisible();
  await checkAccessibility(page, "profile with a picture");

  // Alone in my own organization: deleting the account is refused, with what to do.
  await expect(page.getByTestId("account-deletion-blocked")).toContainText("You are the only user of");
});

test("minting an API token after a while asks to confirm it's you", async ({ page }) => {
  const email = uniqueEmail("confirm");
  await signUp(page, email);
  await page.goto(page.url() + "/security");
  await hydrated(page);
  ageConfirmation(email);
  expectRefusal(page, "/api/create_api_token");
  await page.getByLabel("Token name").fill("Nightly export");
  await page.getByRole("button", { name: "Create an API token" }).click();
  const box = page.getByRole("region", { name: "Confirm it's you" });
  await expect(box).toBeVisible();
  await expect(page.getByTestId("api-tokens")).toHaveCount(0);
  await checkAccessibility(page, "security page asking to confirm");
  await box.getByLabel("Your password").fill(PASSWORD);
  await box.getByRole("button", { name: "Confirm" }).click();
  await expect(box.getByRole("status")).toHaveText("Thank you. Now repeat what you were doing.");
  await page.getByRole("button", { name: "Create an API token" }).click();
  await expect(page.getByTestId("new-secret")).toHaveText(/^stw_/);
  await expect(page.getByTestId("api-tokens")).toContainText("Nightly export");
  await expect(box).toHaveCount(0);
});
