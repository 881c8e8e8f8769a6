import { test, expect, Page } from '@playwright/test';

// FLUX 3's box editor (a wasm of its own, fetched where a model reads layouts): boxes drawn,
// moved, resized and labelled land in the prompt as BFL's bounding-box guide writes them,
// a prompt that holds them opens with them, and nothing in a box's text runs.

async function open(page: Page, query = '') {
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto('/' + query);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}
const canvas = (page: Page) => page.getByRole('application', { name: 'Layout canvas' });
const prompt = (page: Page) => page.getByRole('textbox', { name: 'Prompt' });
const pick = (page: Page, slug: string) => page.getByRole('combobox', { name: 'Model' }).selectOption(slug);

/** The layout the prompt ends with, parsed. */
async function rows(page: Page): Promise<any[]> {
  const text = await prompt(page).inputValue();
  const at = text.indexOf(' [{');
  return at < 0 ? [] : JSON.parse(text.slice(at + 1));
}

/** Drags on the canvas from one point to another, each in thousandths of its sides. */
async function drag(page: Page, from: [number, number], to: [number, number]) {
  await canvas(page).scrollIntoViewIfNeeded();
  const box = (await canvas(page).boundingBox())!;
  const at = ([y, x]: [number, number]) => [box.x + (box.width * x) / 1000, box.y + (box.height * y) / 1000];
  const [fx, fy] = at(from);
  const [tx, ty] = at(to);
  await page.mouse.move(fx, fy);
  await page.mouse.down();
  await page.mouse.move((fx + tx) / 2, (fy + ty) / 2, { steps: 4 });
  await page.mouse.move(tx, ty, { steps: 4 });
  await page.mouse.up();
}
const near = (v: number, want: number) => Math.abs(v - want) <= 4;

