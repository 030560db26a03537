// The dashboard's browser tests' shared parts: Debian's headless Chromium through playwright-core
// (skipped with a message where it is missing), signing in, and screenshots to a temp folder,
// a chosen few also copied to docs/screenshots with HOOKD_UPDATE_SCREENSHOTS=1.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser suites skip here, or false when they can run. */
export const browserMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM}: install it to run the dashboard's browser tests (apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function signInAs(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
}

/** Full-page screenshots into a temp folder; those named in `readme` also to docs/screenshots when asked. */
export function createScreenshots(prefix: string, readme: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    async shoot(page: Page, name: string): Promise<void> {
      const file = join(dir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (process.env.HOOKD_UPDATE_SCREENSHOTS === '1' && readme.includes(name)) {
        mkdirSync('docs/screenshots', { recursive: true });
        copyFileSync(file, join('docs/screenshots', `${name}.png`));
      }
    },
  };
}
