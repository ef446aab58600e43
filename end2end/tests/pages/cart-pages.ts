import { Locator, Page } from '@playwright/test';

/** `/cart`: the pictures gathered for one checkout. */
export class CartPage {
  readonly items: Locator;
  readonly total: Locator;
  readonly checkOut: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.items = page.getByTestId('cart-item');
    this.total = page.getByTestId('cart-total');
    this.checkOut = page.getByTestId('check-out');
    this.empty = page.getByTestId('empty-cart');
  }

  async goto() {
    await this.page.goto('/cart');
  }
}

/** `/bills/{id}`: the receipt of a cart checked out. */
export class BillPage {
  readonly status: Locator;
  readonly lines: Locator;
  readonly lineStatuses: Locator;
  readonly total: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('bill-status');
    this.lines = page.getByTestId('bill-line');
    this.lineStatuses = page.getByTestId('bill-line-status');
    this.total = page.getByTestId('bill-total');
  }
}
