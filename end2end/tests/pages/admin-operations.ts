import { Locator, Page } from '@playwright/test';

/** `/admin`: the console's figures and the orders-per-hour chart. */
export class AdminConsolePage {
  readonly queueDepth: Locator;
  readonly failures: Locator;
  readonly medianRender: Locator;
  readonly revenueToday: Locator;
  readonly chart: Locator;

  constructor(readonly page: Page) {
    this.queueDepth = page.getByTestId('queue-depth').locator('dd');
    this.failures = page.getByTestId('open-failures').locator('dd');
    this.medianRender = page.getByTestId('median-render').locator('dd');
    this.revenueToday = page.getByTestId('revenue-today').locator('dd');
    this.chart = page.getByRole('img', { name: 'Orders per hour over the last 24 hours' });
  }

  async goto() {
    await this.page.goto('/admin');
  }
}

/** `/admin/failures`: one row per failed drawing or mail, with Retry where it may be retried. */
export class AdminFailuresPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/failures');
  }

  row(orderId: string): Locator {
    return this.page.locator(`tr[data-order="${orderId}"]`);
  }

  retry(orderId: string): Locator {
    return this.page.getByRole('button', { name: `Retry order ${orderId}` });
  }

  /** The row of a mail that could not be sent (a dead letter). */
  mailRow(mailId: string): Locator {
    return this.page.locator(`tr[data-mail="${mailId}"]`);
  }

  retryMail(mailId: string): Locator {
    return this.page.getByRole('button', { name: `Send the mail ${mailId} again` });
  }
}

/** `/admin/live`: paid orders and failures as they happen. */
export class AdminLivePage {
  readonly state: Locator;

  constructor(readonly page: Page) {
    this.state = page.getByTestId('live-state');
  }

  async goto() {
    await this.page.goto('/admin/live');
  }

  /** The feed's line of this kind (`paid`, `failed`, `refunded`) about this order. */
  item(orderId: string, kind: string): Locator {
    return this.page.locator(`[data-testid="live-feed"] li[data-order="${orderId}"][data-kind="${kind}"]`);
  }
}
