import { execFileSync } from 'node:child_process';
import { expect, hydrated, test } from './fixtures';
import { AdminCampaignsPage } from './pages/admin-page';
import { OrderPage } from './pages/order-pages';

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

/** `YYYY-MM-DDTHH:MM`, UTC, `hours` from now: what a date-and-time field holds. */
function formTime(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);
}

test('a campaign multiplies the points a paid picture earns, and points pay for the next', async ({ page, newOrder, checkout, signedUp }) => {
  grantAdmin(signedUp);
  const campaigns = new AdminCampaignsPage(page);
  await campaigns.goto();
  await expect(page.getByTestId('no-campaigns').or(page.locator('table.admin-campaigns'))).toBeVisible();

  // Refused by the field that is wrong: the end before the start.
  const name = `Voronoi tenfold ${Date.now()}`;
  await campaigns.name.fill(name);
  await campaigns.startsAt.fill(formTime(-1));
  await campaigns.endsAt.fill(formTime(-2));
  await campaigns.multiplier.fill('10');
  await campaigns.shape('Voronoi').check();
  await campaigns.start.click();
  await expect(page.locator('#ends_at-error')).toContainText('after starts_at');
  await expect(campaigns.row(name)).toHaveCount(0);

  await campaigns.endsAt.fill(formTime(1));
  await campaigns.start.click();
  await expect(campaigns.row(name)).toContainText('Voronoi');
  await expect(campaigns.row(name).getByLabel(`${name}: multiplier`)).toHaveValue('10');

  // A $5.00 voronoi earns 50 points, ten times over while the campaign runs.
  await newOrder.goto();
  await newOrder.order('Voronoi', 'teal');
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  await checkout.pay.click();
  const order = new OrderPage(page);
  await expect(order.status).toHaveText('done', { timeout: 20_000 });
  const balance = page.getByRole('navigation', { name: 'Account' }).getByTestId('points-balance');
  await expect(async () => {
    await page.reload();
    await expect(balance).toHaveText('500 points', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // The offer follows the shape chosen: hypnotic squares cost $2.00, 200 points; a
  // voronoi 500, all of them.
  await newOrder.goto();
  await hydrated(page);
  await newOrder.choose('Voronoi');
  await expect(newOrder.payWithPoints).toHaveText('Pay with 500 points');
  await newOrder.choose('Hypnotic squares');
  await newOrder.colour.fill('gold');
  await expect(newOrder.payWithPoints).toHaveText('Pay with 200 points');
  await newOrder.payWithPoints.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('paid')).toHaveText('200 points');
  await expect(order.status).toHaveText('done', { timeout: 20_000 });
  await expect(balance).toHaveText('300 points');

  // 300 points left: a voronoi is no longer offered for points, hypnotic squares still are.
  await newOrder.goto();
  await hydrated(page);
  await newOrder.choose('Voronoi');
  await expect(newOrder.payWithPoints).toHaveCount(0);
  await newOrder.choose('Hypnotic squares');
  await expect(newOrder.payWithPoints).toHaveText('Pay with 200 points');

  // The account page lists both entries and what expires next.
  await page.goto('/account');
  await expect(page.getByTestId('points-summary')).toHaveText('You have 300 points.');
  await expect(page.locator('.points-ledger tr[data-kind=earned]')).toContainText('+500');
  await expect(page.locator('.points-ledger tr[data-kind=redeemed]')).toContainText('-200');
  await expect(page.getByTestId('points-expiry')).toContainText('300 points expire on');

  // The console counts today's points.
  await page.goto('/admin');
  await expect(page.getByTestId('points-today')).toContainText('redeemed');
});
