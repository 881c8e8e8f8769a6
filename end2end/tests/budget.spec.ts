import { test, expect } from '@playwright/test';

// The first load (document, JS, wasm, CSS, icon) must stay within 200 KB as transferred.
const BUDGET = 200 * 1024;

test('first load stays within the 200 KB compressed budget', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const sizes = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return [...nav, ...res].map((e) => ({ name: e.name, bytes: e.transferSize }));
  });
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  console.log(`first load: ${total} bytes transferred`, sizes.map((s) => `${s.name.split('/').pop() || '/'}=${s.bytes}`).join(' '));
  expect(sizes.find((s) => s.name.endsWith('.wasm'))?.bytes ?? 0).toBeGreaterThan(10_000);
  expect(total).toBeLessThanOrEqual(BUDGET);
});
