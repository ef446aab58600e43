import { createAccount, expect, test } from './fixtures';

// This project runs with JavaScript disabled: the forms must work as plain HTML.
test('sign up, confirm, sign in and sign out without JavaScript', async ({ page, header, email }) => {
  await createAccount(page, email);
  await expect(header.signedInAs).toHaveText(email);
  await header.signOut();
  await expect(header.signInLink).toBeVisible();
});

test('a refused sign-up shows the error without JavaScript', async ({ page, signUp, email }) => {
  await signUp.goto();
  await signUp.submitWith(email, 'short');
  await expect(page.locator('#password-error')).toHaveText('password must be 8 to 128 characters long');
});

test('order a picture without JavaScript', async ({ page, newOrder, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Circle', 'seagreen');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.heading).toHaveText('Circle in seagreen');
  // Without JavaScript the page does not update itself; a reload shows the picture.
  await expect(async () => {
    await page.reload();
    await expect(orderPage.status).toHaveText('done', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(orderPage.picture).toBeVisible();
});

test('pay for a picture at the simulated checkout without JavaScript', async ({ page, newOrder, checkout, orderPage, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'crimson');
  await expect(page).toHaveURL(/\/checkout\/simulated\/cs_test_sim_[0-9a-f]{32}$/);
  await checkout.pay.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.status).not.toHaveText('waiting for payment');
  await expect(async () => {
    await page.reload();
    await expect(orderPage.status).toHaveText('done', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
});

test('search, note, cancel and order again without JavaScript', async ({ page, newOrder, orderPage, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.order('Voronoi', 'gold');
  await checkout.cancel.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await expect(orderPage.status).toHaveText('cancelled');

  await page.getByLabel('Your note (only you see it)').fill('gift');
  await page.getByRole('button', { name: 'Save note' }).click();
  await expect(page.getByTestId('note')).toHaveText('gift');

  await page.locator('#again-color').fill('navy');
  await page.getByRole('button', { name: 'Order again' }).click();
  await expect(page).toHaveURL(/\/checkout\/simulated\//);

  await page.goto('/orders');
  await page.getByRole('searchbox', { name: 'Search' }).fill('gift');
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.getByRole('list', { name: 'My orders' }).getByRole('listitem');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Voronoi in gold');
});

test('fill a cart and pay it once without JavaScript', async ({ page, newOrder, checkout, signedUp }) => {
  await newOrder.goto();
  await newOrder.addToCart('Square', 'tomato');
  await expect(page).toHaveURL(/\/cart$/);
  await newOrder.goto();
  await newOrder.addToCart('Voronoi', 'teal');
  await expect(page.getByTestId('cart-item')).toHaveCount(2);
  await expect(page.getByTestId('cart-total')).toHaveText('$5.00');
  await page.getByTestId('check-out').click();
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  await expect(checkout.amount).toHaveText('$5.00');
  await checkout.pay.click();
  await expect(page).toHaveURL(/\/bills\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('bill-status')).toHaveText('paid');
});

test('earn points on a paid cart, then pay a picture with them, without JavaScript', async ({ page, newOrder, checkout, orderPage, signedUp }) => {
  test.setTimeout(60_000);
  // Four voronois at $5.00 earn 50 points each once drawn: 200 points.
  for (const colour of ['teal', 'navy', 'plum', 'gold']) {
    await newOrder.goto();
    await newOrder.addToCart('Voronoi', colour);
    await expect(page).toHaveURL(/\/cart$/);
  }
  await expect(page.getByTestId('cart-total')).toHaveText('$20.00');
  await page.getByTestId('check-out').click();
  await expect(page).toHaveURL(/\/checkout\/simulated\//);
  await checkout.pay.click();
  const balance = page.getByRole('navigation', { name: 'Account' }).getByTestId('points-balance');
  await expect(async () => {
    await page.reload();
    await expect(balance).toHaveText('200 points', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });

  // The form offers points without knowing the shape; the server charges the one sent.
  await newOrder.goto();
  await newOrder.choose('Hypnotic squares');
  await newOrder.colour.fill('orchid');
  await newOrder.payWithPoints.click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(orderPage.heading).toHaveText('Hypnotic squares in orchid');
  await expect(page.getByTestId('paid')).toHaveText('200 points');
  await expect(balance).toHaveCount(0);
});
