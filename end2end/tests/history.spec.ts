import { expect, test } from './fixtures';

test('after ordering: note, share, larger downloads, order again, and search the history', async ({ page, newOrder, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Circle', 'tomato');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const firstUrl = page.url();
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });

  // Larger sizes are offered; one downloads as a PNG of that size.
  const large = page.getByRole('link', { name: '1024 px' });
  await expect(large).toHaveAttribute('href', /\?size=1024$/);
  const png = await page.request.get((await large.getAttribute('href'))!);
  expect(png.headers()['content-type']).toBe('image/png');

  // A note, shown as plain text.
  await page.getByLabel('Your note (only you see it)').fill('<b>for the hall</b>');
  await page.getByRole('button', { name: 'Save note' }).click();
  await expect(page.getByTestId('note')).toHaveText('<b>for the hall</b>');

  // A share link anyone can open, until it is withdrawn.
  await page.getByRole('button', { name: 'Share a link' }).click();
  const link = page.getByTestId('share-link');
  await expect(link).toHaveText(/^\/p\/[0-9a-f]{64}$/);
  const shared = (await link.textContent())!;
  const stranger = await page.context().browser()!.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(new URL(shared, page.url()).toString());
  await expect(strangerPage.getByRole('heading', { level: 1 })).toHaveText('Circle in tomato');
  await expect(strangerPage.locator('img.picture')).toBeVisible();
  await page.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(page.getByRole('button', { name: 'Share a link' })).toBeVisible();
  const gone = await strangerPage.goto(new URL(shared, page.url()).toString());
  expect(gone?.status()).toBe(404);
  await stranger.close();

  // The same picture again, in another colour.
  await page.locator('#again-color').fill('steelblue');
  await page.getByRole('button', { name: 'Order again' }).click();
  await expect(page).not.toHaveURL(firstUrl);
  await expect(orderPage.heading).toHaveText('Circle in steelblue');

  // The history finds orders by colour name, by note, and by status.
  await page.goto('/orders');
  const rows = page.getByRole('list', { name: 'My orders' }).getByRole('listitem');
  await expect(rows).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search' }).fill('hall');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/orders\?q=hall/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Circle in tomato');
});

test('a priced order can be cancelled from its page', async ({ page, newOrder, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'gold');
  await checkout.cancel.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('cancelled');
  await expect(page.getByTestId('cancel-notice')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Pay now' })).toHaveCount(0);
});

test('the history pages through older orders', async ({ page, signedUp }) => {
  for (const colour of ['red', 'orange', 'yellow']) {
    const response = await page.request.post('/api/v1/orders', { data: { shape: 'square', color: colour } });
    expect(response.status()).toBe(201);
  }
  await page.goto('/orders?limit=2');
  const rows = page.getByRole('list', { name: 'My orders' }).getByRole('listitem');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('Square in yellow');
  await page.getByRole('link', { name: 'Older orders' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Square in red');
  await expect(page.getByRole('link', { name: 'Older orders' })).toHaveCount(0);
});

test('an expired checkout is paid again from the order page', async ({ page, newOrder, orderPage, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Tiled lines', 'indigo');
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  const first = page.url();
  await checkout.expire.click();
  await expect(orderPage.status).toHaveText('failed');
  await page.getByRole('button', { name: 'Pay now' }).click();
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  expect(page.url()).not.toBe(first);
  await checkout.pay.click();
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });
  // The first session cannot pay it any more.
  const old = await page.goto(first);
  expect(old?.status()).toBe(404);
});
