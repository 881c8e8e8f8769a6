import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';

// `make test` picks free ports and passes them in; the defaults are for running by hand.
const port = Number(process.env.E2E_PORT ?? 3100);
const canaryPort = Number(process.env.E2E_CANARY_PORT ?? 3101);
const demoPort = Number(process.env.E2E_DEMO_PORT ?? 3102);
const slowPort = Number(process.env.E2E_SLOW_PORT ?? 3103);
const mountPort = Number(process.env.E2E_MOUNT_PORT ?? 3104);
const nginxPort = Number(process.env.E2E_NGINX_PORT ?? 3105);
const caddyPort = Number(process.env.E2E_CADDY_PORT ?? 3106);
export const CANARY = process.env.E2E_CANARY ?? 'canary-fluxplay-5f1c2e9a7b';
export const CANARY_URL = `http://127.0.0.1:${canaryPort}`;
export const DEMO_URL = `http://127.0.0.1:${demoPort}`;
export const DEMO_PASSPHRASE = 'correct horse battery';
export const SLOW_URL = `http://127.0.0.1:${slowPort}`;
// One server mounted under /playground, behind nginx and behind Caddy (deploy/), each
// also serving the example docs page (deploy/docs-example) at its root.
export const NGINX_URL = `http://127.0.0.1:${nginxPort}`;
export const CADDY_URL = `http://127.0.0.1:${caddyPort}`;
// Docs sites on other origins (the tests serve their pages themselves): one may frame the
// embed view, one may not.
export const DOCS_ORIGIN = 'http://docs.test';
export const OTHER_ORIGIN = 'http://other.test';

const binary = '../target/release/fluxplay';
// Each run starts from empty data directories: the history and today's budget live there now.
process.env.E2E_RUN ??= `${process.pid}-${Date.now()}`;
const server = (p: number, env: Record<string, string>, base = '') => ({
  command: binary,
  // Answers 200 even on the passphrase-guarded server.
  url: `http://127.0.0.1:${p}${base}/unlock`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  env: {
    LEPTOS_SITE_ADDR: `127.0.0.1:${p}`,
    LEPTOS_SITE_ROOT: '../target/site',
    LEPTOS_ENV: 'PROD',
    FLUXPLAY_DATA_DIR: path.join(os.tmpdir(), `fluxplay-e2e-${process.env.E2E_RUN}-${p}`),
    AIMLAPI_KEY: '',
    // The suite generates far more often than a visitor; the demo server below keeps the defaults.
    FLUXPLAY_RATE_PER_MINUTE: '6000',
    FLUXPLAY_RATE_BURST: '1000',
    ...env,
  },
});

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    // No key: the embedded emulator answers.
    server(port, {}),
    // A canary key, "live" against the first server's emulator: the key must never reach the browser.
    server(canaryPort, {
      AIMLAPI_KEY: CANARY,
      AIMLAPI_BASE_URL: `http://127.0.0.1:${port}/emulate/aimlapi`,
    }),
    // A public demo: passphrase, default rate limit, a budget of one image a day.
    server(demoPort, {
      AIMLAPI_KEY: 'demo-key',
      AIMLAPI_BASE_URL: `http://127.0.0.1:${port}/emulate/aimlapi`,
      FLUXPLAY_PASSPHRASE: DEMO_PASSPHRASE,
      FLUXPLAY_DAILY_IMAGES: '1',
      FLUXPLAY_RATE_PER_MINUTE: '12',
      FLUXPLAY_RATE_BURST: '6',
    }),
    // Providers "live" against the first server's emulators, with fault knobs in their keys:
    // AI/ML API answers after 2.5 s, fal's queue never reaches the request.
    server(slowPort, {
      AIMLAPI_KEY: 'e2e#latency=2500',
      AIMLAPI_BASE_URL: `http://127.0.0.1:${port}/emulate/aimlapi`,
      FAL_KEY: 'e2e#never-ready',
      FAL_BASE_URL: `http://127.0.0.1:${port}/emulate/fal`,
    }),
    // A docs team's deployment: under /playground, behind the proxies below.
    server(
      mountPort,
      {
        FLUXPLAY_BASE_PATH: '/playground',
        FLUXPLAY_TRUSTED_PROXIES: '1',
        FLUXPLAY_EMBED_ANCESTORS: `'self' ${DOCS_ORIGIN}`,
      },
      '/playground',
    ),
    ...(['nginx', 'caddy'] as const).map((kind) => {
      const p = kind === 'nginx' ? nginxPort : caddyPort;
      return {
        command: `../scripts/serve-proxy.sh ${kind} ${p} ${mountPort}`,
        url: `http://127.0.0.1:${p}/`,
        reuseExistingServer: false,
        timeout: 30_000,
        stdout: 'ignore' as const,
        stderr: 'pipe' as const,
      };
    }),
  ],
});
