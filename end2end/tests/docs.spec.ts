import { test, expect, Page, Locator } from '@playwright/test';
import { NGINX_URL, CADDY_URL, DOCS_ORIGIN } from '../playwright.config';

// Issue 16, as a docs team deploys it: one server under /playground, behind nginx and
// behind Caddy run from deploy/ as they are, each also serving the example docs page
// (deploy/docs-example) that frames the embed view.

const generate = (scope: Page | ReturnType<Page['frameLocator']>) =>
  scope.getByRole('button', { name: 'Generate', exact: true });

for (const [proxy, url] of [['nginx', NGINX_URL], ['Caddy', CADDY_URL]] as const) {
  test(`behind ${proxy} under /playground: the page hydrates, generates, and every link stays under it`, async ({ page }) => {
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    // Typed without the slash: redirected into the mount.
    await page.goto(`${url}/playground?model=bfl/flux-dev&prompt=A%20red%20kite`);
    await expect(page).toHaveURL(`${url}/playground/?model=bfl/flux-dev&prompt=A%20red%20kite`);
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
    await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('A red kite');

    await generate(page).click();
    const image = page.getByRole('img', { name: 'Generated image 1 of 1' });
    await expect(image).toBeVisible();
    expect(await image.getAttribute('src')).toMatch(/^\/playground\/images\/[0-9a-f]+\.\w+$/);
    expect(await image.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
    await expect(page).toHaveURL(new RegExp(`^${url}/playground/\\?model=bfl/flux-dev&.*&result=`));

    // The emulator snippet calls this server through the proxy.
    await page.getByRole('checkbox', { name: "Call this server's emulator" }).check();
    await expect(page.locator('#snippet-code')).toContainText(`${url}/playground/emulate/bfl`);
    // The embed code frames this form from this server.
    await page.getByRole('tab', { name: 'Embed' }).click();
    await expect(page.locator('#snippet-code')).toContainText(`src="${url}/playground/embed?model=bfl/flux-dev`);

    await page.getByRole('link', { name: 'Permalink' }).click();
    await expect(page).toHaveURL(new RegExp(`^${url}/playground/r/`));
    await expect(page.getByRole('img', { name: 'A red kite' })).toBeVisible();
    await page.getByRole('link', { name: 'Open in playground' }).click();
    await expect(page).toHaveURL(new RegExp(`^${url}/playground/\\?model=bfl/flux-dev`));
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
    expect(failed).toEqual([]);
  });
}

/** The frame's height and its content's, in CSS pixels. */
async function heights(frame: Locator): Promise<[number, number]> {
  return frame.evaluate((f: HTMLIFrameElement) => [
    f.getBoundingClientRect().height,
    Math.ceil(f.contentDocument!.body.getBoundingClientRect().height),
  ]);
}

test('the example docs page frames the embed view, which fits its frame and generates', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${NGINX_URL}/`);
  await expect(page.getByRole('heading', { name: 'Generate an image with FLUX.1 [dev]' })).toBeVisible();
  const frameElement = page.locator('iframe#fluxplay');
  const frame = page.frameLocator('iframe#fluxplay');
  await expect(frame.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(frame.getByRole('textbox', { name: 'Prompt' })).toHaveValue('A lighthouse on a cliff at dusk');
  // Only the form, the snippet and the result: no brand, no shortcuts, no history strip.
  await expect(frame.getByRole('button', { name: 'Keyboard shortcuts' })).toBeHidden();
  await expect(frame.getByText('fluxplay', { exact: true })).toBeHidden();

  // The frame takes its content's height (posted by embed.js), not the 720 px it starts at.
  await expect.poll(async () => {
    const [outer, inner] = await heights(frameElement);
    return Math.abs(outer - inner) <= 1 && outer !== 720;
  }).toBe(true);
  const before = (await heights(frameElement))[0];

  await generate(frame).click();
  await expect(frame.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  // It grows with the result and still fits it: no scrollbar inside the frame.
  await expect.poll(async () => {
    const [outer, inner] = await heights(frameElement);
    return Math.abs(outer - inner) <= 1 && outer > before;
  }).toBe(true);
  // The address inside the frame stays the embed view's.
  expect(page.frames().some((f) => f.url().includes('/playground/embed?model=bfl/flux-dev'))).toBe(true);
  await frameElement.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/docs-embed.png', fullPage: true });
});

test('another origin may frame the embed view only when the setting names it, and never the playground', async ({ page }) => {
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('frame-ancestors')) refused.push(m.text());
  });
  const embed = `${NGINX_URL}/playground/embed?model=bfl/flux-dev&prompt=hi`;
  const docs = (origin: string) =>
    page.route(`${origin}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!DOCTYPE html><title>Docs</title><h1>Docs</h1>
          <iframe id="embed" title="Embed" src="${embed}"></iframe>
          <iframe id="full" title="Full" src="${NGINX_URL}/playground/?model=bfl/flux-dev"></iframe>`,
      }),
    );
  // Named by FLUXPLAY_EMBED_ANCESTORS: the embed view loads and hydrates; the full page is refused.
  await docs(DOCS_ORIGIN);
  await page.goto(`${DOCS_ORIGIN}/guide`);
  await expect(page.frameLocator('#embed').locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect.poll(() => refused.length).toBe(1);
  expect(refused[0]).toContain(`${NGINX_URL}/playground/?model=bfl/flux-dev`);
  await expect(page.frameLocator('#full').getByRole('button', { name: 'Generate', exact: true })).toHaveCount(0);

  // Not named: both are refused.
  refused.length = 0;
  await docs('http://evil.test');
  await page.goto('http://evil.test/guide');
  await expect.poll(() => refused.length).toBe(2);
  await expect(page.frameLocator('#embed').getByRole('button', { name: 'Generate', exact: true })).toHaveCount(0);
});
