import { test, expect, Page } from '@playwright/test';

/** Waits until the wasm has hydrated the page, so controls react. */
async function open(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

const snippet = (page: Page) => page.getByRole('tabpanel');

test('typing a prompt updates the cURL snippet live', async ({ page }) => {
  await open(page);
  await expect(page.getByRole('heading', { name: 'FLUX.1 [dev]' })).toBeVisible();
  await expect(page.getByText('Emulated', { exact: true })).toBeVisible();
  await expect(snippet(page)).toContainText('https://api.aimlapi.com/v1/images/generations');
  await expect(snippet(page)).toContainText('Authorization: Bearer $AIMLAPI_KEY');

  await page.getByRole('textbox', { name: 'Prompt' }).fill("a lighthouse at dusk, it's stormy");
  await expect(snippet(page)).toContainText(`"prompt": "a lighthouse at dusk, it'\\''s stormy"`);
  await expect(page.getByText('33 / 4000')).toBeVisible();

  await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('28');
  await expect(snippet(page)).toContainText('"num_inference_steps": 28');

  await page.getByRole('checkbox', { name: 'Key as placeholder' }).check();
  await expect(snippet(page)).toContainText("'Authorization: Bearer <YOUR_AIMLAPI_KEY>'");
});

// A found bug: the page's form read before hydration gave an empty file box as "[object File]".
test('a model with an image field opens ready to generate, its image optional', async ({ page }) => {
  for (const model of ['bfl/flux-dev', 'aimlapi/flux/dev/image-to-image', 'bfl/flux-2-pro']) {
    await open(page, `/?model=${model}&prompt=a%20kite`);
    await expect(page.getByText(/must be a file uploaded here/), model).toHaveCount(0);
  }
  await open(page, '/?model=bfl/flux-dev&prompt=a%20kite');
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled();
});

test('Generate shows an image of the chosen size with its seed', async ({ page }) => {
  await open(page);
  await page.getByRole('textbox', { name: 'Prompt' }).fill('a lighthouse at dusk');
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('square');
  await expect(snippet(page)).toContainText('"image_size": "square"');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();

  const image = page.getByRole('img', { name: 'Generated image 1 of 1' });
  await expect(image).toBeVisible();
  const natural = await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  expect(natural).toEqual([512, 512]);
  await expect(page.getByText(/512 × 512 · seed \d+ \(random, chosen by fluxplay\)/)).toBeVisible();
  await expect(page.getByText('Emulated image: not made by the provider')).toBeVisible();
  await page.screenshot({ path: 'test-results/playground-generated.png', fullPage: true });
});

test('an invalid custom size shows which limit and disables Generate; Ctrl+Enter generates when fixed', async ({ page }) => {
  await open(page);
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('custom');
  await page.getByRole('spinbutton', { name: 'Width' }).fill('640');
  await page.getByRole('spinbutton', { name: 'Height' }).fill('1000');
  await expect(page.getByText('Height must be a multiple of 32 between 512 and 1536', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeDisabled();
  // No request a provider would refuse is offered for copying.
  await expect(snippet(page)).toHaveText(
    'The form is invalid, so there is no request to show. `image_size`: Height must be a multiple of 32 between 512 and 1536.',
  );
  await page.screenshot({ path: 'test-results/playground-invalid.png', fullPage: true });

  await page.getByRole('spinbutton', { name: 'Height' }).fill('960');
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled();
  await expect(snippet(page)).toContainText('"width": 640');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('1234');
  await page.getByRole('spinbutton', { name: 'Seed' }).press('Control+Enter');

  const image = page.getByRole('img', { name: 'Generated image 1 of 1' });
  await expect(image).toBeVisible();
  expect(await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([640, 960]);
  await expect(page.getByText(/640 × 960 · seed 1234 ·/)).toBeVisible();
});

test('the copy button copies the snippet and says so', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Copied!' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain("curl -X POST 'https://api.aimlapi.com/v1/images/generations'");
});

test('phone width stacks into one column', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page);
  const form = await page.getByRole('form', { name: 'Parameters' }).boundingBox();
  const code = await snippet(page).boundingBox();
  expect(form && code && code.y > form.y + form.height - 1).toBeTruthy();
  await page.screenshot({ path: 'test-results/playground-phone.png', fullPage: true });
});
