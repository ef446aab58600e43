import { PASSWORD, expect, test } from './fixtures';

test('sign up, see my e-mail, sign out, sign back in', async ({ page, signUp, signIn, header, email }) => {
  await signUp.goto();
  await signUp.submitWith(email, PASSWORD);
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
  await expect(signIn.alerts).toHaveText('wrong e-mail or password');
  await expect(page).toHaveURL(/\/signin/);
  await expect(header.signedInAs).toHaveCount(0);
});

test('a taken e-mail is shown next to the e-mail field', async ({ page, signUp, signedUpThenOut: email }) => {
  await signUp.goto();
  await signUp.submitWith(email, PASSWORD);
  await expect(page.locator('#email-error')).toContainText('already exists');
});
