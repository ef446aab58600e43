import { Page, test as base, expect } from '@playwright/test';
import { AccountPage } from './pages/account-page';
import { ConfirmPage } from './pages/confirm-page';
import { MailOutbox } from './pages/mail-outbox';
import { AdminShapesPage } from './pages/admin-page';
import { CheckoutPage } from './pages/checkout-page';
import { Header } from './pages/header';
import { HomePage } from './pages/home-page';
export { hydrated } from './pages/hydrated';
import { NewOrderPage, OrderPage } from './pages/order-pages';

type Fixtures = {
  header: Header;
  home: HomePage;
  signUp: AccountPage;
  signIn: AccountPage;
  newOrder: NewOrderPage;
  orderPage: OrderPage;
  checkout: CheckoutPage;
  adminShapes: AdminShapesPage;
  /** Signs a fresh user up, confirms the address from the mailed link and signs in. */
  signedUp: string;
  /** Signs a fresh user up, then out; the e-mail is theirs (password PASSWORD). */
  signedUpThenOut: string;
  /** A fresh e-mail address for this test. */
  email: string;
};

export const PASSWORD = 'correct horse battery';

/** Signs `email` up in this page and stops at "Check your mail". */
export async function signUpOnly(page: Page, email: string, password = PASSWORD) {
  const signUp = new AccountPage(page, '/signup', 'Sign up');
  await signUp.goto();
  await signUp.submitWith(email, password);
  await expect(page).toHaveURL(/\/accounts\/confirm\?notice=signed-up&/);
  await expect(page.getByRole('status')).toContainText('Check your mail');
}

/** Signs `email` up, confirms it from the mailed link (the outbox at `/dev/mail`) and signs
 * in: how a new customer starts. */
export async function createAccount(page: Page, email: string, password = PASSWORD) {
  await signUpOnly(page, email, password);
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(email, 'Confirm your e-mail address');
  await page.goto(await outbox.link('/accounts/confirm?'));
  await new ConfirmPage(page).submit.click();
  await expect(page).toHaveURL(/\/signin\?notice=confirmed&/);
  const signIn = new AccountPage(page, '/signin', 'Sign in');
  await expect(signIn.email).toHaveValue(email);
  await signIn.submitWith(email, password);
  await expect(page).toHaveURL('/');
  await expect(new Header(page).signedInAs).toHaveText(email);
}

export const test = base.extend<Fixtures>({
  // Any uncaught error in the page (a failed hydration, a panic in the wasm) fails the test,
  // and so does anything the Content Security Policy blocked.
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Each document's policy and its scripts' nonces, to tell which side was wrong when a
    // script is blocked.
    const documents: string[] = [];
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'document') return;
      const policy = (await response.allHeaders())['content-security-policy'] ?? '(none)';
      const body = await response.text().catch(() => '');
      const nonces = [...body.matchAll(/<script[^>]*?nonce="([^"]*)"/g)].map((m) => m[1]);
      documents.push(`${response.status()} ${response.url()}\n  policy: ${policy}\n  script nonces: ${nonces.join(' ')}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
        errors.push(message.text());
      }
    });
    await use(page);
    expect(errors, `uncaught errors in the page; its documents:\n${documents.join('\n')}`).toEqual([]);
  },
  header: async ({ page }, use) => use(new Header(page)),
  home: async ({ page }, use) => use(new HomePage(page)),
  signUp: async ({ page }, use) => use(new AccountPage(page, '/signup', 'Sign up')),
  signIn: async ({ page }, use) => use(new AccountPage(page, '/signin', 'Sign in')),
  newOrder: async ({ page }, use) => use(new NewOrderPage(page)),
  orderPage: async ({ page }, use) => use(new OrderPage(page)),
  checkout: async ({ page }, use) => use(new CheckoutPage(page)),
  adminShapes: async ({ page }, use) => use(new AdminShapesPage(page)),
  signedUp: async ({ page, header, email }, use) => {
    await createAccount(page, email);
    await expect(header.signedInAs).toHaveText(email);
    await use(email);
  },
  signedUpThenOut: async ({ signedUp, header }, use) => {
    await header.signOut();
    await expect(header.signInLink).toBeVisible();
    await expect(header.signedInAs).toHaveCount(0);
    await use(signedUp);
  },
  email: async ({}, use, testInfo) => {
    const unique = `${Date.now().toString(36)}-${testInfo.workerIndex}-${Math.random().toString(36).slice(2, 8)}`;
    await use(`e2e-${unique}@example.com`);
  },
});

export { expect };
