import { test, expect, Page, Browser } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { SLOW_URL, CANARY_URL } from '../playwright.config';

// Issue 15, as a new visitor meets the playground: on a desktop and a phone, light and
// dark, with JavaScript on, off, and before it has loaded; each state checked by axe-core.

const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

async function hydrated(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

const prompt = (page: Page) => page.getByRole('textbox', { name: 'Prompt' });
const generate = (page: Page) => page.getByRole('button', { name: 'Generate', exact: true });
const firstImage = (page: Page, n = 1) => page.getByRole('img', { name: new RegExp(`^Generated image 1 of ${n}$`) });

/** Holds the page's wasm back until the returned function is called: the page as it is before hydration. */
async function holdWasm(page: Page): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await page.route('**/pkg/*.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

/** No axe-core violation on the page as it is now. */
async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, `${what}: axe-core violations`).toEqual([]);
}

/** axe-core needs script: the page as a browser without script shows it, checked in one whose wasm never loads. */
async function accessibleWithoutScript(browser: Browser, url: string, colorScheme: 'light' | 'dark', viewport: { width: number; height: number }, what: string) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  await page.route('**/pkg/*.wasm', (route) => route.abort());
  await page.goto(url);
  await accessible(page, what);
  await context.close();
}

/** Watches for any script that should not run: injected payloads set `__pwned`. */
async function noInjectedScript(page: Page) {
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`${name} ${colorScheme}: the result comes into view, Generate stays in reach, every state passes axe`, async ({ browser }) => {
      const context = await browser.newContext({ viewport, colorScheme });
      const page = await context.newPage();
      await hydrated(page, '/?model=aimlapi/flux/dev&num_images=2');
      await expect(page.getByRole('main')).toHaveCount(1);
      await expect(generate(page)).toBeInViewport();
      await accessible(page, `${name} ${colorScheme} initial`);

      await prompt(page).fill(`a harbour, ${name} ${colorScheme}`);
      await generate(page).click();
      await expect(page.getByRole('region', { name: 'Result' })).toBeInViewport();
      const image = firstImage(page, 2);
      await expect(image).toBeVisible();
      // Generate and the caption, without scrolling on a desktop; on a phone the bar is fixed.
      await expect(generate(page)).toBeInViewport();
      await expect(page.getByText(/1024 × 768 · seed \d+/).first()).toBeInViewport();
      // Two images make a grid: on a desktop they sit side by side.
      const boxes = await page.locator('.grid .zoom img').evaluateAll((imgs) =>
        imgs.map((i) => i.getBoundingClientRect()).map((r) => [r.top, r.left, r.height]),
      );
      expect(boxes).toHaveLength(2);
      if (name === 'desktop') expect(Math.abs(boxes[0][0] - boxes[1][0])).toBeLessThan(2);
      await page.screenshot({ path: `test-results/result-first-${name}-${colorScheme}.png` });
      await accessible(page, `${name} ${colorScheme} with a result`);

      // Scrolled to the foot of the page, Generate is still in reach.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await expect(generate(page)).toBeInViewport();

      // An invalid form: the field says why, the snippet says which field.
      await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('500');
      await expect(page.getByRole('tabpanel')).toContainText('`num_inference_steps`');
      await accessible(page, `${name} ${colorScheme} invalid`);

      // The shortcuts popover.
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
      await accessible(page, `${name} ${colorScheme} help open`);
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
      await context.close();
    });

    test(`${name} ${colorScheme}, JavaScript off: Generate posts the form and the page comes back with the result`, async ({ browser }) => {
      const context = await browser.newContext({ viewport, colorScheme, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto('/?model=aimlapi/flux/dev');
      await accessibleWithoutScript(browser, page.url(), colorScheme, viewport, `${name} ${colorScheme} no script`);
      const words = `no script ${name} ${colorScheme} ${Date.now()}`;
      await prompt(page).fill(words);
      await page.getByRole('switch', { name: 'Safety checker' }).uncheck();
      await page.getByRole('combobox', { name: 'Image size' }).selectOption('custom');
      await page.getByRole('spinbutton', { name: 'Width' }).fill('640');
      await page.getByRole('spinbutton', { name: 'Height' }).fill('512');
      await generate(page).click();
      // The page refreshes itself until the run has ended.
      await expect(firstImage(page)).toBeVisible({ timeout: 30_000 });
      expect(await firstImage(page).evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(640);
      await expect(prompt(page)).toHaveValue(words);
      await expect(page.getByRole('switch', { name: 'Safety checker' })).not.toBeChecked();
      await expect(page.getByRole('combobox', { name: 'Image size' })).toHaveValue('custom');
      await expect(page.getByRole('spinbutton', { name: 'Width' })).toHaveValue('640');
      // Nothing false: no warnings about values the form itself sent.
      await expect(page.getByText('could not be used')).toHaveCount(0);
      expect(page.url()).toMatch(/[?&]seed=\d+/);
      await page.screenshot({ path: `test-results/no-script-${name}-${colorScheme}.png`, fullPage: true });
      await accessibleWithoutScript(browser, page.url(), colorScheme, viewport, `${name} ${colorScheme} no script, a result`);

      // Zoom works without script: a native popover.
      await page.getByRole('button', { name: 'Zoom: Generated image 1 of 1' }).click();
      await expect(page.getByRole('img', { name: 'Generated image 1 of 1, full size' })).toBeVisible();
      await page.keyboard.press('Escape');

      // A value out of range: the browser itself holds the form back (the input's own bounds).
      await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('500');
      await generate(page).click();
      expect(await page.getByRole('spinbutton', { name: 'Inference steps' }).evaluate((i: HTMLInputElement) => i.validity.rangeOverflow)).toBe(true);
      await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('20');
      // A value only the server's validation refuses: the same page, 422, the reason by the field, the form as typed.
      await prompt(page).fill('');
      const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), generate(page).click()]);
      expect(answer.status()).toBe(422);
      await expect(page.locator('#prompt-error')).toContainText('required');
      await expect(page.getByRole('spinbutton', { name: 'Inference steps' })).toHaveValue('20');
      await expect(page.getByRole('spinbutton', { name: 'Width' })).toHaveValue('640');
      await context.close();
    });
  }
}

