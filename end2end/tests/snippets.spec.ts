import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

async function open(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}
const code = (page: Page) => page.getByRole('tabpanel');
const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });

test('six language tabs, and the chosen one is remembered', async ({ page }) => {
  await open(page);
  await expect(tab(page, 'cURL')).toHaveAttribute('aria-selected', 'true');
  for (const [name, marker] of [
    ['Python', 'import requests'],
    ['JavaScript', 'await fetch("https://api.aimlapi.com/v1/images/generations"'],
    ['Node', 'const axios = require("axios");'],
    ['PowerShell', 'Invoke-RestMethod -Method Post'],
    ['Rust', 'reqwest::blocking::Client::builder()'],
  ]) {
    await tab(page, name).click();
    await expect(tab(page, name)).toHaveAttribute('aria-selected', 'true');
    await expect(code(page)).toContainText(marker);
    await expect(code(page)).not.toContainText('Bearer <YOUR');
  }
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(tab(page, 'Rust')).toHaveAttribute('aria-selected', 'true');
  await expect(code(page)).toContainText('std::env::var("AIMLAPI_KEY")');
});

test('options: every parameter, and a cURL for this server that really runs', async ({ page, baseURL }) => {
  await open(page);
  await tab(page, 'cURL').click();
  await expect(code(page)).not.toContainText('"num_inference_steps"');
  await page.getByRole('checkbox', { name: 'Show every parameter' }).check();
  await expect(code(page)).toContainText('"num_inference_steps": 50');
  await expect(code(page)).toContainText('"enable_safety_checker": true');
  await page.getByRole('checkbox', { name: "Call this server's emulator" }).check();
  await expect(code(page)).toContainText(`'${baseURL}/emulate/aimlapi/v1/images/generations'`);
  await page.getByRole('textbox', { name: 'Prompt' }).fill(`it's "quoted" $(whoami) \`id\``);
  await expect(code(page)).toContainText('whoami');

  const curl = (await code(page).innerText()).trim();
  const out = execFileSync('sh', ['-c', curl], { env: { ...process.env, AIMLAPI_KEY: 'copied-from-the-page' } }).toString();
  const answer = JSON.parse(out);
  expect(answer.data[0].url).toContain('/emulate/files/');
});

test('a share link restores the model, the fields and the snippet', async ({ page, context, browser, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await page.getByRole('combobox', { name: 'Model' }).selectOption('segmind/flux-dev');
  const prompt = 'a lighthouse at dusk — “quoted”, 50% & more\nsecond line 🦖';
  await page.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('30');
  await page.getByRole('combobox', { name: 'Aspect ratio' }).selectOption('16:9');
  await tab(page, 'Python').click();
  // The server renders each snippet: wait for the Python one to arrive.
  await expect(code(page)).toContainText('import requests');
  await expect(code(page)).toContainText('"steps": 30');
  const snippet = await code(page).innerText();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('button', { name: 'Link copied!' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(
    `${baseURL}/?model=segmind/flux-dev&prompt=a%20lighthouse%20at%20dusk%20%E2%80%94%20%E2%80%9Cquoted%E2%80%9D%2C%2050%25%20%26%20more%0Asecond%20line%20%F0%9F%A6%96&steps=30&aspect_ratio=16:9`,
  );
  expect(page.url()).toBe(link);

  const other = await context.newPage();
  await open(other, link);
  await expect(other.getByRole('combobox', { name: 'Model' })).toHaveValue('segmind/flux-dev');
  await expect(other.getByRole('textbox', { name: 'Prompt' })).toHaveValue(prompt);
  await expect(other.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('30');
  await expect(code(other)).toHaveText(snippet);

  // With JavaScript off, the server renders the same restored form and snippet.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(link);
  await expect(plain.getByRole('textbox', { name: 'Prompt' })).toHaveValue(prompt);
  await expect(plain.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('30');
  await expect(plain.getByRole('tabpanel')).toContainText('"steps": 30');
  await expect(plain.getByRole('tabpanel')).toContainText('"aspect_ratio": "16:9"');
  await noJs.close();
});

test('bad links show what was ignored and fall back to defaults, never an error page', async ({ page }) => {
  await open(page, '/?model=aimlapi/flux/dev&prompt=hi&num_images=9&colour=red');
  const notices = page.getByRole('status').filter({ hasText: 'Some of this link could not be used' });
  await expect(notices).toContainText('num_images');
  await expect(notices).toContainText('between 1 and 4');
  await expect(notices).toContainText('`colour` is not a parameter of flux/dev');
  await expect(page.getByRole('spinbutton', { name: 'Number of images' })).toHaveValue('1');
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('hi');

  for (const query of ['?model=%ZZ&prompt=%', '?model=nope/nope', '?prompt=' + '%F0'.repeat(3), '?&&=&model']) {
    const resp = await page.goto('/' + query);
    expect(resp?.status(), query).toBe(200);
  }
  await open(page, '/?model=nope/nope');
  await expect(page.getByText('The link names an unknown model `nope/nope`')).toBeVisible();
});

test('a 4000-character prompt fits in a link in any script', async ({ page }) => {
  const prompt = 'дом 家 بيت 🏠 '.repeat(400).slice(0, 4000);
  await open(page, '/?model=aimlapi/flux/dev&prompt=' + encodeURIComponent(prompt));
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue(prompt);
  await expect(page.getByText(`${[...prompt].length} / 4000`)).toBeVisible();
});

test('/api/snippet returns exactly what the page shows', async ({ page, request }) => {
  const query = 'model=aimlapi/flux-pro&prompt=it%27s%20%22ok%22&safety_tolerance=5&output_format=png';
  await open(page, '/?' + query);
  for (const [name, lang] of [['cURL', 'curl'], ['PowerShell', 'powershell'], ['Node', 'node']]) {
    await tab(page, name).click();
    const resp = await request.get(`/api/snippet?lang=${lang}&${query}`);
    expect(resp.status()).toBe(200);
    expect(resp.headers()['content-type']).toContain('text/plain');
    const served = (await resp.text()).trim();
    // The page asks the server too: it shows the same text once its answer arrives.
    await expect.poll(async () => (await code(page).innerText()).trim()).toBe(served);
  }
  const bad = await request.get('/api/snippet?lang=python&model=aimlapi/flux-pro&prompt=p&output_format=gif');
  expect(bad.status()).toBe(422);
  expect((await bad.json()).fields[0].field).toBe('output_format');
});
