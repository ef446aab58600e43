// Against a server whose artist fails the first two attempts at every picture (a debug-build
// test switch) and gives up after two: failures, retries, refunds and the admin pages.
import { execFileSync } from 'node:child_process';
import { Browser } from '@playwright/test';
import { AdminConsolePage, AdminFailuresPage, AdminLivePage } from './pages/admin-operations';
import { MailOutbox } from './pages/mail-outbox';
import { NewOrderPage, OrderPage } from './pages/order-pages';
import { CheckoutPage } from './pages/checkout-page';
import { createAccount, expect, test } from './fixtures';

const ALERTS_TO = 'ops@example.com';

// Each test waits out two failed attempts (3 s apart) and then the outcome, on a busy machine.
test.describe.configure({ timeout: 90_000 });

/** Grants the admin role on the failing server's data, with the real command line. */
function grantAdmin(email: string) {
  const bin = process.env.LTD_BIN ?? '../target/debug/let-them-draw';
  const env = { ...process.env, LTD_DATA_DIR: process.env.E2E_FAILING_DATA_DIR ?? './data-failing' };
  execFileSync(bin, ['admin', 'grant', '--email', email], { env, stdio: 'pipe' });
}

/** A client in a browser of their own, signed up; their page. */
async function client(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await createAccount(page, `client-${email}`);
  return page;
}

function orderIdOf(url: string): string {
  return url.split('/').pop() ?? '';
}

test('a failing drawing shows retrying, then failed; the admin sees it live, retries it and it is drawn', async ({ page, browser, signedUp }) => {
  grantAdmin(signedUp);
  const live = new AdminLivePage(page);
  await live.goto();
  await expect(live.state).toContainText('Listening');

  const clientPage = await client(browser, signedUp);
  const newOrder = new NewOrderPage(clientPage);
  await newOrder.goto();
  await newOrder.order('Circle', 'tomato');
  await expect(clientPage).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const id = orderIdOf(clientPage.url());
  const order = new OrderPage(clientPage);
  await expect(order.status).toHaveText('retrying');
  await expect(clientPage.getByTestId('retry-notice')).toContainText('1 failed so far');
  await expect(order.status).toHaveText('failed');
  await expect(clientPage.getByRole('alert')).toContainText('This order failed');

  // The admin's feed showed it without a reload.
  await expect(live.item(id, 'failed')).toContainText('Circle in tomato');
  await expect(live.item(id, 'failed')).toContainText('could not be drawn after 2 attempts');

  const failures = new AdminFailuresPage(page);
  await failures.goto();
  await expect(failures.row(id)).toContainText(`client-${signedUp}`);
  await expect(failures.row(id)).toContainText('injected failure');
  await failures.retry(id).click();
  await expect(failures.row(id)).toHaveCount(0);

  await clientPage.reload();
  await expect(order.status).toHaveText('done', { timeout: 20_000 });
  await expect(order.picture).toBeVisible();

  // One alert mail went to the operators, pointing at the failures page.
  const outbox = new MailOutbox(page);
  await outbox.openWhenSent(ALERTS_TO, 'drawing(s) failed');
  expect(await outbox.link('/admin/failures')).toContain('/admin/failures');
});

test('a paid order that cannot be drawn is refunded, cannot be retried, and the console counts it', async ({ page, browser, signedUp }) => {
  grantAdmin(signedUp);
  const live = new AdminLivePage(page);
  await live.goto();
  await expect(live.state).toContainText('Listening');

  const clientPage = await client(browser, signedUp);
  const newOrder = new NewOrderPage(clientPage);
  await newOrder.goto();
  await newOrder.order('Voronoi', 'indigo');
  await new CheckoutPage(clientPage).pay.click();
  await expect(clientPage).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const id = orderIdOf(clientPage.url());
  const order = new OrderPage(clientPage);
  await expect(order.status).toHaveText('refunded', { timeout: 20_000 });
  await expect(clientPage.getByTestId('refund-notice')).toContainText('your payment was refunded in full');

  await expect(live.item(id, 'paid')).toContainText('paid $5.00');
  await expect(live.item(id, 'refunded')).toContainText('refunded $5.00');

  const failures = new AdminFailuresPage(page);
  await failures.goto();
  await expect(failures.row(id)).toContainText('refunded');
  await expect(failures.retry(id)).toHaveCount(0);

  const console = new AdminConsolePage(page);
  await console.goto();
  await expect(console.failures).not.toHaveText('0');
  await expect(console.queueDepth).toHaveText(/^\d+/);
  await expect(console.chart).toBeVisible();
  await expect(page.getByRole('heading', { name: /Orders per hour, last 24 hours \(\d+ in all\)/ })).toBeVisible();
});