test('FLUX 3: boxes drawn, moved, resized and labelled are the prompt, and generate', async ({ page }) => {
  await open(page);
  await pick(page, 'bfl/flux-3-image');
  await expect(canvas(page)).toBeVisible();
  await page.getByRole('combobox', { name: 'Aspect ratio' }).selectOption('16:9');
  const shape = (await canvas(page).boundingBox())!;
  expect(Math.abs(shape.width / shape.height - 16 / 9)).toBeLessThan(0.05);

  await prompt(page).fill('A jazz poster');
  await drag(page, [100, 100], [500, 600]);
  await expect.poll(() => rows(page)).toHaveLength(1);
  let [row] = await rows(page);
  expect(row.id).toBe('obj_1');
  expect(Object.keys(row)).toEqual(['id', 'bbox', 'desc']);
  expect(row.bbox.map((v: number, i: number) => near(v, [100, 100, 500, 600][i]) || v)).toEqual([true, true, true, true]);
  await expect(prompt(page)).toHaveValue(/^A jazz poster <obj_1> \[/);

  // Label it; Enter commits the text and does not submit the form.
  await page.getByRole('textbox', { name: 'Description of box 1' }).fill('a saxophone in warm light');
  await page.getByRole('textbox', { name: 'Description of box 1' }).press('Enter');
  await expect(prompt(page)).toHaveValue(/"desc":"a saxophone in warm light"/);
  await page.getByRole('textbox', { name: 'Id of box 1' }).fill('sax');
  await page.getByRole('textbox', { name: 'Id of box 1' }).press('Enter');
  await expect(prompt(page)).toHaveValue(/^A jazz poster <sax> \[\{"id":"sax",/);
  await expect(page.getByRole('img', { name: /Generated image/ })).toHaveCount(0);

  // Move it by dragging its middle, then by keyboard; Shift+arrow resizes.
  [row] = await rows(page);
  const before = row.bbox;
  await drag(page, [300, 350], [400, 450]);
  await expect.poll(async () => (await rows(page))[0].bbox[0]).toBeGreaterThan(before[0] + 50);
  [row] = await rows(page);
  expect(row.bbox[2] - row.bbox[0]).toBe(before[2] - before[0]);
  await canvas(page).focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await rows(page))[0].bbox[1]).toBe(row.bbox[1] - 10);
  await page.keyboard.press('Shift+ArrowDown');
  await expect.poll(async () => (await rows(page))[0].bbox[2]).toBe(row.bbox[2] + 10);

  // A second box by button, then removed.
  await page.getByRole('button', { name: 'Add a box' }).click();
  await expect.poll(() => rows(page)).toHaveLength(2);
  expect((await rows(page))[1]).toEqual({ id: 'obj_1', bbox: [350, 350, 650, 650], desc: '' });
  await page.getByRole('button', { name: 'Remove box 2' }).click();
  await expect.poll(() => rows(page)).toHaveLength(1);
  await expect(prompt(page)).not.toHaveValue(/obj_1/);

  // The request carries the prompt as typed; the emulator generates from it.
  await expect(page.getByRole('tabpanel')).toContainText('\\"id\\":\\"sax\\"');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  await page.screenshot({ path: 'test-results/layout-editor.png', fullPage: true });
});

// BFL's FLUX 3 editing example, as its docs print it.
const BFL_EDIT =
  'In <ref_image_0>, change the large tiger <animal_1> to be pink. Keep the massive fallen log <log_1> exactly unchanged. ' +
  '[{"id":"animal_1","from":null,"src_bbox":null,"tgt_bbox":[250,50,850,650],"desc":"Make both pink."},' +
  '{"id":"log_1","from":"ref_image_0","src_bbox":[600,0,1000,1000],"tgt_bbox":[600,0,1000,1000],"desc":"A massive, fallen tree log."}]';

test('a prompt that holds a layout opens with its boxes, on every FLUX 3 host', async ({ page }) => {
  for (const model of ['bfl/flux-3-image', 'fal/blackforestlabs/flux-3/edit-image', 'replicate/black-forest-labs/flux-3-image']) {
    await open(page, '?' + new URLSearchParams({ model, prompt: BFL_EDIT }).toString());
    await expect(page.getByRole('textbox', { name: 'Description of box 1' })).toHaveValue('Make both pink.');
    await expect(page.getByRole('textbox', { name: 'Id of box 2' })).toHaveValue('log_1');
    await expect(canvas(page).locator('.layout-box')).toHaveCount(2);
    await expect(prompt(page)).toHaveValue(BFL_EDIT);
  }
  // Models that read no layouts show no editor.
  await pick(page, 'bfl/flux-2-pro');
  await expect(canvas(page)).toHaveCount(0);
});

test('what a box says is shown, never run', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const payloads = ['"><img src=x onerror=window.__xss=1>', '</li><script>window.__xss=1</script>', "'><svg onload=window.__xss=1>"];
  const layout = payloads.map((desc, i) => ({ id: `b${i}`, bbox: [10 * i, 0, 10 * i + 100, 100], desc }));
  const text = `p <b0> ${JSON.stringify(layout)}`;
  await open(page, '?' + new URLSearchParams({ model: 'bfl/flux-3-image', prompt: text }).toString());
  for (const [i, desc] of payloads.entries()) {
    await expect(page.getByRole('textbox', { name: `Description of box ${i + 1}` })).toHaveValue(desc);
  }
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  expect(dialogs).toEqual([]);
});

test('a click draws nothing and Delete needs a selection: the prompt stays as typed', async ({ page }) => {
  const layout = '[{"id":"obj_2","bbox":[100,100,300,300],"desc":"a sign"}]';
  const typed = `A dome <obj_1> over the bay <obj_2> ${layout}`;
  await open(page, '?' + new URLSearchParams({ model: 'bfl/flux-3-image', prompt: typed }).toString());
  await expect(canvas(page).locator('.layout-box')).toHaveCount(1);
  await canvas(page).scrollIntoViewIfNeeded();
  const box = (await canvas(page).boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.8);
  await canvas(page).focus();
  await page.keyboard.press('Delete');
  await page.waitForTimeout(300);
  await expect(prompt(page)).toHaveValue(typed);
  await expect(canvas(page).locator('.layout-box')).toHaveCount(1);
});
