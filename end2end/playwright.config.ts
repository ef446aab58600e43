import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download cannot be fetched here.
const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};

// Every test signs its people up from 127.0.0.1: far more than one address may in a day.
const manySignUps = { LTD_SIGN_UPS_PER_ADDRESS: '100000' };

const port = process.env.E2E_PORT ?? '3300';
const baseURL = `http://127.0.0.1:${port}`;
const bin = process.env.LTD_BIN ?? '../target/debug/let-them-draw';

// A third server whose artist fails every picture's first two attempts (a debug-build test
// switch) and gives up after two, for the failure, refund and admin pages.
const failingPort = process.env.E2E_FAILING_PORT ?? '3302';
const failingURL = `http://127.0.0.1:${failingPort}`;

// A fourth server sending mail over SMTP to a port where nothing listens until the mail
// test starts its own mail server there: mails fail their two attempts and become dead letters.
const mailPort = process.env.E2E_MAIL_PORT ?? '3303';
const mailURL = `http://127.0.0.1:${mailPort}`;
const smtpPort = process.env.E2E_SMTP_PORT ?? '3325';

// A second server signing in with Cognito (moto's, started by scripts/test, which also
// creates the pool and client) and its own data dir.
const cognitoPort = process.env.E2E_COGNITO_PORT ?? '3301';
const cognitoURL = `http://127.0.0.1:${cognitoPort}`;
const cognito = process.env.E2E_COGNITO_POOL_ID && process.env.E2E_COGNITO_CLIENT_ID && process.env.AWS_ENDPOINT_URL
  ? {
      COGNITO_USER_POOL_ID: process.env.E2E_COGNITO_POOL_ID,
      COGNITO_CLIENT_ID: process.env.E2E_COGNITO_CLIENT_ID,
      COGNITO_JWKS_URL: `${process.env.AWS_ENDPOINT_URL}/${process.env.E2E_COGNITO_POOL_ID}/.well-known/jwks.json`,
      ...manySignUps,
      LTD_DATA_DIR: process.env.E2E_COGNITO_DATA_DIR ?? './data-cognito',
    }
  : undefined;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  workers: 2,
  reporter: [['list']],
  use: { baseURL, trace: 'retain-on-failure' },
  projects: [
    { name: 'chromium', use: chromium, testIgnore: /(no-js|admin|cognito|operations|mail-failures)\.spec\.ts/ },
    { name: 'operations', use: { ...chromium, baseURL: failingURL }, testMatch: /operations\.spec\.ts/ },
    { name: 'mail-failures', use: { ...chromium, baseURL: mailURL }, testMatch: /mail-failures\.spec\.ts/ },
    { name: 'no-javascript', use: { ...chromium, javaScriptEnabled: false }, testMatch: /no-js\.spec\.ts/ },
    // Changes the catalogue every other test reads, so it runs after them.
    { name: 'admin', use: chromium, testMatch: /admin\.spec\.ts/, dependencies: ['chromium', 'no-javascript'] },
    // Needs the Cognito server: without its settings this project has nothing to run against.
    ...(cognito ? [{ name: 'cognito', use: { ...chromium, baseURL: cognitoURL }, testMatch: /cognito\.spec\.ts/ }] : []),
  ],
  // The real server binary, built by `cargo leptos build` (scripts/test sets LTD_BIN).
  webServer: [
    {
      command: `"${bin}" serve --site-addr 127.0.0.1:${port}`,
      url: `${baseURL}/healthz`,
      // Debug builds only: slow each drawing down so pages are seen before the picture is done.
      env: { ...manySignUps, LTD_TEST_DRAW_DELAY_MS: '1500' },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `"${bin}" serve --site-addr 127.0.0.1:${failingPort}`,
      url: `${failingURL}/healthz`,
      env: {
        ...manySignUps,
        LTD_DATA_DIR: process.env.E2E_FAILING_DATA_DIR ?? './data-failing',
        LTD_TEST_FAIL_DRAWS: '2',
        LTD_DRAW_MAX_ATTEMPTS: '2',
        LTD_DRAW_RETRY_MS: '3000',
        LTD_ALERT_EMAIL: 'ops@example.com',
        LTD_SWEEP_SECS: '2',
      },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `"${bin}" serve --site-addr 127.0.0.1:${mailPort}`,
      url: `${mailURL}/healthz`,
      env: {
        ...manySignUps,
        LTD_DATA_DIR: process.env.E2E_MAIL_DATA_DIR ?? './data-mail',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        LTD_MAIL_MAX_ATTEMPTS: '2',
        LTD_MAIL_RETRY_MS: '200',
      },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    ...(cognito
      ? [{
          command: `"${bin}" serve --site-addr 127.0.0.1:${cognitoPort}`,
          url: `${cognitoURL}/healthz`,
          env: cognito,
          reuseExistingServer: !process.env.CI,
          timeout: 60_000,
          stdout: 'pipe' as const,
          stderr: 'pipe' as const,
        }]
      : []),
  ],
});
