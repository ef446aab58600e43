import { execFileSync } from 'node:child_process';
import { APIRequestContext, request } from '@playwright/test';
import { PartnersPage, TokensPage } from './pages/tokens-page';
import { expect, test } from './fixtures';

/** A program holding only the token: no cookies. */
async function withToken(baseURL: string, token: string): Promise<APIRequestContext> {
  return request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

test('make an API token, see it once, order with it from a script, revoke it', async ({ page, signedUp, baseURL }) => {
  const tokens = new TokensPage(page);
  await tokens.goto();
  await expect(page.getByTestId('no-tokens')).toBeVisible();

  await tokens.name.fill('my script');
  await tokens.write.check();
  await tokens.make.click();
  await expect(tokens.newToken).toHaveValue(/^ltd_[A-Za-z0-9_-]{43}$/);
  const token = await tokens.newToken.inputValue();
  await expect(tokens.row('my script')).toContainText('orders:read, orders:write');
  await expect(tokens.row('my script').getByTestId('last-used')).toHaveText('never');

  const script = await withToken(baseURL!, token);
  const ordered = await script.post('/api/v1/orders', { data: { shape: 'circle', color: 'orchid' } });
  expect(ordered.status()).toBe(201);

  // Shown once: a reload lists it, used now, without the token.
  await page.reload();
  await expect(tokens.newToken).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(token);
  await expect(tokens.row('my script').getByTestId('last-used')).not.toHaveText('never');

  await tokens.row('my script').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The token is revoked' })).toBeVisible();
  await expect(tokens.rows).toHaveCount(0);
  expect((await script.get('/api/v1/orders')).status()).toBe(401);
  await script.dispose();
});

test('a token with no scope ticked is refused next to the field', async ({ page, signedUp }) => {
  const tokens = new TokensPage(page);
  await tokens.goto();
  await tokens.name.fill('nothing allowed');
  await tokens.read.uncheck();
  await tokens.make.click();
  await expect(page.locator('#scopes-error')).toContainText('choose what the token may do');
  await expect(page.getByTestId('no-tokens')).toBeVisible();
});

test('an admin sees partner tokens with their requests today and revokes one', async ({ page, signedUp, baseURL }) => {
  const tokens = new TokensPage(page);
  await tokens.goto();
  const token = await tokens.makeToken('partner feed');
  const partner = await withToken(baseURL!, token);
  for (let n = 0; n < 2; n++) {
    expect((await partner.get('/api/v1/orders')).status()).toBe(200);
  }

  const bin = process.env.LTD_BIN ?? '../target/debug/let-them-draw';
  execFileSync(bin, ['admin', 'grant', '--email', signedUp], { env: process.env, stdio: 'pipe' });
  const partners = new PartnersPage(page);
  await partners.goto();
  const row = partners.row(signedUp, 'partner feed');
  await expect(row.getByTestId('requests-today')).toHaveText('2');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveCount(0);
  expect((await partner.get('/api/v1/orders')).status()).toBe(401);
  await partner.dispose();
});
