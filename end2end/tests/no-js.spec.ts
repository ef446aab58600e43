import { PASSWORD, expect, test } from './fixtures';

// This project runs with JavaScript disabled: the forms must work as plain HTML.
test('sign up and sign out without JavaScript', async ({ page, signUp, header, email }) => {
  await signUp.goto();
  await signUp.submitWith(email, PASSWORD);
  await expect(page).toHaveURL('/');
  await expect(header.signedInAs).toHaveText(email);
  await header.signOut();
  await expect(header.signInLink).toBeVisible();
});

test('a refused sign-up shows the error without JavaScript', async ({ page, signUp, email }) => {
  await signUp.goto();
  await signUp.submitWith(email, 'short');
  await expect(page.locator('#password-error')).toHaveText('password must be 8 to 128 characters long');
});
