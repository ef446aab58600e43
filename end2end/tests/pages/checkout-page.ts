import { Locator, Page } from '@playwright/test';

/** `/checkout/simulated/{session}`: the built-in stand-in for Stripe Checkout. */
export class CheckoutPage {
  readonly amount: Locator;
  readonly pay: Locator;
  readonly cancel: Locator;
  readonly expire: Locator;

  constructor(readonly page: Page) {
    const main = page.getByRole('main');
    this.amount = page.getByTestId('checkout-amount');
    this.pay = main.getByRole('button', { name: 'Pay', exact: true });
    this.cancel = main.getByRole('button', { name: 'Cancel' });
    this.expire = main.getByRole('button', { name: 'Let it expire' });
  }
}
