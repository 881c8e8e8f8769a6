import { test, expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REFERENCE = path.join(__dirname, '..', 'fixtures', 'reference-320x192.png');

async function open(page: Page) {
  await page.goto('/');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}
const snippet = (page: Page) => page.getByRole('tabpanel');
const pick = (page: Page, slug: string) => page.getByRole('combobox', { name: 'Model' }).selectOption(slug);
const generate = (page: Page) => page.getByRole('button', { name: 'Generate', exact: true });

test('each provider shows its own fields and documented defaults', async ({ page }) => {
  await open(page);
  await pick(page, 'aimlapi/flux-pro');
  await expect(page.getByRole('heading', { name: 'FLUX.1 [pro]' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Safety tolerance' })).toHaveValue('2');
  await expect(page.getByRole('combobox', { name: 'Output format' })).toHaveValue('jpeg');
  await expect(page.getByRole('combobox', { name: 'Image size' })).toHaveValue('landscape_4_3');
  await expect(page.getByRole('switch', { name: 'Safety checker' })).toHaveCount(0);
  await expect(snippet(page)).toContainText('"model": "flux-pro"');

  await pick(page, 'aimlapi/flux-pro/v1.1-ultra');
  await expect(page.getByRole('combobox', { name: 'Aspect ratio' })).toHaveValue('16:9');
  await expect(page.getByRole('option', { name: '16:9 — 2752×1536' })).toHaveCount(1);
  await expect(page.getByRole('switch', { name: 'Raw' })).toBeDisabled();

  await pick(page, 'segmind/flux-dev');
  await expect(page.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('25');
  await expect(page.getByRole('spinbutton', { name: 'Guidance' })).toHaveValue('3'); // the current page's default
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('46588');
  await expect(page.getByRole('combobox', { name: 'Output format' })).toHaveValue('webp');
  await expect(page.getByRole('option', { name: '16:9 — 1344×768' })).toHaveCount(1);
  await expect(snippet(page)).toContainText("'https://api.segmind.com/v1/flux-dev'");
  await expect(snippet(page)).toContainText('x-api-key: $SEGMIND_API_KEY');

  await pick(page, '1min/black-forest-labs/flux-dev');
  await expect(page.getByRole('combobox', { name: 'Megapixels' })).toHaveValue('1');
  await expect(page.getByRole('spinbutton', { name: 'Inference steps' })).toHaveValue('28');
  await expect(page.getByRole('switch', { name: 'Go fast' })).not.toBeChecked();
  await expect(snippet(page)).toContainText('"type": "IMAGE_GENERATOR"');
  await expect(snippet(page)).toContainText('"promptObject": {');
  await page.screenshot({ path: 'test-results/catalog-1min.png', fullPage: true });
});

test('an out-of-range value names the limit and disables Generate, per provider', async ({ page }) => {
  await open(page);
  for (const [slug, field, value, message] of [
    ['aimlapi/flux/schnell', 'Inference steps', '13', 'Inference steps must be between 1 and 12'],
    ['segmind/flux-dev', 'Guidance', '10.5', 'Guidance must be between 0 and 10'],
    ['1min/black-forest-labs/flux-dev', 'Output quality', '101', 'Output quality must be between 0 and 100'],
  ]) {
    await pick(page, slug);
    await page.getByRole('spinbutton', { name: field }).fill(value);
    await expect(page.getByText(message, { exact: true })).toBeVisible();
    await expect(generate(page)).toBeDisabled();
    await page.getByRole('spinbutton', { name: field }).fill('');
    await expect(generate(page)).toBeEnabled();
  }
});

test('switching model keeps the values that fit and resets the rest', async ({ page }) => {
  await open(page);
  await page.getByRole('textbox', { name: 'Prompt' }).fill('a castle in fog');
  await page.getByRole('spinbutton', { name: 'Inference steps' }).fill('30');
  await page.getByRole('combobox', { name: 'Image size' }).selectOption('custom');
  await page.getByRole('spinbutton', { name: 'Width' }).fill('1536');
  await pick(page, 'aimlapi/flux-pro');
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('a castle in fog');
  await expect(page.getByRole('spinbutton', { name: 'Inference steps' })).toHaveValue('30');
  // 1536 is over flux-pro's 1440: back to the default preset.
  await expect(page.getByRole('combobox', { name: 'Image size' })).toHaveValue('landscape_4_3');
  await pick(page, 'segmind/flux-dev');
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('a castle in fog');
  await expect(page.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('25');
});

test('image-to-image: upload with the picker, preview, and an output the size of the reference', async ({ page }) => {
  await open(page);
  await pick(page, 'aimlapi/flux/dev/image-to-image');
  await expect(page.getByText('Reference image is required', { exact: true })).toBeVisible();
  await expect(generate(page)).toBeDisabled();
  await expect(page.getByText(/Output size: matches the reference image/)).toBeVisible();

  await page.getByRole('textbox', { name: '…or an https URL' }).fill('http://example.com/cat.png');
  await expect(page.getByText('Reference image must be an uploaded file or an https:// URL', { exact: true })).toBeVisible();
  await page.getByRole('textbox', { name: '…or an https URL' }).fill('');

  await page.getByLabel('Reference image').setInputFiles(REFERENCE);
  await expect(page.getByText(/reference-320x192\.png: 320 × 192/)).toBeVisible();
  await expect(page.getByRole('img', { name: 'Reference image preview' })).toBeVisible();
  await expect(snippet(page)).toContainText('"image_url": "<https URL of your image>"');
  await expect(snippet(page)).not.toContainText('/uploads/');
  await expect(generate(page)).toBeEnabled();
  await generate(page).click();
  const out = page.getByRole('img', { name: 'Generated image 1 of 1' });
  await expect(out).toBeVisible();
  expect(await out.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([320, 192]);
  await page.screenshot({ path: 'test-results/catalog-i2i.png', fullPage: true });
});

test('image-to-image: drag and drop a file; a wrong type says why', async ({ page }) => {
  await open(page);
  await pick(page, 'aimlapi/flux/kontext-pro/image-to-image');
  const drop = async (name: string, type: string, b64: string) => {
    const dataTransfer = await page.evaluateHandle(
      ([name, type, b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type }));
        return dt;
      },
      [name, type, b64],
    );
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer });
  };
  await drop('notes.txt', 'text/plain', Buffer.from('hello').toString('base64'));
  await expect(page.getByText('notes.txt is not a PNG, JPEG or WebP image')).toBeVisible();
  await drop('ref.png', 'image/png', fs.readFileSync(REFERENCE).toString('base64'));
  await expect(page.getByRole('img', { name: 'Reference image preview' })).toBeVisible();
  await expect(generate(page)).toBeEnabled();
});

test('FLUX.2: an ordered list of references, reordered by button, keyboard and drag, the prompt renumbered, sent as numbered members', async ({ page }) => {
  await open(page);
  await pick(page, 'bfl/flux-2-pro');
  await expect(page.getByRole('heading', { name: 'FLUX.2 [pro]' })).toBeVisible();
  const files = page.getByLabel('Reference images', { exact: true });
  await files.setInputFiles(REFERENCE);
  await expect(page.getByRole('listitem', { name: 'image 1' })).toBeVisible();
  await files.setInputFiles(REFERENCE);
  await expect(page.getByRole('listitem', { name: 'image 2' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Reference image 2' })).toBeVisible();
  // Input images are billed: the estimate counts both uploads at their size (320×192 each).
  await expect(page.getByText(/^About \$0\.0326 a run: \$0\.03 for the first megapixel/)).toBeVisible();
  await expect(snippet(page)).toContainText('"input_image_2": "<https URL of your image, or the file as base64');
  await expect(snippet(page)).not.toContainText('/uploads/');

  const prompt = page.getByRole('textbox', { name: 'Prompt *' });
  await prompt.fill('Put the hat from image 2 on the cat in image 1');
  await page.getByRole('button', { name: 'Move image 2 up' }).click();
  await page.getByRole('button', { name: 'Renumber them to match' }).click();
  await expect(prompt).toHaveValue('Put the hat from image 1 on the cat in image 2');

  // Alt+ArrowDown moves the focused image down, and the offer comes back.
  await page.getByRole('listitem', { name: 'image 1' }).focus();
  await page.keyboard.press('Alt+ArrowDown');
  await page.getByRole('button', { name: 'Renumber them to match' }).click();
  await expect(prompt).toHaveValue('Put the hat from image 2 on the cat in image 1');

  // Dragging an image onto another moves it there; dragged back, all is as it was.
  const item = (n: number) => page.getByRole('listitem', { name: `image ${n}` });
  await item(1).dragTo(item(2));
  await page.getByRole('button', { name: 'Renumber them to match' }).click();
  await expect(prompt).toHaveValue('Put the hat from image 1 on the cat in image 2');
  await item(2).dragTo(item(1));
  await page.getByRole('button', { name: 'Renumber them to match' }).click();
  await expect(prompt).toHaveValue('Put the hat from image 2 on the cat in image 1');

  await page.getByRole('button', { name: 'Remove image 2' }).click();
  await expect(page.getByRole('listitem', { name: 'image 2' })).toHaveCount(0);
  await expect(snippet(page)).not.toContainText('input_image_2');
  await page.getByRole('button', { name: 'Renumber them to match' }).click();
  await expect(prompt).toHaveValue('Put the hat from image 2 on the cat in image 1');

  await generate(page).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('The prompt the model ran:')).toBeVisible();
  await expect(page.getByText(/"credits"/)).toBeVisible();
  await page.screenshot({ path: 'test-results/catalog-flux2-references.png', fullPage: true });
});

test('FLUX 3: resolution classes, no seed, and the prompt the model ran', async ({ page }) => {
  await open(page);
  await pick(page, 'bfl/flux-3-image');
  await expect(page.getByRole('combobox', { name: 'Resolution' })).toHaveValue('1k');
  await expect(page.getByRole('combobox', { name: 'Aspect ratio' })).toHaveValue('auto');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveCount(0);
  // The estimate before Generate follows the class, with its source and date.
  await expect(page.getByText(/^About \$0\.048 a run: by resolution/)).toBeVisible();
  await page.getByRole('combobox', { name: 'Resolution' }).selectOption('2k');
  await expect(snippet(page)).toContainText('"resolution": "2k"');
  await expect(page.getByText(/^About \$0\.10 a run: by resolution: .*\(BFL list prices/)).toBeVisible();
  await generate(page).click();
  await expect(page.getByRole('img', { name: 'Generated image 1 of 1' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('The prompt the model ran:')).toBeVisible();
});

test('FLUX.2 [dev] LoRA: weights one a line, sent as {path, scale}, a bad line named with its limit', async ({ page }) => {
  await open(page);
  for (const slug of ['aimlapi/blackforestlabs/flux-2-lora', 'fal/fal-ai/flux-2/lora']) {
    await pick(page, slug);
    const loras = page.getByRole('textbox', { name: 'LoRAs' });
    await loras.fill('https://example.com/style.safetensors 0.8\nowner/watercolor-lora');
    await expect(snippet(page)).toContainText('"path": "https://example.com/style.safetensors"');
    await expect(snippet(page)).toContainText('"scale": 0.8');
    await expect(snippet(page)).toContainText('"path": "owner/watercolor-lora"');

    await loras.fill('owner/watercolor-lora 4.5');
    await expect(page.getByText('LoRAs, weight 1: an https URL or Hugging Face repo (owner/name), then a scale from 0 to 4', { exact: true })).toBeVisible();
    await expect(generate(page)).toBeDisabled();
    await loras.fill('a\nb/c\nd/e\nf/g');
    await expect(page.getByText('LoRAs takes 1 to 3 weights, one a line', { exact: true })).toBeVisible();

    await loras.fill('owner/watercolor-lora 1.5');
    await expect(generate(page)).toBeEnabled();
    await generate(page).click();
    await expect(page.getByRole('img', { name: /Generated image 1 of/ })).toBeVisible({ timeout: 20_000 });
  }
});
