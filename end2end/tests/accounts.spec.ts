import { MailOutbox } from './pages/mail-outbox';
import { PASSWORD, createAccount, expect, signUpOnly, test } from './fixtures';

test('sign up, confirm from the mail, see my e-mail, sign out, sign back in', async ({ page, signIn, header, email }) => {
  await createAccount(page, email);
  await expect(page).toHaveURL('/');
  await expect(header.signedInAs).toHaveText(email);

  await header.signOut();
  await expect(header.signInLink).toBeVisible();
  await expect(header.signedInAs).toHaveCount(0);

  await signIn.goto();
  await signIn.submitWith(email, PASSWORD);
  await expect(page).toHaveURL('/');
  await expect(header.signedInAs).toHaveText(email);

  // The session survives a reload: it is the server's, not the page's.
  await page.reload();
  await expect(header.signedInAs).toHaveText(email);
});

test('a wrong password is refused on the page', async ({ page, signIn, header, signedUpThenOut: email }) => {
  await signIn.goto();
  await signIn.submitWith(email, 'not my password');
  await expect(signIn.alerts).toContainText('wrong e-mail or password');
  await expect(page).toHaveURL(/\/signin/);
  await expect(header.signedInAs).toHaveCount(0);
});

test('signing up with a taken address looks like any sign-up; the owner gets a notice', async ({ page, signIn, header, signedUpThenOut: email }) => {
  await signUpOnly(page, email, 'someone else entirely');
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(email, 'Someone tried to sign up with your address');
  await page.goto(await outbox.link('/signin?'));
  await expect(signIn.email).toHaveValue(email);
  await signIn.submitWith(email, 'someone else entirely');
  await expect(signIn.alerts).toContainText('wrong e-mail or password');
  await signIn.submitWith(email, PASSWORD);
  await expect(header.signedInAs).toHaveText(email);
});

test('before the mailed link is opened, signing in is refused with a word about it', async ({ page, signIn, email }) => {
  await signUpOnly(page, email);
  await signIn.goto();
  await signIn.submitWith(email, PASSWORD);
  await expect(signIn.alerts).toContainText('not confirmed yet');
});
