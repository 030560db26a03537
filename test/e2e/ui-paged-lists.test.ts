// The dashboard lists every hook when GET /hooks needs more than one page: hooks whose sources
// pass the page's byte bound (PAGE_BYTES) still all show on the Hooks page and in the catalog,
// the dashboard following nextCursor (headless Chromium against the real daemon).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PAGE_BYTES } from '../../lib/db/bounded-page.ts';
import { browserMissing, launchBrowser, openSignedIn } from '../helpers/browser.ts';
import { ADMIN_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

// Three such sources pass one page's bytes; one is under server.bodyLimit and runtime.maxSourceSize.
const BIG_SOURCE_BYTES = Math.ceil(PAGE_BYTES / 2.5);
const NAMES = ['big-1', 'big-2', 'big-3', 'small'];

describe('the dashboard with more hooks than one page holds', { skip: browserMissing }, () => {
  let hookd: TestDaemon;
  let browser: Browser;
  let page: Page;

  before(async () => {
    hookd = await startTestDaemon({ config: { server: { bodyLimit: '8MiB' }, runtime: { maxSourceSize: '8MiB' } } });
    for (const name of NAMES) {
      const source = `export default () => {};\n${name === 'small' ? '' : `// ${'x'.repeat(BIG_SOURCE_BYTES)}\n`}`;
      const r = await hookd.call('POST', '/hooks', { name, events: ['media.added'], mode: 'action', source });
      assert.equal(r.status, 201, r.text.slice(0, 300));
    }
    assert.ok((await hookd.call('GET', '/hooks')).body.nextCursor, 'GET /hooks needs more than one page');
    browser = await launchBrowser();
    page = await openSignedIn(browser, hookd.url, ADMIN_TOKEN);
  });
  after(async () => {
    await browser?.close();
    await hookd?.close();
  });

  test('the Hooks page shows every hook', async () => {
    await page.goto(`${hookd.url}/ui/hooks`);
    await page.locator('main a', { hasText: 'small' }).waitFor();
    const links = await page.locator('main a').allTextContents();
    for (const name of NAMES) assert.ok(links.includes(name), `${name} in ${JSON.stringify(links)}`);
  });

  test('the catalog names every hook of a type', async () => {
    await page.goto(`${hookd.url}/ui/catalog`);
    const card = page.locator('article.type[data-type="media.added"]');
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', new RegExp(`Hooks: ${NAMES.join(', ')} ·`));
  });
});
