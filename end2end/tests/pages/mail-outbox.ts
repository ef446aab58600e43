import { Locator, Page } from '@playwright/test';

/** `/dev/mail`: the mail the app sent (the embedded default's outbox). */
export class MailOutbox {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/dev/mail');
  }

  /** The row of the newest mail to `to` with this subject. */
  row(to: string, subject: string): Locator {
    return this.page.getByRole('row').filter({ hasText: to }).filter({ hasText: subject }).first();
  }

  /** Opens that mail; its text part is then in `text`. */
  async open(to: string, subject: string) {
    await this.row(to, subject).getByRole('link', { name: subject }).click();
  }

  get recipient(): Locator {
    return this.page.locator('dd.to');
  }

  get text(): Locator {
    return this.page.locator('pre.text');
  }
}
