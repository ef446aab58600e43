import { execFileSync } from 'node:child_process';
import { expect, test } from './fixtures';

/** Grants the admin role with the real command line, as an operator would. */
function grantAdmin(email: string) {
  const bin = process.env.LTD_BIN ?? '../target/debug/let-them-draw';
  execFileSync(bin, ['admin', 'grant', '--email', email], { env: process.env, stdio: 'pipe' });
}

test('an admin changes the price of tiled lines and the request page shows it', async ({ page, adminShapes, newOrder, signedUp }) => {
  await adminShapes.goto();
  // Signed in but not an admin: the admin area answers 403 with a page saying so.
  await expect(page.getByRole('heading', { name: 'Admins only' })).toBeVisible();

  grantAdmin(signedUp);
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Admin' })).toBeVisible();
  await expect(adminShapes.price('Tiled lines')).toHaveValue('3.00');

  await adminShapes.price('Tiled lines').fill('4.5');
  await adminShapes.save('Tiled lines').click();
  await expect(adminShapes.row('Tiled lines')).toContainText('$4.50');

  await adminShapes.price('Tiled lines').fill('0.10');
  await adminShapes.save('Tiled lines').click();
  await expect(page.locator('#price-error')).toContainText('from 50');
  await expect(adminShapes.row('Tiled lines')).toContainText('$4.50');

  await newOrder.goto();
  const card = page.locator('.shape-option').filter({ hasText: 'Tiled lines' });
  await expect(card.locator('.price')).toHaveText('$4.50');

  // A currency without minor units: 500 yen is typed and shown as 500, never 5.00.
  await adminShapes.goto();
  await adminShapes.price('Tiled lines').fill('500');
  await adminShapes.currency('Tiled lines').fill('jpy');
  await adminShapes.save('Tiled lines').click();
  await expect(adminShapes.row('Tiled lines')).toContainText('¥500');
  await expect(adminShapes.price('Tiled lines')).toHaveValue('500');
  await adminShapes.price('Tiled lines').fill('500.5');
  await adminShapes.save('Tiled lines').click();
  await expect(page.locator('#price-error')).toContainText('no decimals');
  await newOrder.goto();
  await expect(card.locator('.price')).toHaveText('¥500');

  // Put it back for anyone who runs the suite against the same server again.
  await adminShapes.goto();
  await adminShapes.currency('Tiled lines').fill('usd');
  await adminShapes.price('Tiled lines').fill('3.00');
  await adminShapes.save('Tiled lines').click();
  await expect(adminShapes.row('Tiled lines')).toContainText('$3.00');
});
