import { test, expect, Page } from '@playwright/test';

// Share links carrying script-injection payloads (OWASP XSS filter-evasion cheat sheet), opened in
// a real browser: nothing injected may run, be blocked by the CSP (which would mean it reached the
// markup), or change what the form shows.
const PAYLOADS = [
  '</textarea><script>window.__xss=1</script>',
  '</TEXTAREA><img src=x onerror="window.__xss=1">',
  '</title><script>window.__xss=1</script>',
  '</script><script>window.__xss=1</script>',
  '"><svg onload=window.__xss=1>',
  "'><img src=x onerror=window.__xss=1>",
  'javascript:window.__xss=1',
  '<iframe srcdoc="<script>parent.__xss=1</script>">',
  '<details open ontoggle=window.__xss=1>',
  '<math><mtext></textarea><img src=x onerror=window.__xss=1>',
];

async function watch(page: Page) {
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return dialogs;
}

async function expectNothingRan(page: Page, dialogs: string[]) {
  await page.waitForTimeout(300); // let any onerror/onload/ontoggle fire
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  expect(dialogs).toEqual([]);
}

test('payloads in a share link run nowhere and the prompt shows exactly the link value', async ({ page }) => {
  const dialogs = await watch(page);
  for (const payload of PAYLOADS) {
    const prompt = '\n' + payload; // the newline a browser drops right after <textarea> must survive
    const query = new URLSearchParams({
      model: 'aimlapi/flux/dev/image-to-image',
      prompt,
      image_url: payload,
      num_inference_steps: payload,
      [payload]: payload,
    });
    await page.goto('/?' + query.toString());
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
    await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue(prompt);
    await expect(page.getByRole('status').filter({ hasText: 'Some of this link could not be used' })).toBeVisible();
    await expectNothingRan(page, dialogs);
  }
});

test('a payload as the model id runs nowhere', async ({ page }) => {
  const dialogs = await watch(page);
  for (const payload of PAYLOADS) {
    await page.goto('/?' + new URLSearchParams({ model: payload }).toString());
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
    await expect(page.getByText('unknown model', { exact: false })).toBeVisible();
    await expectNothingRan(page, dialogs);
  }
});

test('the page hydrates and generates under its Content-Security-Policy', async ({ page }) => {
  const dialogs = await watch(page);
  const response = await page.goto('/');
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval' 'nonce-");
  expect(csp).not.toContain('unsafe-inline');
  expect(response!.headers()['x-content-type-options']).toBe('nosniff');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('square');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  await expectNothingRan(page, dialogs);
});
