import { PASSWORD, createAccount, expect, test } from './fixtures';

test('order a free circle and watch it being drawn without reloading', async ({ page, newOrder, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Circle', 'rebeccapurple');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.heading).toHaveText('Circle in rebeccapurple');
  await expect(orderPage.status).not.toHaveText('done');
  // Screen readers hear the status change: the badge is a polite live region.
  await expect(orderPage.status).toHaveAttribute('aria-live', 'polite');
  // A mark on this very document: a reload would lose it.
  await page.evaluate(() => ((window as any).__stillHere = true));

  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });
  await expect(orderPage.picture).toBeVisible();
  expect(await orderPage.picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
  await expect(orderPage.download).toHaveAttribute('download', /\.png$/);
  expect(await page.evaluate(() => (window as any).__stillHere)).toBe(true);

  await page.goto('/orders');
  const row = page.getByRole('list', { name: 'My orders' }).getByRole('listitem');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('order-status')).toHaveText('done');
});

test('the live preview follows the colour as it is typed', async ({ newOrder, signedUp }) => {
  await newOrder.goto();
  await newOrder.choose('Square');
  await newOrder.colour.fill('red');
  await expect(newOrder.preview.locator('rect[fill="#ff0000"]')).toHaveCount(1);
  await newOrder.colour.fill('#00f');
  await expect(newOrder.preview.locator('rect[fill="#0000ff"]')).toHaveCount(1);
  await newOrder.colour.fill('blurp');
  await expect(newOrder.notAColour).toBeVisible();
  await expect(newOrder.preview.locator('rect[fill="#0000ff"]')).toHaveCount(1);
  await newOrder.choose('Circle');
  await expect(newOrder.preview.locator('circle[fill="#0000ff"]')).toHaveCount(1);
});

test('a shape and colour chosen before the page comes alive are kept by the preview', async ({ page, newOrder, signedUp }) => {
  // Hold the WebAssembly back so the choices are made on the server's page, then let it load.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await newOrder.goto();
  await newOrder.choose('Square');
  await newOrder.colour.fill('red');
  release();
  await expect(newOrder.preview.locator('rect[fill="#ff0000"]')).toHaveCount(1);
  await expect(newOrder.colour).toHaveValue('red');
  await newOrder.colour.fill('#00f');
  await expect(newOrder.preview.locator('rect[fill="#0000ff"]')).toHaveCount(1);
});

test('an invalid colour is shown next to the field and nothing is ordered', async ({ page, newOrder, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Square', 'blurple');
  await expect(page.locator('#color-error')).toContainText("'blurple' is not a colour");
  await page.goto('/orders');
  await expect(page.getByText('No orders yet.')).toBeVisible();
});

test("another user gets not found for someone else's order", async ({ page, newOrder, signedUp, browser }) => {
  await newOrder.goto();
  await newOrder.order('Square', 'tomato');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const orderUrl = page.url();

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await createAccount(otherPage, `other-${Date.now()}@example.com`);
  const response = await otherPage.goto(orderUrl);
  expect(response?.status()).toBe(404);
  await expect(otherPage.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await other.close();
});

test('signed-out visitors are sent to sign in and come back', async ({ page, signIn, signedUpThenOut: email }) => {
  await page.goto('/orders/new');
  await expect(page).toHaveURL(/\/signin\?next=/);
  await signIn.submitWith(email, PASSWORD);
  await expect(page).toHaveURL('/orders/new');
  await expect(page.getByRole('heading', { name: 'Order a picture' })).toBeVisible();
});

test('a shape chosen on the home page is preselected in the order form', async ({ page, home, signedUp }) => {
  await home.goto();
  await home.card('Voronoi').getByRole('link').click();
  await expect(page).toHaveURL('/orders/new?shape=voronoi');
  await expect(page.getByRole('radio', { name: /Voronoi/ })).toBeChecked();
});
