import { test, expect } from '@playwright/test';
import { NGINX_URL, DOCS_ORIGIN, OTHER_ORIGIN } from '../playwright.config';

// Issue 16: a docs site on another origin frames the embed view only when
// FLUXPLAY_EMBED_ANCESTORS names it, and the full playground never. The docs pages are
// the test's own (page.route), so the browser sees them as public sites.

// As between two public sites: Chromium otherwise refuses any frame of a loopback page
// in a page that is not (Local Network Access), before any CSP is read.
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-features=LocalNetworkAccessChecks'],
  },
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
  // Chromium names the framed origin and the policy that refused it: the full page's.
  await expect.poll(() => refused.length).toBe(1);
  expect(refused[0]).toContain(`"frame-ancestors 'self'"`);
  await expect(page.frameLocator('#full').getByRole('button', { name: 'Generate', exact: true })).toHaveCount(0);

  // Not named: both are refused.
  refused.length = 0;
  await docs(OTHER_ORIGIN);
  await page.goto(`${OTHER_ORIGIN}/guide`);
  await expect.poll(() => refused.length).toBe(2);
  expect(refused.some((r) => r.includes(`"frame-ancestors 'self' ${DOCS_ORIGIN}"`))).toBe(true);
  await expect(page.frameLocator('#embed').getByRole('button', { name: 'Generate', exact: true })).toHaveCount(0);
});
