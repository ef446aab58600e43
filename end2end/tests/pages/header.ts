import { Locator, Page } from '@playwright/test';

/** The site header: who is signed in, and the account links. */
export class Header {
  readonly signedInAs: Locator;
  readonly signOutButton: Locator;
  readonly signInLink: Locator;

  constructor(readonly page: Page) {
    const nav = page.getByRole('navigation', { name: 'Account' });
    this.signedInAs = nav.getByTestId('signed-in-as');
    this.signOutButton = nav.getByRole('button', { name: 'Sign out' });
    this.signInLink = nav.getByRole('link', { name: 'Sign in' });
  }

  async signOut() {
    await this.signOutButton.click();
  }
}