// Each item at both sizes; light on the desktop, dark on the phone (the matrix above has both on both).
for (const [size, viewport, colorScheme] of [
  ['desktop', DESKTOP, 'light'],
  ['phone', PHONE, 'dark'],
] as const) {
  test.describe(`${size} ${colorScheme}`, () => {
    test.use({ viewport, colorScheme });

    test('keystrokes typed before hydration are kept, and Generate before it posts the form', async ({ page }) => {
      const release = await holdWasm(page);
      await page.goto('/?model=aimlapi/flux/dev');
      const words = `typed before hydration ${Date.now()}`;
      await prompt(page).fill(words);
      await page.getByRole('spinbutton', { name: 'Seed' }).fill('4242');
      release();
      await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
      await expect(prompt(page)).toHaveValue(words);
      await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('4242');
      await expect(page.getByRole('tabpanel')).toContainText(words);
      await expect(page.getByRole('tabpanel')).toContainText('"seed": 4242');

      // Generate pressed before the page hydrates: the form posts, the run is followed to its image.
      const page2 = await page.context().newPage();
      const release2 = await holdWasm(page2);
      await page2.goto('/?model=aimlapi/flux/dev');
      await prompt(page2).fill('pressed too early');
      await generate(page2).click();
      await page2.waitForURL(/result=/);
      release2();
      await expect(firstImage(page2)).toBeVisible({ timeout: 30_000 });
      await expect(prompt(page2)).toHaveValue('pressed too early');
    });

    test('each image: zoom, download under a meaningful name, copy its link; seeds reused or renewed', async ({ page, context }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await hydrated(page, '/?model=aimlapi/flux/dev&image_size=portrait_16_9');
      await prompt(page).fill('a tall lighthouse');
      await generate(page).click();
      const image = firstImage(page);
      await expect(image).toBeVisible();
      // A tall image fits the screen.
      const box = (await image.boundingBox())!;
      expect(box.height).toBeLessThanOrEqual(900);

      await page.getByRole('button', { name: 'Zoom: Generated image 1 of 1' }).click();
      const full = page.getByRole('img', { name: 'Generated image 1 of 1, full size' });
      await expect(full).toBeVisible();
      expect((await full.boundingBox())!.height).toBeLessThanOrEqual(page.viewportSize()!.height);
      await page.screenshot({ path: 'test-results/result-zoom.png' });
      await page.getByRole('button', { name: 'Close' }).click();
      await expect(full).toBeHidden();

      const seed = (await page.getByText(/seed \d+/).first().textContent())!.match(/seed (\d+)/)![1];
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe(`aimlapi-flux-dev_seed${seed}_1.png`);

      await page.getByRole('link', { name: 'Copy image link' }).click();
      await expect(page.getByRole('link', { name: 'Link copied!' })).toBeVisible();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/images/[0-9a-f]+\\.png$`));

      // The share link carries the seed used, so a colleague gets the same image.
      await page.getByRole('button', { name: 'Copy link' }).click();
      const link = await page.evaluate(() => navigator.clipboard.readText());
      expect(link).toContain(`seed=${seed}`);

      await page.getByRole('link', { name: 'Use this seed' }).click();
      await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue(seed);
      await expect(image).toBeVisible();
      await page.getByRole('link', { name: 'New random seed' }).click();
      await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('');
    });

    test('progress: an elapsed timer on a one-call provider, and Cancel that says what may be charged', async ({ page }) => {
      await hydrated(page, `${SLOW_URL}/?model=aimlapi/flux/dev`);
      await generate(page).click();
      const status = page.getByRole('region', { name: 'Result' }).getByRole('status').first();
      await expect(status).toHaveText(/Generating · [1-9]\.\d s/);
      await expect(firstImage(page)).toBeVisible({ timeout: 20_000 });

      // fal's queue reports a position and never starts: Cancel reaches fal.
      await hydrated(page, `${SLOW_URL}/?model=fal/fal-ai/flux/dev`);
      await generate(page).click();
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
      await expect(status).toHaveText(/(Queued|Generating) · [1-9]\.\d s/);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('alert')).toContainText('Cancelled at fal');
      await expect(page.getByRole('alert')).toContainText('may still be charged');
      await expect(generate(page)).toBeEnabled();
      await accessible(page, 'cancelled');
    });

    test('clear states: a model switch clears the result; a server-side field error shows by its field', async ({ page }) => {
      await hydrated(page, '/?model=aimlapi/flux/dev/image-to-image');
      // A reference URL the server will not fetch (a private address): its field says so.
      await page.getByRole('textbox', { name: '…or an https URL' }).fill('https://127.0.0.1/reference.png');
      await generate(page).click();
      const fieldError = page.locator('#image_url-error');
      await expect(fieldError).not.toBeEmpty();
      await expect(page.getByRole('region', { name: 'Result' })).toContainText('image_url');
      await page.getByRole('combobox', { name: 'Model' }).selectOption('aimlapi/flux/dev');
      await expect(page.getByRole('region', { name: 'Result' })).not.toContainText('image_url');
      await expect(page.getByRole('region', { name: 'Result' })).toContainText('Press Generate');
    });

    test('every model: no field complains on arrival, hints match the documented ranges, badges name the setting', async ({ page }) => {
      await hydrated(page);
      const slugs = await page.locator('#model option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(slugs.length).toBeGreaterThan(19);
      for (const slug of slugs) {
        await page.getByRole('combobox', { name: 'Model' }).selectOption(slug);
        // Only a required field still empty may say so.
        await expect(page.locator('.field-error:not(:empty)').filter({ hasNotText: 'required' }), slug).toHaveCount(0);
        await expect(page.locator('.hint').filter({ hasText: /out of range|must be/ }), slug).toHaveCount(0);
        const setting = await page.locator('.status .note code').textContent();
        expect(setting, slug).toMatch(/^[A-Z0-9_]+_(KEY|TOKEN|BASE_URL)$/);
      }
      await page.getByRole('combobox', { name: 'Model' }).selectOption('openai/flux-dev');
      await expect(page.locator('.status .note')).toContainText('OPENAI_IMAGES_BASE_URL');
    });

    test('cost before the run, and the budget left on a live demo', async ({ page }) => {
      await hydrated(page, '/?model=bfl/flux-2-pro');
      const estimate = page.locator('.actions .estimate');
      await expect(estimate).toContainText('$');
      await hydrated(page, `${CANARY_URL}/?model=aimlapi/flux/dev`);
      await expect(page.locator('.actions .estimate')).toContainText("This demo's budget left today");
    });

    test('compare two results side by side, with their differences marked', async ({ page }) => {
      await hydrated(page, '/?model=aimlapi/flux/dev&seed=11');
      await generate(page).click();
      await expect(firstImage(page)).toBeVisible();
      await page.getByRole('spinbutton', { name: 'Seed' }).fill('12');
      await generate(page).click();
      await expect(page.getByRole('link', { name: 'Compare with the previous run' })).toBeVisible();
      await page.getByRole('link', { name: 'Compare with the previous run' }).click();
      await expect(page.getByRole('heading', { name: 'Compare two runs' })).toBeVisible();
      await expect(page.getByRole('img', { name: /^Run A/ })).toHaveCount(2);
      await expect(page.getByRole('row', { name: /seed ≠ 11 12/ })).toBeVisible();
      await page.screenshot({ path: 'test-results/compare.png', fullPage: true });
      await accessible(page, 'compare');
      // The other server-rendered pages a result leads to.
      await page.goto('/history');
      await accessible(page, 'history');
      await page.getByRole('link', { name: 'Permalink', exact: true }).first().click();
      await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();
      await accessible(page, 'permalink');
    });

    test('keyboard: language tabs follow the ARIA tabs pattern, ? opens the shortcuts, the focus ring shows', async ({ page }) => {
      await hydrated(page);
      const curl = page.getByRole('tab', { name: 'cURL' });
      await curl.focus();
      await page.keyboard.press('ArrowRight');
      const python = page.getByRole('tab', { name: 'Python' });
      await expect(python).toBeFocused();
      await expect(python).toHaveAttribute('aria-selected', 'true');
      await expect(curl).toHaveAttribute('tabindex', '-1');
      await page.keyboard.press('End');
      await expect(page.getByRole('tab', { name: 'Embed' })).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      await expect(page.getByRole('tab', { name: 'Rust' })).toBeFocused();
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowRight');
      await expect(curl).toBeFocused();
      const ring = await curl.evaluate((el) => getComputedStyle(el).outlineWidth);
      expect(parseFloat(ring)).toBeGreaterThanOrEqual(2);

      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('?');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
      await expect(page.getByRole('dialog')).toContainText('Ctrl');
      await page.keyboard.press('Escape');
      // Typed in a text box, `?` is just a character.
      await prompt(page).fill('');
      await prompt(page).press('?');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
      await expect(prompt(page)).toHaveValue('?');
      await noInjectedScript(page);
    });
  });
}
