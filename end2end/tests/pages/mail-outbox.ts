import { Locator, Page, expect } from '@playwright/test';

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

  /** Reloads the outbox until a mail to `to` with this subject is listed, then opens it. */
  async openWhenSent(to: string, subject: string) {
    await expect(async () => {
      await this.goto();
      await expect(this.row(to, subject)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await this.open(to, subject);
  }

  /** The first link in the open mail's text that contains `path`. */
  async link(path: string): Promise<string> {
    const text = (await this.text.textContent()) ?? '';
    const link = text.split(/\s+/).find((word) => word.startsWith('http') && word.includes(path));
    expect(link, `a ${path} link in the mail`).toBeTruthy();
    return link!;
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
