// The dashboard: the first page's built assets gzipped (aim under 250 KB; the hook editor's
// CodeMirror chunk, loaded on the editor page only, listed apart), and the events page's time
// to interactive in headless Chromium with 10,000 stored events against the same page with 100
// (the real daemon, a child process, serving dist/ui), and a text search's rows (GET /events?q=)
// in both. Skipped with a message without Chromium.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio } from './load.ts';

const CHROMIUM = '/usr/bin/chromium';
const UI_DIR = fileURLToPath(new URL('../dist/ui', import.meta.url));
const RUNS = 7;
const BATCH = 1000;
const KB = 1024;

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** What index.html loads (scripts, styles, module preloads) and the other built chunks. */
function assetSizes() {
  const html = readFileSync(join(UI_DIR, 'index.html'), 'utf8');
  const first = new Set([...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+)"/g)].map((m) => m[1]!));
  const rows: Array<Record<string, string | number>> = [{ file: 'index.html', page: 'first', 'gzip KB': +(gz(join(UI_DIR, 'index.html')) / KB).toFixed(1) }];
  for (const name of readdirSync(join(UI_DIR, 'assets')).sort()) {
    const file = `assets/${name}`;
    rows.push({ file, page: first.has(file) ? 'first' : 'on demand', 'gzip KB': +(gz(join(UI_DIR, file)) / KB).toFixed(1) });
  }
  return rows;
}

async function postEvents(url: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const lines = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => JSON.stringify({ type: 'media.added', payload: { title: `Title ${done + i}` } }));
    const res = await fetch(`${url}/events`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    await res.arrayBuffer();
    if (res.status >= 300 && res.status !== 207) throw new Error(`posting events: ${res.status}`);
  }
}

/** From navigation to the first rows shown and the search field taking a click and a key. */
async function timeToInteractive(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(`${url}/ui/events`);
  await page.locator('table.events tbody tr').first().waitFor();
  const field = page.locator('main input[type=search]');
  await field.click();
  await page.keyboard.type('x');
  await page.waitForFunction("document.activeElement?.value === 'x'");
  return performance.now() - started;
}

/**
 * A text search through the page's URL (GET /events?q=, the server's): from navigation to its
 * rows. `text` found only in the oldest events makes the server scan every newer one.
 */
async function timeToSearch(page: Page, url: string, text: string): Promise<number> {
  const started = performance.now();
  await page.goto(`${url}/ui/events?q=${encodeURIComponent(text)}`);
  await page.locator('table.events tbody tr').first().waitFor();
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(join(UI_DIR, 'index.html'))) {
  console.log(`skipped: no built dashboard at ${UI_DIR} (npm run build)`);
} else {
  const sizes = assetSizes();
  const firstKb = sizes.filter((r) => r.page === 'first').reduce((sum, r) => sum + (r['gzip KB'] as number), 0);
  printTable('dashboard assets, gzip -9', sizes);
  console.log(`first page total: ${firstKb.toFixed(1)} KB gzipped (aim < 250 KB): ${firstKb < 250 ? 'ok' : 'OVER'}`);

  if (!existsSync(CHROMIUM)) {
    console.log(`time to interactive skipped: no browser at ${CHROMIUM} (apt-get install chromium)`);
  } else {
    const temp = makeTempDir('hookd-bench-ui-');
    const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' } }));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      const signIn = await context.request.post(`${daemon.url}/session`, { data: { token: ADMIN_TOKEN } });
      if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
      const page = await context.newPage();
      const measure = async (label: string) => {
        await timeToInteractive(page, daemon.url); // warm: caches, JIT
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) times.push(await timeToInteractive(page, daemon.url));
        // Matched only by older events (Title 1, 10-19, 100-199, 1000-1999): the scan passes every newer one first.
        const searches: number[] = [];
        for (let i = 0; i < RUNS; i++) searches.push(await timeToSearch(page, daemon.url, 'title 1'));
        return {
          events: label,
          'median ms': +median(times).toFixed(1),
          'min ms': +Math.min(...times).toFixed(1),
          'max ms': +Math.max(...times).toFixed(1),
          'search median ms': +median(searches).toFixed(1),
        };
      };
      await postEvents(daemon.url, 100);
      const small = await measure('100');
      await postEvents(daemon.url, 9_900);
      const large = await measure('10,000');
      printTable(`events page, time to interactive (navigation → rows shown → search field typed in), ${RUNS} runs each`, [small, large]);
      console.log(`10,000 / 100 events: ${ratio(large['median ms'], small['median ms'])}; text search: ${ratio(large['search median ms'], small['search median ms'])}`);
    } finally {
      await browser.close();
      daemon.child.kill('SIGTERM');
      await daemon.exited;
      temp.remove();
    }
  }
}
