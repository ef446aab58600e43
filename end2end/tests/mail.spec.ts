import { ConfirmPage } from './pages/confirm-page';
import { MailOutbox } from './pages/mail-outbox';
import { AccountPage } from './pages/account-page';
import { PASSWORD, expect, signUpOnly, test } from './fixtures';

test('a local account confirms its e-mail from the mailed link', async ({ page, email }) => {
  await signUpOnly(page, email);
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(email, 'Confirm your e-mail address');
  await page.goto(await outbox.link('/accounts/confirm?'));
  const confirm = new ConfirmPage(page);
  await expect(confirm.email).toHaveValue(email);
  await confirm.submit.click();
  await expect(page.getByRole('status')).toContainText('Your e-mail address is confirmed');
});

test('a forgotten password is reset from the mailed link', async ({ page, signIn, header, signedUpThenOut: email }) => {
  await signIn.goto();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Mail me a code' }).click();
  await expect(page.getByRole('status')).toContainText('we sent it a code');

  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(email, 'Reset your password');
  await page.goto(await outbox.link('/accounts/reset?'));
  await page.getByLabel('New password').fill('a whole new secret');
  await page.getByRole('button', { name: 'Change my password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password is changed');

  const again = new AccountPage(page, '/signin', 'Sign in');
  await again.submitWith(email, PASSWORD);
  await expect(again.alerts).toContainText('wrong e-mail or password');
  await again.submitWith(email, 'a whole new secret');
  await expect(header.signedInAs).toHaveText(email);
});
