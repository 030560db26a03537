// The dashboard's browser tests' shared parts: headless Chromium (Debian's chromium package)
// launched with the flags that keep it quiet offline, why a suite is skipped without it, signing
// in through the sign-in page, and screenshots to a temp folder (HOOKD_UPDATE_SCREENSHOTS=1 also
// copies the named ones into docs/screenshots/ for the README).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser suites are skipped here, or false when they can run. */
export const browserMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM}: install it to run the dashboard's browser tests (apt-get install chromium)`;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the networking flags Chromium floods refused connections on a machine offline.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in on the sign-in page with `token` and waits for the events page. */
export async function signIn(p: Page, baseUrl: string, token: string): Promise<void> {
  await p.goto(`${baseUrl}/ui/`);
  await p.locator('#token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Events' }).waitFor();
}

/** Full-page screenshots into a fresh temp folder; `readmeShots` are also copied for the README on request. */
export function createShooter(prefix: string, readmeShots: readonly string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    async shoot(p: Page, name: string): Promise<void> {
      const file = join(dir, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      if (process.env.HOOKD_UPDATE_SCREENSHOTS === '1' && readmeShots.includes(name)) {
        mkdirSync('docs/screenshots', { recursive: true });
        copyFileSync(file, join('docs/screenshots', `${name}.png`));
      }
    },
  };
}

/** A desktop-sized page signed in with `token`, where any uncaught page error fails the test. */
export async function openSignedIn(browser: Browser, baseUrl: string, token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  await signIn(page, baseUrl, token);
  return page;
}
