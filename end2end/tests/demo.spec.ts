import { test, expect } from '@playwright/test';
import { DEMO_URL, DEMO_PASSPHRASE } from '../playwright.config';

// The public-demo server: a passphrase first, then a daily budget of one image.
test('a public demo asks for its passphrase, then says clearly when the budget is spent', async ({ page, request }) => {
  // Without the passphrase the API refuses, whoever calls (CORS is not authentication).
  const refused = await request.post(DEMO_URL + '/api/jobs', {
    data: { model: 'aimlapi/flux/dev', params: { prompt: 'p' } },
  });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).message).toContain('passphrase');

  await page.goto(DEMO_URL + '/?prompt=a%20lighthouse');
  await expect(page).toHaveURL(/\/unlock/);
  await page.getByLabel('Passphrase').fill('not it');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('alert')).toHaveText('That passphrase is not right.');
  await page.screenshot({ path: 'test-results/demo-unlock.png' });

  await page.getByLabel('Passphrase').fill(DEMO_PASSPHRASE);
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page).toHaveURL(DEMO_URL + '/?prompt=a%20lighthouse');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('a lighthouse');

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();

  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText("This demo's daily budget of 1 image is used up");
  await expect(alert).toContainText('renews at midnight UTC');
  await page.screenshot({ path: 'test-results/demo-budget.png', fullPage: true });
});
