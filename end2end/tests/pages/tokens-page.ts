import { Locator, Page } from '@playwright/test';
import { hydrated } from './hydrated';

/** `/account/tokens`: make, list and revoke API tokens. */
export class TokensPage {
  readonly name: Locator;
  readonly read: Locator;
  readonly write: Locator;
  readonly days: Locator;
  readonly make: Locator;
  readonly newToken: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.name = page.getByLabel('Name');
    this.read = page.getByLabel(/read my orders/);
    this.write = page.getByLabel(/order pictures/);
    this.days = page.getByLabel(/Expires after/);
    this.make = page.getByRole('button', { name: 'Make a token' });
    this.newToken = page.getByTestId('new-token');
    this.rows = page.getByTestId('token-row');
  }

  async goto() {
    await this.page.goto('/account/tokens');
    // The new token is shown by the page itself, once alive.
    await hydrated(this.page);
  }

  row(name: string): Locator {
    return this.rows.filter({ hasText: name });
  }

  /** Makes a token that may read and order; returns it as shown. */
  async makeToken(name: string): Promise<string> {
    await this.name.fill(name);
    await this.write.check();
    await this.make.click();
    const shown = await this.newToken.inputValue();
    return shown;
  }
}

/** `/admin/partners`: every account's tokens. */
export class PartnersPage {
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('partner-row');
  }

  async goto() {
    await this.page.goto('/admin/partners');
  }

  row(owner: string, name: string): Locator {
    return this.rows.filter({ hasText: owner }).filter({ hasText: name });
  }
}
