import { test as base, expect } from '@playwright/test';
import { AccountPage } from './pages/account-page';
import { AdminShapesPage } from './pages/admin-page';
import { CheckoutPage } from './pages/checkout-page';
import { Header } from './pages/header';
import { HomePage } from './pages/home-page';
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
  /** Signs a fresh user up (and so in) in this page. */
  signedUp: string;
  /** Signs a fresh user up, then out; the e-mail is theirs (password PASSWORD). */
  signedUpThenOut: string;
  /** A fresh e-mail address for this test. */
  email: string;
};

export const PASSWORD = 'correct horse battery';

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
  signedUp: async ({ page, signUp, header, email }, use) => {
    await signUp.goto();
    await signUp.submitWith(email, PASSWORD);
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
