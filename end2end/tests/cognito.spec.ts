import { AccountPage } from './pages/account-page';
import { ConfirmPage } from './pages/confirm-page';
import { MailOutbox } from './pages/mail-outbox';
import { expect, test } from './fixtures';

// Runs against the server that signs in with Cognito (moto's, see playwright.config.ts).
// moto's password policy wants upper and lower case, a digit and a symbol.
const STRONG = 'Correct-Horse-9';

test('with Cognito: sign up, confirm the code, sign in, order, get the mail, sign out', async ({
  page,
  header,
  newOrder,
  orderPage,
  email,
}) => {
  const signUp = new AccountPage(page, '/signup', 'Sign up');
  await signUp.goto();
  await signUp.submitWith(email, STRONG);

  // Cognito wants the address confirmed before the first sign-in.
  const confirm = new ConfirmPage(page);
  await expect(page).toHaveURL(/\/accounts\/confirm\?notice=signed-up&email=/);
  await expect(confirm.email).toHaveValue(email);
  await expect(header.signedInAs).toHaveCount(0);
  await confirm.confirmWith('123456');
  await expect(page).toHaveURL(/\/signin\?notice=confirmed/);
  await expect(page.getByRole('status')).toContainText('Your e-mail address is confirmed');

  const signIn = new AccountPage(page, '/signin', 'Sign in');
  await signIn.submitWith(email, STRONG);
  await expect(header.signedInAs).toHaveText(email);

  await newOrder.goto();
  await newOrder.order('Circle', 'mediumseagreen');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const orderUrl = page.url();
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });

  // The "picture ready" mail went to the address in Cognito's token, linking the order.
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(email, 'Your picture is ready');
  await expect(outbox.recipient).toHaveText(email);
  await expect(outbox.text).toContainText(orderUrl);

  await page.goto('/');
  await header.signOut();
  await expect(header.signInLink).toBeVisible();
  await page.goto('/orders');
  await expect(page).toHaveURL(/\/signin\?next=/);
});

test('with Cognito: signing in before confirming is refused with a word about confirming', async ({ page, email }) => {
  const signUp = new AccountPage(page, '/signup', 'Sign up');
  await signUp.goto();
  await signUp.submitWith(email, STRONG);
  await expect(page).toHaveURL(/\/accounts\/confirm/);
  const signIn = new AccountPage(page, '/signin', 'Sign in');
  await signIn.goto();
  await signIn.submitWith(email, STRONG);
  await expect(signIn.alerts).toContainText('not confirmed yet');
});
