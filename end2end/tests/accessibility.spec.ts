import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** axe-core's WCAG 2.1 A and AA rules on the page as it stands. */
async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  expect(found, `${what} has accessibility violations`).toEqual([]);
}

test('the public pages pass axe-core', async ({ page }) => {
  for (const path of ['/', '/signin', '/signup', '/accounts/forgot', '/no-such-page']) {
    await page.goto(path);
    await expectAccessible(page, path);
  }
});

test('the pages of a signed-in customer pass axe-core', async ({ page, newOrder, orderPage, checkout, signedUp }) => {
  await newOrder.goto();
  await expectAccessible(page, '/orders/new');
  await newOrder.order('Circle', 'tomato');
  await expect(orderPage.status).toHaveText('done', { timeout: 20_000 });
  await expectAccessible(page, 'a done order');
  await page.getByRole('button', { name: 'Share a link' }).click();
  const shared = (await page.getByTestId('share-link').textContent())!;
  await newOrder.goto();
  await newOrder.order('Voronoi', 'gold');
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  await expectAccessible(page, 'the simulated checkout');
  await checkout.cancel.click();
  await expect(orderPage.status).toHaveText('waiting for payment');
  await expectAccessible(page, 'an order waiting for payment');
  for (const path of ['/orders', '/orders?q=nothing', '/account', shared]) {
    await page.goto(path);
    await expectAccessible(page, path);
  }
});

test('the cart and a bill pass axe-core', async ({ page, newOrder, checkout, signedUp }) => {
  await page.goto('/cart');
  await expectAccessible(page, 'an empty cart');
  await newOrder.goto();
  await newOrder.addToCart('Square', 'tomato');
  await newOrder.goto();
  await newOrder.addToCart('Voronoi', 'teal');
  await expect(page.getByTestId('cart-item')).toHaveCount(2);
  await expectAccessible(page, 'a cart of two');
  await page.getByTestId('check-out').click();
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  await expectAccessible(page, 'the checkout of a bill');
  await checkout.pay.click();
  await expect(page.getByTestId('bill-status')).toHaveText('paid');
  await expectAccessible(page, 'a bill');
});

test('a picture can be ordered with the keyboard alone', async ({ page, newOrder, orderPage, signedUp }) => {
  await newOrder.goto();
  // Into the shape choices, then along them with the arrow keys, as radio buttons go.
  await page.getByRole('radio', { name: /Circle/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: /Hypnotic squares/ })).toBeChecked();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('radio', { name: /Square/ }).first()).toBeChecked();
  // On to the colour field with Tab, type, and send the form with Enter.
  await page.keyboard.press('Tab');
  await expect(newOrder.colour).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('seagreen');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.heading).toHaveText('Square in seagreen');
});
