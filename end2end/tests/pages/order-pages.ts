import { Locator, Page } from '@playwright/test';

/** `/orders/new`: shape cards, colour field, live preview. */
export class NewOrderPage {
  readonly colour: Locator;
  readonly preview: Locator;
  readonly submit: Locator;
  readonly notAColour: Locator;
  readonly shuffle: Locator;
  readonly seed: Locator;
  readonly addToCartButton: Locator;
  readonly payWithPoints: Locator;

  constructor(readonly page: Page) {
    // A text input with a datalist is a combobox; the picker beside it is labelled apart.
    this.colour = page.getByLabel('Colour', { exact: true });
    this.preview = page.getByRole('img', { name: 'Preview', exact: true });
    this.submit = page.getByRole('button', { name: 'Order' });
    this.notAColour = page.getByTestId('not-a-colour');
    this.shuffle = page.getByRole('button', { name: /^Shuffle/ });
    this.seed = page.locator('.order-form input[name=seed]');
    this.addToCartButton = page.getByRole('button', { name: 'Add to cart' });
    this.payWithPoints = page.getByTestId('pay-with-points');
  }

  async goto() {
    await this.page.goto('/orders/new');
  }

  async choose(shapeName: string) {
    const name = this.page.locator('.name').getByText(shapeName, { exact: true });
    await this.page.locator('.shape-option').filter({ has: name }).click();
  }

  async addToCart(shapeName: string, colour: string) {
    await this.choose(shapeName);
    await this.colour.fill(colour);
    await this.addToCartButton.click();
  }

  async order(shapeName: string, colour: string) {
    await this.choose(shapeName);
    await this.colour.fill(colour);
    await this.submit.click();
  }
}

/** `/orders/{id}`. */
export class OrderPage {
  readonly status: Locator;
  readonly picture: Locator;
  readonly download: Locator;
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('order-status');
    this.picture = page.locator('img.picture');
    this.download = page.getByRole('link', { name: 'Download', exact: true });
    this.heading = page.getByRole('heading', { level: 1 });
  }
}
