// The dashboard's admin pages and usability in a real browser (headless Chromium through
// playwright-core, against the real daemon serving dist/ui): a hook's permissions edited with
// the grant in words, read-only for a file hook; nothing of hooks for an events token; a webhook edited;
// a replay chosen by time and count with the network withheld (a local receiver proves no
// request left); no horizontal scroll at 360 px on any page; the keyboard reaches the actions
// and dialogs; the dark scheme darkens the editor. Screenshots as in ui.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, createShooter, launchBrowser, signIn, openSignedIn } from '../helpers/browser.ts';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// The page's globals, for the functions run in the browser (this tsconfig has no DOM library).
declare const document: any;
declare const getComputedStyle: (e: unknown) => { backgroundColor: string; color: string; outlineStyle: string };

const README_SHOTS = ['hooks-360', 'hook-dark'];

describe('the dashboard\'s admin pages in a browser', { skip: browserMissing }, () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let hookId: string;
  let webhookId: string;
  let eventId: string;
  const shots = createShooter('hookd-ui-admin-screenshots-', README_SHOTS);

  /** A browser-local "YYYY-MM-DDTHH:MM:SS" (what a datetime-local input holds) for an instant. */
  const localInput = (p: Page, iso: string) =>
    p.evaluate((at) => {
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      const d = new Date(at);
      const [mo, da, h, mi, s] = [d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0'));
      return `${d.getFullYear()}-${mo}-${da}T${h}:${mi}:${s}`;
    }, iso);

  before(async () => {
    hookd = await startTestDaemon({ config: { webhooks: { pollInterval: '50ms', jitter: 0 } } });
    receiver = await startWebhookReceiver(() => ({ status: 200, body: 'thanks' }));
    const hook = await hookd.call('POST', '/hooks', {
      name: 'fetcher',
      events: ['media.added'],
      mode: 'action',
      source: `export default async (event, ctx) => { ctx.log.info('fetching for ' + event.payload.title); await ctx.fetch(${JSON.stringify(`${receiver.url}/fetched`)}); };\n`,
    });
    assert.equal(hook.status, 201, hook.text);
    hookId = hook.body.id;
    const webhook = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/in`, events: ['media.*'] });
    assert.equal(webhook.status, 201, webhook.text);
    webhookId = webhook.body.id;
    // A file hook: shown read-only with its path.
    mkdirSync(join(hookd.hooksDir, 'media.added'), { recursive: true });
    writeFileSync(join(hookd.hooksDir, 'media.added', '50-from-file.js'), 'export default () => {};\n');
    await waitFor(async () => (await hookd.call('GET', '/hooks')).body.items.some((h: { name: string }) => h.name === 'from-file'), 'the file hook loads');
    browser = await launchBrowser();
    page = await openSignedIn(browser, hookd.url, ADMIN_TOKEN);
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await hookd?.close();
    console.log(`# dashboard screenshots: ${shots.dir}`);
  });

  test('an admin edits a hook\'s permissions: the grant in words follows, and the API has the change', async () => {
    await page.goto(`${hookd.url}/ui/hooks/${hookId}`);
    const fetchGrant = page.locator('li[data-grant=fetch]');
    assert.match(await fetchGrant.textContent() ?? '', /reaches nothing: every call is denied/);
    assert.match(await page.locator('li[data-grant=env]').textContent() ?? '', /ctx\.env is empty/);
    assert.match(await page.locator('li[data-grant=emit]').textContent() ?? '', /ctx\.emit may raise the catalog's \d+ business types.*media\.added/);

    const host = new URL(receiver.url).host;
    await page.locator('input[name=permNet]').fill(`${host}, api.example.org`);
    await page.locator('input[name=permEnv]').fill('NOTIFY_URL');
    await page.getByRole('button', { name: 'Save permissions' }).click();
    await page.getByRole('status').filter({ hasText: 'Permissions saved.' }).waitFor();
    assert.match(await fetchGrant.textContent() ?? '', new RegExp(`ctx\\.fetch may reach ${host.replace(/[.]/g, '\\.')}, api\\.example\\.org and nothing else`));
    assert.match(await page.locator('li[data-grant=env]').textContent() ?? '', /NOTIFY_URL \(not set now: absent\)/);
    await shots.shoot(page, 'permissions');

    const saved = (await hookd.call('GET', `/hooks/${hookId}`)).body;
    assert.deepEqual(saved.permissions, { net: [host, 'api.example.org'], env: ['NOTIFY_URL'], apps: [] });
    assert.deepEqual(saved.grant.fetch.hosts, [host, 'api.example.org']);
  });

  test('an events token gets 403 from GET /hooks and /hooks/:id, and the dashboard shows it no Hooks link and no admin action', async () => {
    for (const path of ['/hooks', `/hooks/${hookId}`]) {
      const r = await hookd.call('GET', path, undefined, { token: EVENTS_TOKEN });
      assert.equal(r.status, 403, path);
      assert.match(r.body.error.message, /"admin" scope/);
    }
    const posted = await hookd.call('POST', '/events', { type: 'media.added', payload: { title: 'Seen by an app' } }, { token: EVENTS_TOKEN });
    assert.equal(posted.status, 202, posted.text);
    await hookd.daemon.idle();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const p = await context.newPage();
    // The dashboard asks only for what this token may read: no answer is a 403.
    const refused: string[] = [];
    p.on('response', (r) => { if (r.status() === 403) refused.push(r.url()); });
    try {
      await signIn(p, hookd.url, EVENTS_TOKEN);
      const nav = p.locator('header.top nav');
      assert.equal(await nav.getByRole('link', { name: 'Hooks', exact: true }).count(), 0);
      assert.equal(await nav.getByRole('link', { name: 'Webhooks', exact: true }).count(), 0);
      for (const path of ['/hooks', `/hooks/${hookId}`, '/hooks/new']) {
        await p.goto(`${hookd.url}/ui${path}`);
        await p.getByText('No such page').waitFor();
        assert.equal(await p.locator('li[data-grant]').count(), 0, `${path}: no permissions`);
        assert.equal(await p.locator('#source').count(), 0, `${path}: no code`);
      }
      await p.goto(`${hookd.url}/ui/catalog`);
      await p.locator('article.type[data-type="media.added"]').waitFor();
      assert.doesNotMatch(await p.locator('main').textContent() ?? '', /fetcher|from-file|Webhooks:/, 'the catalog names no hook or webhook');
      await p.goto(`${hookd.url}/ui/events/${posted.body.id}`);
      await p.locator('article.invocation .hook-name').first().waitFor();
      assert.deepEqual((await p.locator('article.invocation .hook-name').allTextContents()).sort(), ['fetcher', 'from-file'], 'a trace still names its hooks');
      for (const name of [/Disable|Enable/, 'New module hook', 'Save permissions', 'Redeliver']) {
        assert.equal(await p.getByRole('button', { name }).count() + await p.getByRole('link', { name }).count(), 0, String(name));
      }
      assert.equal(await p.getByRole('link', { name: 'Dry-run against this event' }).count(), 0);
      assert.deepEqual(refused, []);
      await shots.shoot(p, 'trace-events-token-admin-pages');
    } finally {
      await context.close();
    }
  });

  test('with the daemon unreachable every page says so (no blank page), and Try again recovers', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const p = await context.newPage();
    try {
      await signIn(p, hookd.url, ADMIN_TOKEN);
      // Every API request fails as with a stopped daemon; the page's own files still load.
      let down = true;
      await context.route((url) => !url.pathname.startsWith('/ui/'), (route) => (down && !route.request().url().endsWith('/session') ? route.abort('connectionrefused') : route.fallback()));
      for (const path of ['/events', '/events/not-reached', '/hooks', `/hooks/${hookId}`, '/webhooks', '/catalog', '/live']) {
        await p.goto(`${hookd.url}/ui${path}`);
        await p.locator('main [role=alert]').first().waitFor();
        assert.match(await p.locator('main [role=alert]').first().textContent() ?? '', /the daemon did not answer/, path);
      }
      // Down at the start as well: the session cannot be read.
      await context.unroute(() => true);
      await context.route((url) => !url.pathname.startsWith('/ui/'), (route) => (down ? route.abort('connectionrefused') : route.fallback()));
      await p.goto(`${hookd.url}/ui/events`);
      await p.locator('main.unreachable [role=alert]').waitFor();
      assert.match(await p.locator('main.unreachable [role=alert]').textContent() ?? '', /the daemon did not answer/);
      down = false;
      await p.getByRole('button', { name: 'Try again' }).click();
      await p.locator('header.top nav').waitFor();
    } finally {
      await context.close();
    }
  });

  test('a file hook is read-only with its path', async () => {
    const file = (await hookd.call('GET', '/hooks')).body.items.find((h: { name: string }) => h.name === 'from-file');
    await page.goto(`${hookd.url}/ui/hooks/${file.id}`);
    await page.locator('.permissions .read-only').waitFor();
    assert.match(await page.locator('.permissions .read-only').textContent() ?? '', /from the file media\.added\/50-from-file\.js/);
    assert.equal(await page.locator('input[name=permNet]').count(), 0);
  });

  test('a webhook\'s edit persists; Escape closes the dialog and focus returns to its button', async () => {
    await page.goto(`${hookd.url}/ui/webhooks`);
    const row = page.locator(`tr[data-webhook="${receiver.url}/in"]`);
    const edit = row.getByRole('button', { name: 'Edit' });
    await edit.click();
    const dialog = page.getByRole('dialog', { name: 'Edit webhook' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await edit.evaluate((e) => e === document.activeElement), true, 'focus is back on Edit');

    await edit.click();
    await dialog.locator('input[name=events]').fill('media.added');
    await dialog.locator('input[name=description]').fill('the receiver');
    await dialog.locator('textarea[name=headers]').fill('X-Team: blue');
    await dialog.locator('input[name=timeoutMs]').fill('2500');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('the receiver').waitFor();
    const saved = (await hookd.call('GET', `/webhooks/${webhookId}`)).body;
    assert.deepEqual(saved.events, ['media.added']);
    assert.equal(saved.description, 'the receiver');
    assert.deepEqual(saved.headers, { 'X-Team': 'blue' });
    assert.equal(saved.timeoutMs, 2500);
    assert.equal(saved.enabled, true);
  });

  test('a replay chosen by since and last N, with the network withheld, sends nothing; opted in, it does', async () => {
    const post = async (title: string) => {
      const r = await hookd.call('POST', '/events', { type: 'media.added', payload: { title } });
      assert.equal(r.status, 202, r.text);
      return r.body.id as string;
    };
    const old = await post('Old');
    await hookd.daemon.idle();
    const oldAt = (await hookd.call('GET', `/events/${old}`)).body.receivedAt as string;
    // The since field holds whole seconds: the next events come in a later second than Old's.
    await waitFor(async () => Math.floor(Date.now() / 1000) > Math.floor(Date.parse(oldAt) / 1000) || false, 'the next second');
    const newer = [await post('Newer'), await post('Newest')];
    eventId = newer[1]!;
    await hookd.daemon.idle();
    const since = new Date(Math.floor(Date.parse(oldAt) / 1000) * 1000 + 1000).toISOString();
    // The hook's own runs (the network is granted to it) fetched once per event; replays are counted from here.
    const fetchedBefore = receiver.requests.filter((r) => r.path === '/fetched').length;

    await page.goto(`${hookd.url}/ui/hooks/${hookId}`);
    await page.locator('#source[data-ready=true]').waitFor();
    assert.match(await page.locator('#replay-cap').textContent() ?? '', /At most 200 events/);
    assert.equal(await page.locator('input[name=replayLast]').getAttribute('max'), '200');
    await page.locator('input[name=replayType]').fill('media.added');
    await page.locator('input[name=replayLast]').fill('10');
    await page.locator('input[name=replaySince]').fill(await localInput(page, since));
    assert.equal(await page.locator('input[name=replayNetwork]').isChecked(), false);
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 events, 0 changed · network withheld' }).waitFor();
    // The answer is in: every draft run is over, and none reached the receiver.
    assert.deepEqual(await page.locator('article.replay-result').evaluateAll((els) => els.map((e) => e.getAttribute('data-event'))), [...newer].reverse());
    for (const result of await page.locator('article.replay-result').all()) {
      assert.match(await result.locator('p.error').textContent() ?? '', /ctx\.fetch is not a function/);
      assert.match(await result.locator('p.withheld').textContent() ?? '', /network was withheld/);
    }
    assert.equal(receiver.requests.filter((r) => r.path === '/fetched').length, fetchedBefore);

    await page.locator('input[name=replayLast]').fill('1');
    await page.locator('input[name=replayNetwork]').check();
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 event, 0 changed · network allowed' }).waitFor();
    assert.equal(receiver.requests.filter((r) => r.path === '/fetched').length, fetchedBefore + 1);
    assert.equal(await page.locator('input[name=replayNetwork]').isChecked(), false, 'the opt-in is for one run');
  });

  test('at 360 px no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      const pages = ['/events', `/events/${eventId}`, '/hooks', `/hooks/${hookId}`, '/hooks/new', '/webhooks', `/webhooks/${webhookId}`, '/catalog', '/live'];
      for (const path of pages) {
        await page.goto(`${hookd.url}/ui${path}`);
        await page.locator('main h1').first().waitFor();
        await waitFor(async () => (await page.locator('[role=status]', { hasText: 'Loading' }).count()) === 0, `${path} loads`);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
        assert.ok(scrollWidth <= clientWidth, `${path}: the page is ${scrollWidth} px wide in a ${clientWidth} px window`);
        if (path === '/hooks') await shots.shoot(page, 'hooks-360');
        if (path === '/webhooks') await shots.shoot(page, 'webhooks-360');
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 800 });
    }
  });

  test('the keyboard reaches the main actions: Tab through the hooks page, Enter opens a dialog', async () => {
    /** The accessible text of each element Tab lands on, up to `count` presses. */
    async function tabStops(count: number): Promise<string[]> {
      const stops: string[] = [];
      for (let i = 0; i < count; i++) {
        await page.keyboard.press('Tab');
        stops.push(await page.evaluate(() => {
          const e = document.activeElement;
          const visible = e ? getComputedStyle(e).outlineStyle !== 'none' : false;
          return `${e?.getAttribute('aria-label') ?? e?.textContent?.trim() ?? ''}${visible ? '' : ' (no focus ring)'}`;
        }));
      }
      return stops;
    }
    await page.goto(`${hookd.url}/ui/hooks`);
    await page.locator('tr[data-hook=fetcher]').waitFor();
    const stops = await tabStops(16);
    for (const action of ['Skip to content', 'Events', 'Hooks', 'Webhooks', 'Sign out', 'New module hook', 'fetcher', 'Disable']) {
      assert.ok(stops.includes(action), `Tab reaches "${action}" with a visible focus ring: ${JSON.stringify(stops)}`);
    }

    await page.goto(`${hookd.url}/ui/webhooks`);
    await page.locator(`tr[data-webhook="${receiver.url}/in"]`).waitFor();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Edit');
    }
    assert.ok(reached, 'Tab reaches Edit');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edit webhook' });
    await dialog.waitFor();
    // Focus is inside the dialog, and Tab keeps it there (the page behind is inert).
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate(() => !!document.activeElement?.closest('dialog') || document.activeElement === document.body);
      assert.ok(inside, 'focus stays in the dialog');
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('the dark scheme renders the editor dark; the theme toggle overrides it and is remembered', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.goto(`${hookd.url}/ui/hooks/${hookId}`);
      await page.locator('#source[data-ready=true]').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      /** Relative luminance (0 black .. 1 white) of a computed rgb() colour. */
      const luminance = (rgb: string) => {
        const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((c) => c / 255);
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const editor = page.locator('#source .cm-editor');
      assert.ok(luminance(await editor.evaluate((e) => getComputedStyle(e).backgroundColor)) < 0.2, 'a dark editor background');
      assert.ok(luminance(await page.locator('#source .cm-content').evaluate((e) => getComputedStyle(e).color)) > 0.7, 'light text');
      const keyword = page.locator('#source .cm-line span', { hasText: /^(export|await|async)$/ }).first();
      assert.ok(luminance(await keyword.evaluate((e) => getComputedStyle(e).color)) > 0.5, 'a keyword readable on dark');
      await shots.shoot(page, 'hook-dark');

      // Dark from the OS, light by choice: remembered over a reload; "system" again follows the OS.
      const toggle = page.locator('header.top button.theme');
      while (!/light/.test(await toggle.textContent() ?? '')) await toggle.click();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      await page.reload();
      await page.locator('#source[data-ready=true]').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      assert.ok(luminance(await editor.evaluate((e) => getComputedStyle(e).backgroundColor)) > 0.8, 'a light editor by choice');
      while (!/system/.test(await toggle.textContent() ?? '')) await toggle.click();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
});

if (browserMissing) test(`the dashboard's admin pages in a browser: skipped (${browserMissing})`, { skip: browserMissing }, () => {});
