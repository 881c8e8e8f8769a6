import { test, expect } from '@playwright/test';
import * as path from 'node:path';

// At least 256 px a side: FLUX 3 takes no smaller reference.
const REFERENCE = path.join(__dirname, '..', 'fixtures', 'reference-384x256.png');

test('every model in the catalog generates through its emulator', async ({ page }) => {
  test.setTimeout(360_000);
  await page.goto('/');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const picker = page.getByRole('combobox', { name: 'Model' });
  const slugs = await picker.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(slugs.length).toBeGreaterThanOrEqual(19);
  const requestId = page.locator('.gallery .request-id code');
  for (const slug of slugs) {
    await picker.selectOption(slug);
    await expect(page.getByText('Emulated', { exact: true })).toBeVisible();
    // Image-to-image models need their reference image (or a list of them) first.
    const reference = page.getByLabel(/^(Reference images?|Input image) \*$/);
    if ((await reference.count()) > 0) {
      await reference.setInputFiles(REFERENCE);
      await expect(page.getByRole('img', { name: /^(Reference image|Input image) (preview|1)$/ })).toBeVisible();
    }
    const before = (await requestId.count()) > 0 ? await requestId.innerText() : '';
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect(requestId).not.toHaveText(before, { timeout: 20_000 });
    await expect(page.getByRole('alert')).toHaveCount(0);
    const image = page.getByRole('img', { name: /^Generated image 1 of \d$/ });
    await expect(image).toBeVisible();
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth), slug).toBeGreaterThan(0);
  }
});
