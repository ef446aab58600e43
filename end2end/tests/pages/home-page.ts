import { Locator, Page } from '@playwright/test';

/** The catalogue on the home page. */
export class HomePage {
  readonly shapes: Locator;

  constructor(readonly page: Page) {
    this.shapes = page.getByRole('list', { name: 'Shapes' }).getByRole('listitem');
  }

  async goto() {
    await this.page.goto('/');
  }

  card(displayName: string): Locator {
    return this.shapes.filter({ has: this.page.getByRole('heading', { name: displayName, exact: true }) });
  }
}
