import { Locator, Page } from '@playwright/test';

/** `/admin/shapes`: one row per shape, each saved on its own. */
export class AdminShapesPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/shapes');
  }

  price(displayName: string): Locator {
    return this.page.getByLabel(`${displayName} price`);
  }

  currency(displayName: string): Locator {
    return this.page.getByLabel(`${displayName} currency`);
  }

  active(displayName: string): Locator {
    return this.page.getByLabel(`${displayName} active`);
  }

  save(displayName: string): Locator {
    return this.page.getByRole('button', { name: `Save ${displayName}` });
  }

  row(displayName: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: displayName }) });
  }
}
