import { test, expect } from '@playwright/test';

// The first load (document, JS, wasm, CSS, icon, and any frame with what it loads) must
// stay within 200 KB as transferred. (The history frame comes with the first result.)
const BUDGET = 200 * 1024;

test('first load stays within the 200 KB compressed budget', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const entries = () => {
    const nav = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return [...nav, ...res].map((e) => ({ name: e.name, bytes: e.transferSize, type: e.entryType }));
  };
  const sizes = await page.evaluate(entries);
  // A frame's own document is already among the page's resources; what it loads is not.
  for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
    sizes.push(...(await frame.evaluate(entries)).filter((e) => e.type === 'resource'));
  }
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  console.log(`first load: ${total} bytes transferred`, sizes.map((s) => `${s.name.split('/').pop() || '/'}=${s.bytes}`).join(' '));
  expect(sizes.find((s) => s.name.endsWith('.wasm'))?.bytes ?? 0).toBeGreaterThan(10_000);
  expect(total).toBeLessThanOrEqual(BUDGET);
});
