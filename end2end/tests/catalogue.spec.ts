import { expect, test } from './fixtures';

test('the catalogue shows five thumbnails with prices', async ({ home }) => {
  await home.goto();
  await expect(home.shapes).toHaveCount(5);
  const expected: [string, string][] = [
    ['Square', 'Free'],
    ['Circle', 'Free'],
    ['Hypnotic squares', '$2.00'],
    ['Tiled lines', '$3.00'],
    ['Voronoi', '$5.00'],
  ];
  for (const [name, price] of expected) {
    const card = home.card(name);
    await expect(card.getByRole('img', { name: `${name} thumbnail` }).locator('svg')).toBeVisible();
    await expect(card.locator('.price')).toHaveText(price);
  }
});
