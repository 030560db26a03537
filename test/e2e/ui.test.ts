// The dashboard in a real browser: headless Chromium (Debian's chromium package) driven by
// playwright-core against the real daemon serving dist/ui. Skipped, saying how to enable it,
// where /usr/bin/chromium is missing. Screenshots of each page go to a temp folder (named in
// the test output); HOOKD_UPDATE_SCREENSHOTS=1 also copies a few into docs/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserMissing as missing, createShooter, launchBrowser, signIn as signInAt } from '../helpers/browser.ts';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const README_SHOTS = ['events', 'trace', 'hook-error', 'replay', 'live'];

describe('the dashboard in a browser', { skip: missing }, () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  const { dir: shots, shoot } = createShooter('hookd-ui-screenshots-', README_SHOTS);
  const signIn = (p: Page, token: string) => signInAt(p, hookd.url, token);

  before(async () => {
    hookd = await startTestDaemon({ config: { webhooks: { pollInterval: '50ms', jitter: 0 } } });
    receiver = await startWebhookReceiver(() => ({ status: 200, body: 'thanks' }));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    // Anything the page could not load or run fails the test that caused it.
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await hookd?.close();
    console.log(`# dashboard screenshots: ${shots}`);
  });

  test('an admin signs in and opens an event\'s trace: filters, stored payload, actions, deliveries', async () => {
    await page.goto(`${hookd.url}/ui/`);
    await page.locator('#token').waitFor();
    await shoot(page, 'sign-in');
    await signIn(page, ADMIN_TOKEN);

    const filter = await hookd.call('POST', '/hooks', {
      name: 'shout',
      events: ['media.added'],
      mode: 'filter',
      source: "export default (event, ctx) => { ctx.log.info('shouting ' + event.payload.title); return { patch: { title: event.payload.title.toUpperCase() } }; }",
    });
    assert.equal(filter.status, 201);
    const action = await hookd.call('POST', '/hooks', { name: 'notify', events: ['media.*'], mode: 'action', source: 'export default () => {}' });
    assert.equal(action.status, 201);
    const webhook = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/in`, events: ['media.added'] });
    assert.equal(webhook.status, 201);
    // ?wait=true runs the filter chain before storing (README "Events").
    const posted = await hookd.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Dune' } });
    assert.equal(posted.status, 200);
    const id = posted.body.id as string;
    await hookd.daemon.idle();
    await waitFor(async () => (await hookd.call('GET', `/events/${id}`)).body.deliveries[0]?.status === 'succeeded', 'the delivery succeeds');

    await page.reload();
    const row = page.locator('table.events tbody tr', { hasText: id });
    await row.getByRole('link', { name: 'media.added' }).click();
    await page.getByRole('heading', { name: /media\.added/ }).waitFor();
    const filters = page.locator('li.step', { has: page.getByRole('heading', { name: 'Filters (1)' }) });
    await filters.locator('article.invocation', { hasText: 'shout' }).waitFor();
    assert.match(await filters.textContent() ?? '', /ok/);
    assert.match(await filters.locator('ul.logs').textContent() ?? '', /shouting Dune/);
    const stored = page.locator('li.step', { has: page.getByRole('heading', { name: /Stored payload/ }) });
    assert.match(await stored.textContent() ?? '', /changed by filters/);
    assert.match(await stored.locator('pre').textContent() ?? '', /"title": "DUNE"/);
    const actions = page.locator('li.step', { has: page.getByRole('heading', { name: 'Actions (1)' }) });
    assert.match(await actions.textContent() ?? '', /notify/);
    const delivery = page.locator('article.delivery');
    assert.match(await delivery.textContent() ?? '', /succeeded/);
    assert.match(await delivery.locator('table.attempts tbody').textContent() ?? '', /200.*thanks/s);
    await shoot(page, 'trace');

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await receiver.waitFor((requests) => requests.filter((r) => r.path === '/in').length === 2);

    await page.locator('header.top nav').getByRole('link', { name: 'Events' }).click();
    await page.locator('table.events tbody tr').first().waitFor();
    await shoot(page, 'events');
    await page.setViewportSize({ width: 360, height: 740 });
    await shoot(page, 'events-360');
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  /** Replaces the CodeMirror document, as typing would (select all, then insert the text). */
  async function setSource(p: Page, source: string): Promise<void> {
    const content = p.locator('#source .cm-content');
    await content.click();
    await p.keyboard.press('ControlOrMeta+a');
    await p.keyboard.insertText(source);
  }

  test('POST /hooks/compile compiles without running or saving: line and column of an error; admin only', async () => {
    const before = (await hookd.call('GET', '/hooks')).body.items.length as number;
    // Top-level code that would throw if it ran: compiling alone answers ok.
    const ok = await hookd.call('POST', '/hooks/compile', { source: "throw new Error('ran');\nexport default () => {};\n" });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { ok: true });
    const bad = await hookd.call('POST', '/hooks/compile', { source: 'export default function () {\n  return {;\n}\n' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'COMPILE_ERROR');
    assert.equal(bad.body.error.details.line, 2);
    assert.equal(typeof bad.body.error.details.column, 'number');
    assert.equal((await hookd.call('GET', '/hooks')).body.items.length, before);
    assert.equal((await hookd.call('POST', '/hooks/compile', { source: 'export default () => {}' }, { token: EVENTS_TOKEN })).status, 403);
  });

  test('a hook with a syntax error shows the error at its line as it is typed; fixed, it saves; it can be disabled', async () => {
    await page.goto(`${hookd.url}/ui/hooks/new`);
    await page.locator('input[name=name]').fill('broken');
    await page.locator('input[name=events]').fill('media.added');
    await page.locator('#source[data-ready=true]').waitFor();
    await setSource(page, 'export default function (event) {\n  const a = 1;\n  return {;\n}\n');
    // No save: the editor's linter asked the daemon to compile.
    const compile = page.locator('p.compile');
    await compile.waitFor();
    assert.match(await compile.textContent() ?? '', /^Line 3, column \d+:/);
    const marked = page.locator('#source .cm-lintRange-error');
    await marked.waitFor();
    const markedLine = page.locator('#source .cm-line', { has: page.locator('.cm-lintRange-error') });
    assert.equal(await markedLine.textContent(), '  return {;');
    await shoot(page, 'hook-error');
    // Saving anyway gets the server's answer, with the failing line's excerpt.
    await page.getByRole('button', { name: 'Create' }).click();
    assert.match(await page.locator('pre.excerpt').textContent() ?? '', />\s+3 \| {3}return \{;/);

    await setSource(page, 'export default function (event, ctx) {\n  ctx.log.info(event.type);\n}\n');
    await waitFor(async () => (await compile.count()) === 0 && (await marked.count()) === 0, 'the error goes once fixed');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Hook broken' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.match(page.url(), /\/ui\/hooks\/[^/?]+\?saved=1$/);
    assert.equal(await compile.count(), 0);

    await page.locator('header.top nav').getByRole('link', { name: 'Hooks', exact: true }).click();
    const row = page.locator('tr[data-hook=broken]');
    assert.match(await row.textContent() ?? '', /enabled/);
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    const hooks = (await hookd.call('GET', '/hooks')).body.items as Array<{ name: string; enabled: boolean }>;
    assert.equal(hooks.find((h) => h.name === 'broken')?.enabled, false);
    await shoot(page, 'hooks');
  });

  test('replaying a draft filter against stored events shows each payload diff, and saves nothing', async () => {
    assert.equal((await hookd.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Arrival' } })).status, 200);
    await hookd.daemon.idle();
    const stored = (await hookd.call('GET', '/events?type=media.added')).body.items as Array<{ id: string; payload: { title: string } }>;
    assert.equal(stored.length, 2);
    const hooksBefore = (await hookd.call('GET', '/hooks')).body.items.length as number;

    await page.goto(`${hookd.url}/ui/hooks/new`);
    await page.locator('input[name=name]').fill('exclaim');
    await page.locator('input[name=events]').fill('media.added');
    await page.locator('select[name=mode]').selectOption('filter');
    await page.locator('#source[data-ready=true]').waitFor();
    await setSource(page, "export default (event, ctx) => { ctx.log.info('draft saw ' + event.payload.title); return { patch: { title: event.payload.title + '!' } }; };\n");
    await page.locator('input[name=replayType]').fill('media.added');
    await page.locator('input[name=replayLast]').fill('10');
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 events, 2 changed' }).waitFor();

    // What is stored now is the shout filter's upper case; the draft appends "!" to the title as received.
    for (const [id, received, now] of [[stored[0]!.id, 'Arrival', 'ARRIVAL'], [stored[1]!.id, 'Dune', 'DUNE']]) {
      const result = page.locator(`article.replay-result[data-event="${id}"]`);
      assert.match(await result.locator('header').textContent() ?? '', /ok.*changed/s);
      assert.match(await result.locator('ul.logs').textContent() ?? '', new RegExp(`draft saw ${received}`));
      const diff = (await result.locator('pre.diff').textContent()) ?? '';
      assert.match(diff, new RegExp(`^- {3}"title": "${now}"$`, 'm'));
      assert.match(diff, new RegExp(`^\\+ {3}"title": "${received}!"$`, 'm'));
    }
    await shoot(page, 'replay');
    // A dry run's test event carries the catalog's sample for media.added (config/hookd.yaml's example).
    await page.getByRole('button', { name: 'Dry run' }).click();
    const dryRun = page.locator('h2:has-text("Dry run") + pre.json');
    await dryRun.waitFor();
    assert.match(await dryRun.textContent() ?? '', /"title": "The Matrix!"/);
    assert.equal((await hookd.call('GET', '/hooks')).body.items.length, hooksBefore);
    assert.equal((await hookd.call('GET', '/events?type=media.added')).body.items.length, 2);
  });

  test('a new webhook\'s secret is shown once', async () => {
    await page.goto(`${hookd.url}/ui/webhooks`);
    await page.locator('input[name=url]').fill(`${receiver.url}/second`);
    await page.locator('input[name=events]').fill('media.*');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = (await page.locator('.secret-value').textContent()) ?? '';
    assert.match(secret, /^whsec_/);
    await shoot(page, 'webhook-secret');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    await page.locator(`tr[data-webhook="${receiver.url}/second"]`).waitFor();
    assert.equal((await page.content()).includes(secret), false);
    await shoot(page, 'webhooks');

    await page.goto(`${hookd.url}/ui/catalog`);
    const listeners = (await page.locator('article[data-type="media.added"] p.muted').textContent()) ?? '';
    const [hooks = '', webhooks = ''] = listeners.split(' · ');
    assert.deepEqual(hooks.replace('Hooks: ', '').split(', ').sort(), ['broken', 'notify', 'shout']);
    assert.deepEqual(webhooks.replace('Webhooks: ', '').split(', ').sort(), [`${receiver.url}/in`, `${receiver.url}/second`]);
    // Each type's sample payload, pretty-printed: the schema's example, or one built from the schema.
    const added = page.locator('article[data-type="media.added"] details.sample');
    await added.locator('summary').click();
    assert.match(await added.locator('summary').textContent() ?? '', /the schema's example/);
    assert.match(await added.locator('pre.json').textContent() ?? '', /^ {2}"title": "The Matrix",$/m);
    const grab = page.locator('article[data-type="radarr.grab"] details.sample');
    await grab.locator('summary').click();
    assert.match(await grab.locator('summary').textContent() ?? '', /built from the schema/);
    assert.deepEqual(JSON.parse(await grab.locator('pre.json').textContent() ?? ''), { eventType: 'Grab', movie: { id: 0, title: 'title' } });
    await shoot(page, 'catalog');
  });

  test('a progress bar moves as progress events arrive on the stream', async () => {
    await page.goto(`${hookd.url}/ui/live`);
    await page.locator('[data-stream=live]').waitFor();
    const bar = page.locator('li[data-progress="download.progress:dl-1"] progress');
    assert.equal((await hookd.call('POST', '/events', { type: 'download.progress', payload: { downloadId: 'dl-1', pct: 10 } })).status, 202);
    await waitFor(async () => (await bar.count()) === 1 && (await bar.evaluate((e) => (e as unknown as { value: number }).value)) === 10, 'the bar shows 10%');
    assert.equal((await hookd.call('POST', '/events', { type: 'download.progress', payload: { downloadId: 'dl-1', pct: 60 } })).status, 202);
    await waitFor(async () => (await bar.evaluate((e) => (e as unknown as { value: number }).value)) === 60, 'the bar moves to 60%');
    await shoot(page, 'live');
  });

  test('signing out ends the session', async () => {
    await page.goto(`${hookd.url}/ui/events`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#token').waitFor();
    const status = await page.evaluate(async () => (await fetch('/session')).status);
    assert.equal(status, 401);
  });

  test('an events token sees a read-only dashboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const p = await context.newPage();
    try {
      await signIn(p, EVENTS_TOKEN);
      const nav = (await p.locator('header.top nav').textContent()) ?? '';
      assert.doesNotMatch(nav, /Hooks|Webhooks/);
      assert.match(await p.locator('.who').textContent() ?? '', /read-only/);
      const id = (await hookd.call('GET', '/events?type=media.added&limit=1')).body.items[0].id as string;
      await p.goto(`${hookd.url}/ui/events/${id}`);
      await p.locator('article.delivery').first().waitFor();
      assert.equal(await p.getByRole('button', { name: 'Redeliver' }).count(), 0);
      await shoot(p, 'trace-read-only');
      // Hooks are admin only (GET /hooks is a 403 for this token): no such page.
      await p.goto(`${hookd.url}/ui/hooks`);
      await p.getByText('No such page').waitFor();
      assert.equal(await p.getByRole('button', { name: /Disable|Enable/ }).count(), 0);
    } finally {
      await context.close();
    }
  });
});

if (missing) test(`the dashboard in a browser: skipped (${missing})`, { skip: missing }, () => {});
