import { test, expect, Page, Locator } from '@playwright/test';
import { NGINX_URL, CADDY_URL } from '../playwright.config';

// Issue 16, as a docs team deploys it: one server under /playground, behind nginx and
// behind Caddy run from deploy/ as they are, each also serving the example docs page
// (deploy/docs-example) that frames the embed view. Framing from other origins:
// docs_other_origin.spec.ts.

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
  const frameElement = page.getByTitle('FLUX playground: FLUX.1 [dev] on Black Forest Labs');
  const frame = page.frameLocator('iframe[title^="FLUX playground"]');
  await expect(frame.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(frame.getByRole('textbox', { name: 'Prompt' })).toHaveValue('A lighthouse on a cliff at dusk');
  // Only the form, the snippet and the result: no brand, no shortcuts, no history strip.
  await expect(frame.getByRole('button', { name: 'Keyboard shortcuts' })).toBeHidden();
  await expect(frame.getByText('fluxplay', { exact: true })).toBeHidden();

  // The frame takes its content's height (posted by embed.js), not the 720 px it starts at.
  const fits = async (check: (height: number) => boolean = () => true) => {
    await expect.poll(async () => {
      const [outer, inner] = await heights(frameElement);
      return Math.abs(outer - inner) <= 1 && outer !== 720 && check(outer);
    }).toBe(true);
    return (await heights(frameElement))[0];
  };
  const wide = await fits();
  // A narrower docs column: the form and the result stack, and the frame follows.
  await page.setViewportSize({ width: 800, height: 900 });
  const narrow = await fits((h) => h > wide);

  await generate(frame).click();
  await expect(frame.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  // It grows with the result and still fits it: no scrollbar inside the frame.
  await fits((h) => h > narrow);
  // The address inside the frame stays the embed view's.
  expect(page.frames().some((f) => f.url().includes('/playground/embed?model=bfl/flux-dev'))).toBe(true);
  await page.setViewportSize({ width: 1280, height: 900 });
  await fits();
  await page.screenshot({ path: 'test-results/docs-embed.png', fullPage: true });
});
