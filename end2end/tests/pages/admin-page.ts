import { Locator, Page } from '@playwright/test';
import { hydrated } from './hydrated';

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

/** `/admin/campaigns`: the campaigns, each row saved on its own, and a form for a new one. */
export class AdminCampaignsPage {
  readonly name: Locator;
  readonly startsAt: Locator;
  readonly endsAt: Locator;
  readonly multiplier: Locator;
  readonly start: Locator;

  constructor(readonly page: Page) {
    this.name = page.getByLabel('Name', { exact: true });
    this.startsAt = page.getByLabel('Starts (UTC)', { exact: true });
    this.endsAt = page.getByLabel('Ends (UTC)', { exact: true });
    this.multiplier = page.getByLabel('Multiplier (1 to 10)');
    this.start = page.getByRole('button', { name: 'Start the campaign' });
  }

  async goto() {
    await this.page.goto('/admin/campaigns');
    await hydrated(this.page);
  }

  shape(displayName: string): Locator {
    return this.page.locator('.campaign-form').getByLabel(displayName, { exact: true });
  }

  row(name: string): Locator {
    return this.page.locator(`tr[data-campaign="${name}"]`);
  }
}
