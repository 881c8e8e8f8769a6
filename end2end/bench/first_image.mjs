// First image, cold: a new browser context (empty cache) opens the page, types a prompt as
// soon as the field takes it, presses Generate and waits for the image to be decoded and
// shown. Reported per peer: navigation -> image (what a first visit costs) and
// click -> image (the round trip). Peers alternate each round. Same Chromium flags as the
// peer harness (shared/bench/peers/measure.mjs).
//   node bench/first_image.mjs RUNS 'name|url|field|button|image' ...
import { chromium } from '@playwright/test';

const runs = Number(process.argv[2] ?? 5);
const peers = process.argv.slice(3).map((s) => {
  const [name, url, field, button, image] = s.split('|');
  return { name, url, field, button, image };
});
const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });

async function once(peer) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await page.goto(peer.url, { waitUntil: 'commit' });
  const field = page.locator(peer.field).first();
  await field.fill('a lighthouse at dusk');
  // fluxplay: typed before hydration is kept, and Generate before it posts the form: either way counts.
  const click = await page.evaluate(() => performance.timeOrigin + performance.now());
  await page.locator(peer.button).first().click();
  await page.waitForFunction((sel) => {
    const i = document.querySelector(sel);
    return i && i.complete && i.naturalWidth > 0;
  }, peer.image, { polling: 'raf', timeout: 60000 });
  // Navigation timing restarts on a form post; the wall clock since goto is what a visitor waits.
  const shown = await page.evaluate(() => performance.timeOrigin + performance.now());
  await ctx.close();
  return { click, shown };
}

const results = Object.fromEntries(peers.map((p) => [p.name, { nav: [], roundtrip: [] }]));
for (let round = 0; round < runs + 1; round++) {
  const order = peers.map((_, i) => peers[(i + round) % peers.length]);
  for (const peer of order) {
    const start = Date.now();
    const { click, shown } = await once(peer);
    if (round === 0) continue; // warm-up
    results[peer.name].nav.push(Math.round(shown - start));
    results[peer.name].roundtrip.push(Math.round(shown - click));
    await new Promise((r) => setTimeout(r, 500));
  }
}
await browser.close();
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('| peer | page open -> image shown, ms med [min–max] | Generate click -> image shown, ms med [min–max] |');
console.log('| --- | --- | --- |');
for (const [name, r] of Object.entries(results)) {
  const f = (xs) => `${med(xs)} [${Math.min(...xs)}–${Math.max(...xs)}]`;
  console.log(`| ${name} | ${f(r.nav)} | ${f(r.roundtrip)} |`);
}
