import { test, expect, Page } from '@playwright/test';

// The history strip (the server's /history page, framed under the result) and the
// permalinks: a generation appears, restores its whole form, runs again, is deleted;
// its permalink shows it without JavaScript and previews through Open Graph; a
// prompt full of markup stays text everywhere.

async function open(page: Page, url = '/') {
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}
const strip = (page: Page) => page.frameLocator('iframe[title="History"]');
const prompt = (page: Page) => page.getByRole('textbox', { name: 'Prompt' });

test('a generation joins the strip, and one click restores its whole form', async ({ page }) => {
  await open(page);
  // Before any result the page links to the history rather than loading it.
  // (Relative, so it is right under any base path: here the root's.)
  await expect(page.getByRole('link', { name: 'History' })).toHaveJSProperty('href', new URL('/history', page.url()).href);
  await expect(page.locator('iframe')).toHaveCount(0);
  const words = `harbour at dawn ${Date.now()}`;
  await prompt(page).fill(words);
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('square');
  await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('31');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  const seed = (await page.getByText(/seed \d+/).first().textContent())!.match(/seed (\d+)/)![1];

  const restore = strip(page).getByRole('link', { name: `Restore: ${words}` });
  await expect(restore).toBeVisible();
  await expect(restore.locator('img')).toBeVisible();
  await page.screenshot({ path: 'test-results/history-strip.png', fullPage: true });

  // Change the form (a model switch would clear the result and its strip), then restore:
  // the form (and so the snippet) is what was sent.
  await prompt(page).fill('something else');
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('portrait_4_3');
  await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('12');
  const started = Date.now();
  await restore.click();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(prompt(page)).toHaveValue(words);
  console.log(`restore from history: ${Date.now() - started} ms from the click to the hydrated form`);
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('aimlapi/flux/dev');
  await expect(page.getByRole('combobox', { name: 'Image size' })).toHaveValue('square');
  await expect(page.getByRole('spinbutton', { name: 'Inference steps' })).toHaveValue('31');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue(seed);
  await expect(page.getByRole('tabpanel')).toContainText(`"seed": ${seed}`);
});

test('re-run from the strip follows the new run to its permalink', async ({ page }) => {
  await open(page);
  const words = `re-run me ${Date.now()}`;
  await prompt(page).fill(words);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  await strip(page).getByRole('button', { name: `Re-run: ${words}` }).click();
  await expect(page).toHaveURL(/\/r\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('img', { name: words })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open in playground' })).toBeVisible();
});

test('a permalink works without JavaScript, previews through Open Graph, and its owner deletes it', async ({ page, browser }) => {
  await open(page);
  const words = `permalink ${Date.now()}`;
  await prompt(page).fill(words);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(strip(page).getByRole('link', { name: `Restore: ${words}` })).toBeVisible();
  const link = strip(page).getByRole('link', { name: 'Permalink', exact: true }).first();
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/r\/[0-9a-f-]{36}$/);

  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  const resp = await plain.goto(href);
  expect(resp!.status()).toBe(200);
  await expect(plain.getByRole('heading', { name: /FLUX\.1 \[dev\]/ })).toBeVisible();
  const image = plain.getByRole('img', { name: words });
  await expect(image).toBeVisible();
  expect(await image.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  const og = await plain.locator('meta[property="og:image"]').getAttribute('content');
  expect(og).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/images\/[0-9a-f]{64}\.png$/);
  expect((await plain.request.get(og!)).status()).toBe(200);
  await expect(plain.locator('meta[property="og:title"]')).toHaveAttribute('content', words);
  await expect(plain.getByText('curl -X POST')).toBeVisible();
  await plain.screenshot({ path: 'test-results/permalink.png', fullPage: true });
  await noJs.close();

  // Another browser may look but has no delete button; the owner deletes it, and it is gone.
  const other = await browser.newContext();
  const stranger = await other.newPage();
  await stranger.goto(href);
  await expect(stranger.getByRole('img', { name: words })).toBeVisible();
  await other.close();
  await page.goto(href);
  await page.getByRole('button', { name: 'Delete this generation' }).click();
  await expect(page).toHaveURL(/\/$/);
  expect((await page.request.get(href)).status()).toBe(404);
});

test('a prompt full of markup stays text in the strip and on the permalink', async ({ page }) => {
  await open(page);
  const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>" onfocus="window.__pwned=3`;
  await prompt(page).fill(payload);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  await expect(strip(page).getByRole('link', { name: `Restore: ${payload}` })).toBeVisible();
  const frame = page.frame({ url: /\/history\?embed=/ })!;
  expect(await frame.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await frame.locator('img[src="x"], script').count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);

  await strip(page).getByRole('link', { name: 'Permalink', exact: true }).first().click();
  await expect(page.getByRole('img', { name: payload })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], script').count()).toBe(0);
});

test('delete one from the strip, then clear all', async ({ page }) => {
  await open(page);
  const [first, second] = [`first ${Date.now()}`, `second ${Date.now()}`];
  for (const words of [first, second]) {
    await prompt(page).fill(words);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect(strip(page).getByRole('link', { name: `Restore: ${words}` })).toBeVisible();
  }
  await expect(strip(page).getByRole('link', { name: `Restore: ${first}` })).toBeVisible();
  await strip(page).getByRole('button', { name: `Delete: ${second}` }).click();
  await expect(strip(page).getByRole('link', { name: `Restore: ${second}` })).toHaveCount(0);
  await expect(strip(page).getByRole('link', { name: `Restore: ${first}` })).toBeVisible();
  await strip(page).getByRole('button', { name: 'Clear all' }).click();
  await expect(strip(page).getByText('No generations yet.')).toBeVisible();
  await expect(strip(page).getByRole('listitem')).toHaveCount(0);
});
