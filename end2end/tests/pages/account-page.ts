import { Locator, Page } from '@playwright/test';

/** The sign-up or sign-in page: same fields, different button. */
export class AccountPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page, readonly path: string, buttonName: string) {
    this.email = page.getByLabel('E-mail');
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('main').getByRole('button', { name: buttonName });
    this.alerts = page.getByRole('main').getByRole('alert');
  }

  async goto() {
    await this.page.goto(this.path);
  }

  async submitWith(email: string, password: string) {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }
}
