import { expect, test } from './fixtures';

const CHECKOUT = /\/checkout\/simulated\/cs_test_sim_[0-9a-f]{32}$/;

test('order a voronoi, pay at the simulated checkout, and watch it reach done', async ({ page, newOrder, checkout, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'teal');
  await expect(page).toHaveURL(CHECKOUT);
  await expect(checkout.amount).toHaveText('$5.00');

  await checkout.pay.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.heading).toHaveText('Voronoi in teal');
  await expect(orderPage.status).not.toHaveText('waiting for payment');
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });
  await expect(orderPage.picture).toBeVisible();
});

test('cancel at checkout goes back to the order, which can be paid later or cancelled', async ({ page, newOrder, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'orange');
  await expect(page).toHaveURL(CHECKOUT);
  await checkout.cancel.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('order-status')).toHaveText('waiting for payment');
  await expect(page.getByRole('link', { name: 'Pay now' })).toHaveAttribute('href', CHECKOUT);

  await page.goto('/orders');
  const row = page.getByRole('list', { name: 'My orders' }).getByRole('listitem');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('order-status')).toHaveText('waiting for payment');
});

test('a checkout left to expire fails the order with the reason', async ({ page, newOrder, checkout, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'navy');
  await expect(page).toHaveURL(CHECKOUT);
  await checkout.expire.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.status).toHaveText('failed');
  await expect(page.getByRole('alert')).toContainText('checkout expired');
});

test('the order page waits for payment and updates live when it arrives', async ({ page, newOrder, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'gold');
  await expect(page).toHaveURL(CHECKOUT);
  const checkoutUrl = page.url();

  // The client opens the order page in another tab of the same session and waits there.
  const orderId = await page.evaluate(async (url) => {
    const { orders } = await (await fetch('/api/v1/orders')).json();
    return orders.find((o: { checkout_url?: string }) => o.checkout_url === url).id;
  }, checkoutUrl);
  const waiting = await page.context().newPage();
  await waiting.goto(`/orders/${orderId}`);
  await expect(waiting.getByTestId('order-status')).toHaveText('waiting for payment');
  await expect(waiting.getByRole('link', { name: 'Pay now' })).toHaveAttribute('href', checkoutUrl);
  await waiting.evaluate(() => ((window as any).__stillHere = true));

  await checkout.pay.click();
  await expect(waiting.getByTestId('order-status')).toHaveText('done', { timeout: 20_000 });
  expect(await waiting.evaluate(() => (window as any).__stillHere)).toBe(true);
});

test('a sixth checkout left open is refused on the order form with the reason', async ({ page, newOrder, signedUp }) => {
  // Five priced orders waiting for payment, placed through the API with the same session.
  for (let n = 0; n < 5; n++) {
    const created = await page.request.post('/api/v1/orders', { data: { shape: 'voronoi', color: 'teal' } });
    expect(created.status()).toBe(201);
  }
  await newOrder.goto();
  await newOrder.order('Voronoi', 'plum');
  await expect(page).toHaveURL(/\/orders\/new/);
  await expect(page.getByRole('alert')).toContainText('you have 5 orders waiting for payment');

  // Nothing was stored: still five orders, all waiting.
  const { orders } = await (await page.request.get('/api/v1/orders')).json();
  expect(orders).toHaveLength(5);
  // A free picture is still taken.
  await newOrder.order('Circle', 'plum');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
});

test('the preview is the picture: Shuffle shows another, and the order is drawn with the one shown', async ({ page, newOrder, checkout, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.choose('Voronoi');
  await newOrder.colour.fill('tomato');
  const firstSeed = await newOrder.seed.inputValue();
  const firstPicture = await newOrder.preview.innerHTML();
  await newOrder.shuffle.click();
  await expect(newOrder.seed).not.toHaveValue(firstSeed);
  await expect.poll(() => newOrder.preview.innerHTML()).not.toBe(firstPicture);
  const seed = await newOrder.seed.inputValue();
  const shown = await newOrder.preview.innerHTML();

  await newOrder.submit.click();
  await expect(page).toHaveURL(CHECKOUT);
  await checkout.pay.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });
  const id = page.url().split('/').pop();

  const order = await (await page.request.get(`/api/v1/orders/${id}`)).json();
  expect(order.seed).toBe(Number(seed));
  // The server's scene for the order, serialised by the browser as the preview was.
  const svg = await (await page.request.get(`/api/v1/orders/${id}/picture?format=svg`)).text();
  const served = await page.evaluate((markup) => {
    const box = document.createElement('div');
    box.innerHTML = markup;
    return box.innerHTML;
  }, svg);
  expect(served).toBe(shown);
});
