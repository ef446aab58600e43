import { PASSWORD, expect, test } from './fixtures';
import { MailOutbox } from './pages/mail-outbox';

test('the account page changes the e-mail through a mailed link, the password, and deletes the account', async ({ page, header, signIn, signedUp }) => {
  await page.goto('/account');
  await expect(page.getByTestId('account-email')).toHaveText(signedUp);

  // A new address takes effect only through the link mailed to it.
  const moved = `moved-${signedUp}`;
  await page.getByLabel('New e-mail address').fill(moved);
  await page.getByRole('button', { name: 'Send a code to the new address' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'We sent a code' })).toBeVisible();
  await expect(page.getByTestId('account-email')).toHaveText(signedUp);
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(moved, 'Confirm your new e-mail address');
  await page.goto(await outbox.link('/account?'));
  await expect(page.getByLabel('Code from the mail')).not.toHaveValue('');
  await page.getByRole('button', { name: 'Change my e-mail' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your e-mail address is changed' })).toBeVisible();
  await expect(header.signedInAs).toHaveText(moved);

  // A wrong current password is named; the right one changes it.
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#current_password-error')).toHaveText('the password is wrong');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed' })).toBeVisible();

  // The export is a JSON file of the account.
  const exported = await page.request.get('/api/v1/account/export');
  expect((await exported.json()).account.email).toBe(moved);

  // Deleting needs the password, then signs out for good.
  await page.getByLabel('Password', { exact: true }).fill('a brand new password');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL('/?notice=deleted');
  await expect(page.getByText('Your account is deleted.')).toBeVisible();
  await expect(header.signInLink).toBeVisible();
  await signIn.goto();
  await signIn.submitWith(moved, 'a brand new password');
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(header.signInLink).toBeVisible();
});
