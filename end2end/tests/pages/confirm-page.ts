import { Locator, Page } from '@playwright/test';

/** `/accounts/confirm`: the mailed code confirms the e-mail address. */
export class ConfirmPage {
  readonly email: Locator;
  readonly code: Locator;
  readonly submit: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByLabel('E-mail');
    this.code = page.getByLabel('Code');
    this.submit = page.getByRole('main').getByRole('button', { name: 'Confirm' });
    this.alerts = page.getByRole('main').getByRole('alert');
  }

  async confirmWith(code: string) {
    await this.code.fill(code);
    await this.submit.click();
  }
}
