// Against a server that sends mail over SMTP to a port where, at first, nothing listens: a
// mail fails its two attempts, becomes a dead letter on /admin/failures, and Retry sends it
// once the mail server is there.
import { execFileSync } from 'node:child_process';
import { Page } from '@playwright/test';
import { AdminFailuresPage } from './pages/admin-operations';
import { NewOrderPage, OrderPage } from './pages/order-pages';
import { AccountPage } from './pages/account-page';
import { Header } from './pages/header';
import { SmtpSink } from './smtp-sink';
import { PASSWORD, expect, test } from './fixtures';

const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? '3325');
const ADMIN = 'mail-admin@example.com';

/** Runs `let-them-draw admin …` on the mail server's data, as an operator would. */
function admin(...args: string[]) {
  const bin = process.env.LTD_BIN ?? '../target/debug/let-them-draw';
  const env = { ...process.env, LTD_DATA_DIR: process.env.E2E_MAIL_DATA_DIR ?? './data-mail' };
  execFileSync(bin, ['admin', ...args], { env, stdio: 'pipe' });
}

/** Signs `email` up on this page; the confirmation mail cannot be read (the mail server
 * refuses it), so the operator confirms the address on the command line; then signs in. */
async function signUpConfirmedByOperator(page: Page, email: string) {
  const signUp = new AccountPage(page, '/signup', 'Sign up');
  await signUp.goto();
  await signUp.submitWith(email, PASSWORD);
  await expect(page).toHaveURL(/\/accounts\/confirm\?notice=signed-up&/);
  admin('confirm', '--email', email);
  const signIn = new AccountPage(page, '/signin', 'Sign in');
  await signIn.goto();
  await signIn.submitWith(email, PASSWORD);
  await expect(new Header(page).signedInAs).toHaveText(email);
}

test.describe.configure({ timeout: 60_000 });

test('a picture-ready mail the mail server refused is listed as a dead letter; Retry sends it once', async ({ page, browser, email }) => {
  const clientPage = await (await browser.newContext()).newPage();
  await signUpConfirmedByOperator(clientPage, email);
  const newOrder = new NewOrderPage(clientPage);
  await newOrder.goto();
  await newOrder.order('Square', 'navy');
  await expect(clientPage).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const orderId = clientPage.url().split('/').pop() ?? '';
  await expect(new OrderPage(clientPage).status).toHaveText('done', { timeout: 20_000 });

  await signUpConfirmedByOperator(page, ADMIN);
  admin('grant', '--email', ADMIN);
  const failures = new AdminFailuresPage(page);
  const mailId = `order-${orderId}-ready`;
  const row = failures.mailRow(mailId);
  await expect(async () => {
    await failures.goto();
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText('Mail: Your picture is ready');
  await expect(row).toContainText(email);
  await expect(row.locator('td').nth(4)).toHaveText('2');

  const sink = new SmtpSink(SMTP_PORT);
  await sink.start();
  try {
    await failures.retryMail(mailId).click();
    await expect(row).toHaveCount(0);
    await expect.poll(() => sink.received(email, 'Your picture is ready').length, { timeout: 20_000 }).toBe(1);
    // Sent once: nothing else arrives for it.
    await page.waitForTimeout(1_500);
    expect(sink.received(email, 'Your picture is ready')).toHaveLength(1);
  } finally {
    await sink.stop();
  }
});
