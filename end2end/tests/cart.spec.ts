import { expect, test } from './fixtures';
import { BillPage, CartPage } from './pages/cart-pages';

const CHECKOUT = /\/checkout\/simulated\/cs_test_sim_[0-9a-f]{32}$/;
const BILL = /\/bills\/[0-9a-f-]{36}$/;

test('fill a cart, pay once, see the receipt', async ({ page, newOrder, checkout, signedUp }) => {
  const cart = new CartPage(page);
  const bill = new BillPage(page);
  const count = page.getByRole('navigation', { name: 'Account' }).getByTestId('cart-count');
  await newOrder.goto();
  await newOrder.addToCart('Square', 'tomato');
  await expect(page).toHaveURL(/\/cart$/);
  await expect(cart.items).toHaveCount(1);
  await expect(count).toHaveText('1');

  await newOrder.goto();
  await newOrder.addToCart('Voronoi', 'teal');
  await expect(cart.items).toHaveCount(2);
  await newOrder.goto();
  await newOrder.addToCart('Tiled lines', 'navy');
  await expect(cart.items).toHaveCount(3);
  await expect(count).toHaveText('3');
  await expect(cart.total).toHaveText('$8.00');

  await cart.checkOut.click();
  await expect(page).toHaveURL(CHECKOUT);
  await expect(checkout.amount).toHaveText('$8.00');
  await expect(page.getByRole('main')).toContainText('Voronoi in teal');
  await expect(page.getByRole('main')).toContainText('Tiled lines in navy');
  await checkout.pay.click();

  await expect(page).toHaveURL(BILL);
  await expect(bill.status).toHaveText('paid');
  await expect(bill.lines).toHaveCount(3);
  await expect(bill.total).toHaveText('$8.00');
  await expect(count).toHaveCount(0);
  await expect(async () => {
    await page.reload();
    await expect(bill.lineStatuses).toHaveText(['done', 'done', 'done'], { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // Each priced picture earned 10 points a dollar once drawn: $8.00 makes 80.
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Account' }).getByTestId('points-balance')).toHaveText('80 points');

  // Each order is listed with a link to its bill.
  await page.goto('/orders');
  await expect(page.getByTestId('bill-link')).toHaveCount(3);
});

test('a picture taken out of the cart is not ordered', async ({ page, newOrder, signedUp }) => {
  const cart = new CartPage(page);
  await newOrder.goto();
  await newOrder.addToCart('Square', 'gold');
  await newOrder.goto();
  await newOrder.addToCart('Square', 'plum');
  await expect(cart.items).toHaveCount(2);
  await cart.items.filter({ hasText: 'gold' }).getByRole('button', { name: 'Remove' }).click();
  await expect(cart.items).toHaveCount(1);
  await expect(cart.items).toContainText('plum');
  await cart.checkOut.click();
  // Free pictures alone need no checkout: straight to the bill.
  await expect(page).toHaveURL(BILL);
  await expect(new BillPage(page).status).toHaveText('free');
  await expect(new BillPage(page).lines).toHaveCount(1);
});
