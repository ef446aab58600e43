import { Page, expect } from '@playwright/test';

/** Waits until the page has come alive (the wasm hydrated it and marked `<html>`): before
 *  then a form posts as plain HTML and a click changes nothing reactive. */
export async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1, { timeout: 20_000 });
}
