import { test, expect } from '@playwright/test';
import { CANARY, CANARY_URL } from '../playwright.config';

// This server holds a canary key and calls the "live" API (the other server's emulator).
test('the configured key never reaches the page, its JS, wasm or CSS, or API answers', async ({ page, request }) => {
  const bodies: string[] = [];
  page.on('response', async (resp) => {
    const body = await resp.body().catch(() => Buffer.from(''));
    bodies.push(resp.url() + '\n' + JSON.stringify(resp.headers()) + '\n' + body.toString('latin1'));
  });
  await page.goto(CANARY_URL + '/');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByText('Live: AI/ML API')).toBeVisible();

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();

  const assets = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/pkg/')),
  );
  expect(assets.some((u) => u.endsWith('.wasm'))).toBeTruthy();
  expect(assets.some((u) => u.endsWith('.js'))).toBeTruthy();
  for (const url of assets) {
    const resp = await request.get(url);
    bodies.push(url + '\n' + (await resp.body()).toString('latin1'));
  }
  const err = await request.post(CANARY_URL + '/api/generate', { data: { model: 'aimlapi/flux/dev', params: {} } });
  expect(err.status()).toBe(422);
  bodies.push(await err.text());

  expect(bodies.length).toBeGreaterThan(5);
  for (const body of bodies) {
    expect(body.includes(CANARY), body.slice(0, 200)).toBeFalsy();
  }
});
