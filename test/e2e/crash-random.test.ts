// kill -9 at a random moment loses nothing: `hookd serve` runs a mixed workload (single posts,
// batches, NDJSON, filtered ?wait=true posts, Radarr bodies, hooks and webhooks changed through
// the API) and is killed several times in a row on the same SQLite data, then every promise is
// checked. The seed is printed with any failure: HOOKD_CRASH_SEED=<seed> replays the kill
// schedule and the workload's mix (how requests interleave still depends on timing).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { request, type Reply } from '../helpers/http.ts';
import { processTree, stillRunning, type ProcessInfo } from '../helpers/process-tree.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const temp = makeTempDir();
after(() => temp.remove());

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const RADARR_BODY = JSON.parse(readFileSync(new URL('../fixtures/arr/radarr-movie-added.json', import.meta.url), 'utf8'));
/** Types the workload posts (and the Radarr app events); the recording hooks listen to them all. */
const RECORDED = ['media.*', 'radarr.*'];
/** Types nothing posts: the hooks and webhooks changed during the workload listen to them. */
const CHURN_HOOK_TYPE = 'search.completed';
const CHURN_WEBHOOK_TYPE = 'library.scan.completed';
/** Both tests' daemons: short webhook retries, so that what is owed goes out within the test. */
const CONFIG = {
  log: { level: 'info' },
  hooks: { watch: false },
  webhooks: { retrySchedule: ['50ms', '100ms', '200ms'], jitter: 0, pollInterval: '50ms', timeout: '2s' },
};
/** What the emitting action hook raises for each media.added event. */
const EMITTED = 'media.updated';

/** A small seeded generator (mulberry32): the schedule of a failing run can be replayed. */
function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

/** A request the kill cut off (no answer) rather than one answered wrongly. */
function isCutOff(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed|terminated/i.test(err.message);
}

/** What the workload was told and what it may not know, checked against the daemon at the end. */
interface Ledger {
  /** Acknowledged event ids and their (type, title) keys. */
  acked: Map<string, string>;
  /** Posts with an id that got no answer: posted again after the restart. */
  unanswered: Map<string, (call: Call) => Promise<Reply | undefined>>;
  /** Filtered ?wait=true answers: the filter's change must be in them. */
  filteredAnswers: number;
  hooks: Map<string, ChurnState>;
  webhooks: Map<string, ChurnState>;
  /** Dashboard sessions signed in (cookie, CSRF token): live, signed out, or unknown (no answer to the sign-out). */
  sessions: Array<{ cookie: string; csrf: string; state: 'live' | 'out' | 'maybe-out' }>;
}

/** A hook or webhook changed through the API: what its last answered change left, and an unanswered one. */
interface ChurnState {
  id?: string;
  /** undefined: deleted (or never created); else the value of the field the churn changes. */
  confirmed?: number;
  /** Set while a change got no answer: the value it would have left (null: deleted). */
  maybe?: number | null;
}

function keyOf(e: { type: string; payload: any }): string {
  return e.type.startsWith('radarr.') ? `${e.type}:${e.payload?.movie?.title}` : `${e.type}:${e.payload?.title}`;
}

test('kill -9 at random moments, again and again, loses no acknowledged event, hook run, delivery or record', async (t) => {
  const seed = Number(process.env.HOOKD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = createRandom(seed);
  // The kill moments come from their own sequence: the workload's draws depend on timing.
  const schedule = createRandom(seed ^ 0x5bd1e995);
  // A third of the deliveries fail their first attempt: retries are owed across the kills too.
  const refusedOnce = new Set<string>();
  const refused = new Set<ReceivedRequest>();
  const receiver = await startWebhookReceiver((r) => {
    const id = String(r.headers['webhook-id']);
    if (r.path !== '/wh' || refusedOnce.has(id) || id.charCodeAt(id.length - 1) % 3 !== 0) return undefined;
    refusedOnce.add(id);
    refused.add(r);
    return { status: 503 };
  });
  const deliveredIds = (rs: ReceivedRequest[]) => new Set(rs.filter((r) => r.path === '/wh' && !refused.has(r)).map((r) => JSON.parse(r.body).id as string));
  const dir = join(temp.dir, 'random');
  const commandLog = join(dir, 'command-runs.log');
  const configFile = writeTestConfig(dir, CONFIG);
  const ledger: Ledger = { acked: new Map(), unanswered: new Map(), filteredAnswers: 0, hooks: new Map(), webhooks: new Map(), sessions: [] };
  let daemon: ChildDaemon | undefined;
  let nonce = 0;
  let retried = 0;
  /** Every process of a killed daemon (its sandbox host, watchdog, commands): none may outlive it. */
  const left: ProcessInfo[] = [];
  const kills: string[] = [];
  try {
    daemon = await start(configFile);
    const recorders = await registerRecorders(daemon.url, receiver, commandLog);

    const KILLS = 5;
    for (let round = 0; round <= KILLS; round++) {
      const d: ChildDaemon = daemon;
      const call: Call = (method, path, body, options = {}) =>
        request(d.url, method, path, body, { token: ADMIN_TOKEN, ...options });
      // Posts that got no answer before the last kill are posted again under their ids.
      const retries = [...ledger.unanswered.entries()];
      ledger.unanswered.clear();
      retried += retries.length;
      for (const [id, post] of retries) {
        const res = await post(call);
        assert.ok(res, `the retry of ${id} got no answer from a running daemon`);
      }
      await resolveChurn(call, ledger);
      await checkChurnUsable(call, ledger);
      await resolveSessions(call, ledger);
      if (round === KILLS) break;

      let killed = false;
      const ops = {
        single: async () => {
          const id = random.next() < 0.7 ? `s-${seed}-${++nonce}` : undefined;
          const title = `t-${++nonce}`;
          await postEvents(call, ledger, [{ type: 'media.added', id, payload: { title } }], 'single');
        },
        batch: async () => {
          const events = Array.from({ length: random.int(2, 6) }, () => ({ type: 'media.added', id: random.next() < 0.7 ? `b-${seed}-${++nonce}` : undefined, payload: { title: `t-${++nonce}` } }));
          await postEvents(call, ledger, events, random.next() < 0.5 ? 'array' : 'ndjson');
        },
        wait: async () => {
          const id = `w-${seed}-${++nonce}`;
          await postEvents(call, ledger, [{ type: 'media.added', id, payload: { title: `t-${++nonce}` } }], 'wait');
        },
        radarr: async () => {
          const title = `t-${++nonce}`;
          const res = await cutOffAsUndefined(call('POST', '/integrations/radarr', { ...RADARR_BODY, movie: { ...RADARR_BODY.movie, title } }));
          if (!res) return; // never retried: the apps send no id, each request is one event
          assert.equal(res.status, 200, res.text);
          ledger.acked.set(res.body.id, `radarr.movie.added:${title}`);
          ledger.acked.set(res.body.normalized.id, `media.added:${title}`);
        },
      };
      const worker = async (kinds: (keyof typeof ops)[]) => {
        while (!killed) await ops[random.pick(kinds)]();
      };
      const churner = async () => {
        while (!killed) await (random.next() < 0.2 ? sessionOnce(call, ledger, random) : churnOnce(call, ledger, random, receiver));
      };
      const work = Promise.all([worker(['single', 'batch', 'radarr']), worker(['single', 'wait', 'batch']), worker(['wait', 'radarr', 'batch']), churner()]);
      const delay = schedule.int(150, 1200);
      await Promise.race([new Promise((r) => setTimeout(r, delay)), work]);
      killed = true;
      left.push(...processTree(d.child.pid!));
      d.child.kill('SIGKILL');
      kills.push(`round ${round}: after ${delay} ms`);
      assert.equal((await d.exited).signal, 'SIGKILL');
      await work;
      // Sometimes a kill while the daemon recovers: it is redispatching what the last one left.
      if (schedule.next() < 0.4) {
        const early = await spawnDaemon(configFile);
        const soon = schedule.int(0, 300);
        await new Promise((r) => setTimeout(r, soon));
        left.push(...processTree(early.child.pid!));
        early.child.kill('SIGKILL');
        await early.exited;
        kills.push(`round ${round}: again ${soon} ms after listening`);
      }
      daemon = await start(configFile);
    }

    // Settled: the daemon's own record says every event is done (its action hooks all ran)
    // and no delivery is owed; then the recorders' evidence is compared with it.
    const url = daemon.url;
    const call = (method: string, path: string, body?: unknown) => request(url, method, path, body, { token: ADMIN_TOKEN });
    await waitFor(async () => (await call('GET', '/events?status=pending&limit=1')).body.items.length === 0, 'no event pending', 60_000);
    const stored = await listEvents(call);
    const byKey = new Map<string, string[]>();
    // A hook's emits are at least once, like its run: only what was posted is counted here.
    const posted = stored.filter((e) => e.type !== EMITTED);
    for (const e of posted) byKey.set(keyOf(e), [...(byKey.get(keyOf(e)) ?? []), e.id]);
    for (const [key, ids] of byKey) assert.equal(ids.length, 1, `${key} is stored ${ids.length} times: ${ids.join(', ')}`);
    const storedIds = new Map(stored.map((e) => [e.id, e]));
    for (const [id, key] of ledger.acked) {
      const e = storedIds.get(id);
      assert.ok(e, `acknowledged event ${id} (${key}) is not stored`);
      assert.equal(keyOf(e), key, `event ${id} holds another payload`);
    }
    assert.ok(ledger.acked.size > 0 && ledger.filteredAnswers > 0, 'the workload acknowledged nothing: the test proved nothing');

    // Every stored event's action hooks ran: the module hook's call reached the receiver and
    // the command hook appended its id.
    const media = stored.filter((e) => e.type.startsWith('media.'));
    await receiver.waitFor((rs) => {
      const hooked = new Set(rs.filter((r) => r.path === '/hook').map((r) => r.body));
      const delivered = deliveredIds(rs);
      return stored.every((e) => hooked.has(e.id)) && media.every((e) => delivered.has(e.id));
    }, 30_000).catch(() => {
      const hooked = new Set(receiver.requests.filter((r) => r.path === '/hook').map((r) => r.body));
      const delivered = deliveredIds(receiver.requests);
      assert.fail(`module hook never ran for ${stored.filter((e) => !hooked.has(e.id)).map((e) => e.id).join(', ') || 'none'}; never delivered: ${media.filter((e) => !delivered.has(e.id)).map((e) => e.id).join(', ') || 'none'}`);
    });
    const commandRuns = new Set(readFileSync(commandLog, 'utf8').split('\n').filter(Boolean));
    const missed = stored.filter((e) => !commandRuns.has(e.id));
    assert.deepEqual(missed.map((e) => e.id), [], 'the command hook ran for every stored event');
    // The daemon's own record agrees: each recording hook has an ok run for each event.
    for (const e of stored) {
      const ev = await call('GET', `/events/${e.id}`);
      for (const hookId of recorders) {
        const runs = ev.body.invocations.filter((i: { hookId: string }) => i.hookId === hookId);
        assert.ok(runs.some((i: { status: string }) => i.status === 'ok'), `no ok run of ${hookId} recorded for ${e.id}: ${JSON.stringify(runs)}`);
      }
    }
    // An app's event and the media event derived from it are stored together or not at all.
    const appEvents = stored.filter((e) => e.type === 'radarr.movie.added');
    for (const app of appEvents) {
      const derived = stored.filter((e) => e.causationId === app.id);
      assert.equal(derived.length, 1, `radarr event ${app.id} has ${derived.length} media events`);
      assert.equal(keyOf(derived[0]!), `media.added:${app.payload.movie.title}`);
    }
    assert.equal(posted.filter((e) => e.causationId).length, appEvents.length, 'every derived event has its app event');
    // What an action hook emitted is stored however the daemon was killed after the hook ran.
    const emittedFor = new Set(stored.filter((e) => e.type === EMITTED).map((e) => e.causationId));
    const noEmit = posted.filter((e) => e.type === 'media.added' && !emittedFor.has(e.id));
    const emitRuns = await Promise.all(noEmit.map(async (e) => (await call('GET', `/events/${e.id}`)).body.invocations.filter((i: { hookName: string }) => i.hookName === 'emit-updated').map((i: { status: string }) => i.status)));
    assert.deepEqual(noEmit.map((e) => e.id), [], `${noEmit.length} media.added events are done but what their hook emitted is not stored (its runs: ${JSON.stringify(emitRuns)})`);

    // Each delivery is signed with the webhook's secret, and one event keeps one webhook-id.
    const verifier = new Webhook(SECRET);
    const webhookIds = new Map<string, Set<string>>();
    for (const r of receiver.requests.filter((x) => x.path === '/wh')) {
      verifier.verify(r.body, r.headers as Record<string, string>);
      const id = JSON.parse(r.body).id as string;
      webhookIds.set(id, (webhookIds.get(id) ?? new Set()).add(String(r.headers['webhook-id'])));
    }
    for (const [id, ids] of webhookIds) assert.equal(ids.size, 1, `event ${id} went out under several webhook-ids`);

    // The host notices its channel closed, the watchdog its pipe, the next start reaps commands.
    // (A pid counts only while it runs the same command: pids are reused.)
    const survivors = () => stillRunning(left.map((p) => p.pid)).filter((p) => left.some((l) => l.pid === p.pid && l.command === p.command));
    await waitFor(async () => survivors().length === 0, 'no process of a killed daemon left').catch(() => assert.fail(`left running: ${JSON.stringify(survivors())}`));
    assert.ok(refused.size > 0, 'no delivery was refused: retries were not exercised');
    t.diagnostic(`seed ${seed}; ${kills.length} kills (${kills.join('; ')}); ${ledger.acked.size} events acknowledged, ${stored.length} stored, ${retried} posts retried, ${refused.size} deliveries refused once; ${ledger.hooks.size} hooks, ${ledger.webhooks.size} webhooks and ${ledger.sessions.length} sessions changed`);
  } catch (err) {
    const output = daemon?.output().split('\n').slice(-30).join('\n') ?? '';
    throw new Error(`crash test failed with HOOKD_CRASH_SEED=${seed} (kills: ${kills.join('; ')}): ${(err as Error).message}\nlast daemon output:\n${output}`, { cause: err });
  } finally {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    await receiver.close();
  }
});

/** Starts `hookd serve` on the data dir and waits for /readyz 200: a restart needs no repair. */
async function start(configFile: string): Promise<ChildDaemon> {
  const d = await spawnDaemon(configFile);
  await waitFor(async () => (await request(d.url, 'GET', '/readyz')).status === 200, '/readyz 200 after the start');
  return d;
}

/** Registers the recording hooks, the filter and the webhook; answers the recording hooks' ids. */
async function registerRecorders(url: string, receiver: WebhookReceiver, commandLog: string): Promise<string[]> {
  const admin = (path: string, body: unknown) => request(url, 'POST', path, body, { token: ADMIN_TOKEN });
  const created = [
    await admin('/hooks', {
      name: 'record-module',
      events: RECORDED,
      mode: 'action',
      permissions: { net: ['127.0.0.1'] },
      source: `export default async (e, ctx) => { await ctx.fetch(${JSON.stringify(`${receiver.url}/hook`)}, { method: 'POST', body: e.id }); }`,
    }),
    await admin('/hooks', {
      name: 'record-command',
      kind: 'command',
      events: RECORDED,
      mode: 'action',
      // One short line appended with O_APPEND: concurrent runs never interleave inside it.
      command: ['/bin/sh', '-c', 'printf "%s\\n" "$HOOKD_EVENT_ID" >> "$0"', commandLog],
    }),
    await admin('/hooks', {
      name: 'mark-filtered',
      events: ['media.added'],
      mode: 'filter',
      source: 'export default () => ({ patch: { filtered: true } });',
    }),
    await admin('/hooks', {
      name: 'emit-updated',
      events: ['media.added'],
      mode: 'action',
      source: 'export default (e, ctx) => { ctx.emit("media.updated", { title: e.payload.title }); };',
    }),
    await admin('/webhooks', { url: `${receiver.url}/wh`, events: ['media.*'], secret: SECRET }),
  ];
  for (const res of created) assert.equal(res.status, 201, res.text);
  return [created[0]!.body.id, created[1]!.body.id];
}

type Call = (method: string, path: string, body?: unknown, options?: { raw?: string; headers?: Record<string, string>; token?: string | null }) => Promise<Reply>;

async function cutOffAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isCutOff(err)) return undefined;
    throw err;
  }
}

interface NewEvent {
  type: string;
  id: string | undefined;
  payload: { title: string };
}

/**
 * Posts events one way or another and books the answer: each acknowledged id, and each post
 * with ids that got no answer (posted again, the same way, after the restart).
 */
async function postEvents(call: Call, ledger: Ledger, events: NewEvent[], how: 'single' | 'wait' | 'array' | 'ndjson'): Promise<Reply | undefined> {
  const clean = events.map((e) => (e.id ? e : { type: e.type, payload: e.payload }));
  const send = () =>
    how === 'single'
      ? call('POST', '/events', clean[0])
      : how === 'wait'
        ? call('POST', '/events?wait=true', clean[0])
        : how === 'array'
          ? call('POST', '/events', clean)
          : call('POST', '/events', undefined, { raw: clean.map((e) => JSON.stringify(e)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
  const res = await cutOffAsUndefined(send());
  if (!res) {
    const withIds = events.filter((e) => e.id);
    if (withIds.length > 0) ledger.unanswered.set(withIds[0]!.id!, (next) => postEvents(next, ledger, withIds, how));
    return undefined;
  }
  const keyFor = (i: number) => `${events[i]!.type}:${events[i]!.payload.title}`;
  if (how === 'single') {
    assert.ok(res.status === 202 || res.status === 200, res.text);
    ledger.acked.set(res.body.id, keyFor(0));
  } else if (how === 'wait') {
    assert.equal(res.status, 200, res.text);
    // A retry of a post stored before its kill answers what was stored; a new one ran the chain.
    if (res.body.payload) {
      assert.equal(res.body.payload.filtered, true, res.text);
      ledger.filteredAnswers++;
    }
    ledger.acked.set(res.body.id, keyFor(0));
  } else {
    assert.equal(res.status, 207, res.text);
    for (const r of res.body.results) {
      assert.ok(r.status === 202 || r.status === 200, JSON.stringify(r));
      ledger.acked.set(r.id, keyFor(r.index));
    }
  }
  return res;
}

/** One random change to a hook or a webhook that nothing posted triggers; booked like a post. */
async function churnOnce(call: Call, ledger: Ledger, random: ReturnType<typeof createRandom>, receiver: WebhookReceiver): Promise<void> {
  const onHooks = random.next() < 0.5;
  const book = onHooks ? ledger.hooks : ledger.webhooks;
  const base = onHooks ? '/hooks' : '/webhooks';
  const live = [...book.entries()].filter(([, s]) => s.confirmed !== undefined && s.maybe === undefined);
  const action = live.length === 0 || random.next() < 0.4 ? 'create' : random.pick(['update', 'update', 'delete'] as const);
  if (action === 'create') {
    const name = `churn-${onHooks ? 'h' : 'w'}-${book.size}`;
    const value = random.int(1, 1000);
    const state: ChurnState = { maybe: value };
    book.set(name, state);
    const body = onHooks
      ? { name, events: [CHURN_HOOK_TYPE], mode: 'action', priority: value, source: churnSource(value) }
      : { url: `${receiver.url}/churn`, events: [CHURN_WEBHOOK_TYPE], description: `${name}:${value}` };
    const res = await cutOffAsUndefined(call('POST', base, body));
    if (!res) return;
    assert.equal(res.status, 201, res.text);
    Object.assign(state, { id: res.body.id, confirmed: value, maybe: undefined });
    return;
  }
  const [name, state] = random.pick(live);
  if (action === 'update') {
    const value = random.int(1, 1000);
    state.maybe = value;
    const res = await cutOffAsUndefined(call('PATCH', `${base}/${state.id}`, onHooks ? { priority: value, source: churnSource(value) } : { description: `${name}:${value}` }));
    if (!res) return;
    assert.equal(res.status, 200, res.text);
    Object.assign(state, { confirmed: value, maybe: undefined });
    return;
  }
  state.maybe = null;
  const res = await cutOffAsUndefined(call('DELETE', `${base}/${state.id}`));
  if (!res) return;
  assert.equal(res.status, 204, res.text);
  Object.assign(state, { confirmed: undefined, maybe: undefined });
}

/** Signs a dashboard session in, or one out; booked like a post. */
async function sessionOnce(call: Call, ledger: Ledger, random: ReturnType<typeof createRandom>): Promise<void> {
  const live = ledger.sessions.filter((x) => x.state === 'live');
  if (live.length > 0 && random.next() < 0.3) {
    const session = random.pick(live);
    session.state = 'maybe-out';
    const res = await cutOffAsUndefined(call('DELETE', '/session', undefined, { token: null, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } }));
    if (!res) return;
    assert.equal(res.status, 204, res.text);
    session.state = 'out';
    return;
  }
  const res = await cutOffAsUndefined(call('POST', '/session', { token: ADMIN_TOKEN }, { token: null }));
  if (!res) return;
  assert.equal(res.status, 200, res.text);
  const cookie = /hookd_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, res.headers.get('set-cookie') ?? 'no cookie');
  ledger.sessions.push({ cookie, csrf: res.body.csrfToken, state: 'live' });
}

/** After a restart: every session signed in is still there, every one signed out is gone. */
async function resolveSessions(call: Call, ledger: Ledger): Promise<void> {
  for (const session of ledger.sessions) {
    const res = await call('GET', '/session', undefined, { token: null, headers: { cookie: session.cookie } });
    if (session.state === 'maybe-out') session.state = res.status === 200 ? 'live' : 'out';
    assert.equal(res.status, session.state === 'live' ? 200 : 401, `a session ${session.state === 'live' ? 'signed in is lost' : 'signed out is back'}: ${res.text}`);
  }
}

/** A churned hook's source names its value: a dry run shows that its source and its row agree. */
const churnSource = (value: number) => `export default (e, ctx) => { ctx.log.info("churn ${value}"); };`;

/** The value a stored hook or webhook carries in the field the churn changes. */
function churnValue(onHooks: boolean, record: any): number {
  return onHooks ? record.priority : Number(String(record.description).split(':')[1]);
}

/**
 * After a restart: each changed hook and webhook is in its last acknowledged state, or (when a
 * change got no answer) in the state that change would have left; never anything else.
 */
async function resolveChurn(call: Call, ledger: Ledger): Promise<void> {
  for (const [onHooks, book] of [[true, ledger.hooks], [false, ledger.webhooks]] as const) {
    const res = await call('GET', onHooks ? '/hooks' : '/webhooks');
    assert.equal(res.status, 200, res.text);
    const items: any[] = Array.isArray(res.body) ? res.body : res.body.items;
    const byName = new Map<string, any>();
    for (const it of items) {
      const name = onHooks ? it.name : String(it.description ?? '').split(':')[0];
      if (!name.startsWith('churn-')) continue;
      assert.ok(!byName.has(name), `${name} is stored twice`);
      byName.set(name, it);
    }
    for (const name of byName.keys()) assert.ok(book.has(name), `${name} is stored but was never created`);
    for (const [name, state] of book) {
      const found = byName.get(name);
      const now = found ? churnValue(onHooks, found) : undefined;
      const allowed = [state.confirmed, ...(state.maybe === undefined ? [] : [state.maybe ?? undefined])];
      assert.ok(allowed.includes(now), `${name} is ${now === undefined ? 'gone' : `at ${now}`}; expected one of ${allowed.map(String).join(', ')}`);
      Object.assign(state, { id: found?.id ?? state.id, confirmed: now, maybe: undefined });
    }
  }
}

/** Every changed hook that is still there runs its latest source, and every such webhook sends. */
async function checkChurnUsable(call: Call, ledger: Ledger): Promise<void> {
  for (const [name, state] of ledger.hooks) {
    if (state.confirmed === undefined) continue;
    const res = await call('POST', `/hooks/${state.id}/test`, { type: CHURN_HOOK_TYPE, payload: { query: name } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'ok', `${name} does not run: ${res.text}`);
    assert.ok(JSON.stringify(res.body.logs).includes(`churn ${state.confirmed}`), `${name} at ${state.confirmed} runs another source: ${res.text}`);
  }
  for (const [name, state] of ledger.webhooks) {
    if (state.confirmed === undefined) continue;
    const res = await call('POST', `/webhooks/${state.id}/test`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true, `${name} does not send: ${res.text}`);
  }
}

interface StoredEvent {
  id: string;
  type: string;
  status: string;
  payload: any;
  causationId?: string;
}

async function listEvents(call: Call): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const res = await call('GET', `/events?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    all.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

test('kill -9 of the sandbox host and of a command hook\'s child: the daemon recovers, the runs in flight are recorded as failed, nothing else is lost', async (t) => {
  // Armed, the receiver kills the sandbox host as a module hook call tells it has started: that
  // call is then in flight for sure, whatever the machine's load.
  let killHostAtStart: (() => void) | undefined;
  let cutCall: string | undefined;
  const receiver = await startWebhookReceiver((r) => {
    if (r.path !== '/hook-start' || !killHostAtStart) return undefined;
    killHostAtStart();
    killHostAtStart = undefined;
    cutCall = r.body;
    return { delayMs: 50 };
  });
  const dir = join(temp.dir, 'children');
  const commandLog = join(dir, 'slow-command-runs.log');
  const configFile = writeTestConfig(dir, CONFIG);
  const daemon = await start(configFile);
  const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token: ADMIN_TOKEN });
  try {
    const created = [
      await call('POST', '/hooks', {
        name: 'busy-module',
        events: ['media.added'],
        mode: 'action',
        permissions: { net: ['127.0.0.1'] },
        source: `export default async (e, ctx) => {
          await ctx.fetch(${JSON.stringify(`${receiver.url}/hook-start`)}, { method: 'POST', body: e.id });
          await ctx.fetch(${JSON.stringify(`${receiver.url}/hook`)}, { method: 'POST', body: e.id });
        }`,
      }),
      await call('POST', '/hooks', {
        name: 'slow-command',
        kind: 'command',
        events: ['media.added'],
        mode: 'action',
        command: ['/bin/sh', '-c', 'sleep 0.2; printf "%s\\n" "$HOOKD_EVENT_ID" >> "$0"', commandLog],
      }),
      await call('POST', '/webhooks', { url: `${receiver.url}/wh`, events: ['media.*'], secret: SECRET }),
    ];
    for (const res of created) assert.equal(res.status, 201, res.text);
    const hooks = { module: created[0]!.body.id as string, command: created[1]!.body.id as string };

    const hostPid = () => processTree(daemon.child.pid!).find((p) => p.ppid === daemon.child.pid && p.command.endsWith('runtime/host/host.js'))?.pid;
    const acked: string[] = [];
    let posting = true;
    let posterFailure: unknown;
    const poster = (async () => {
      for (let i = 0; posting; i++) {
        const res = await call('POST', '/events', { type: 'media.added', payload: { title: `c-${i}` } });
        assert.equal(res.status, 202, res.text);
        acked.push(res.body.id);
        await new Promise((r) => setTimeout(r, 15));
      }
    })().catch((err) => {
      posterFailure = err;
    });
    // The poster's failure ends each wait below at once rather than after its bound.
    const unlessPosterFailed = <T>(probe: () => Promise<T>) => async () => {
      if (posterFailure) throw posterFailure;
      return probe();
    };
    // The command's shell, caught while it runs: its event is the one whose run is cut.
    const shell = await waitFor(unlessPosterFailed(async () => processTree(daemon.child.pid!).find((p) => p.command.startsWith('/bin/sh -c sleep') && p.command.includes(commandLog))), 'a running command hook');
    const cutEvent = /(?:^|\0)HOOKD_EVENT_ID=([^\0]+)/.exec(readFileSync(`/proc/${shell.pid}/environ`, 'utf8'))![1]!;
    process.kill(shell.pid, 'SIGKILL');
    const firstHost = hostPid();
    assert.ok(firstHost, `the sandbox host runs: ${JSON.stringify(processTree(daemon.child.pid!))}`);
    killHostAtStart = () => process.kill(firstHost, 'SIGKILL');
    await waitFor(unlessPosterFailed(async () => (hostPid() ?? firstHost) !== firstHost && (await request(daemon.url, 'GET', '/readyz')).status === 200), 'a new sandbox host, ready');
    const afterRestart = acked.length;
    await waitFor(unlessPosterFailed(async () => acked.length >= afterRestart + 5), 'events posted after the host restart');
    posting = false;
    await poster;
    if (posterFailure) throw posterFailure;

    await waitFor(async () => (await call('GET', '/events?status=pending&limit=1')).body.items.length === 0, 'no event pending', 60_000);
    const statuses = { module: new Map<string, string[]>(), command: new Map<string, string[]>() };
    for (const id of acked) {
      const ev = await call('GET', `/events/${id}`);
      assert.equal(ev.status, 200, `acknowledged event ${id} is stored`);
      assert.equal(ev.body.status, 'done');
      for (const kind of ['module', 'command'] as const) {
        statuses[kind].set(id, ev.body.invocations.filter((i: { hookId: string }) => i.hookId === hooks[kind]).map((i: { status: string }) => i.status));
      }
    }
    const hooked = new Set(receiver.requests.filter((r) => r.path === '/hook').map((r) => r.body));
    const appended = new Set(readFileSync(commandLog, 'utf8').split('\n').filter(Boolean));
    const summary = (kind: 'module' | 'command') => JSON.stringify(Object.fromEntries(statuses[kind]));
    for (const [id, runs] of statuses.module) {
      assert.ok(runs.length >= 1, `the module hook has no recorded run for ${id}: ${summary('module')}`);
      assert.ok(runs.every((s) => s === 'ok' || s === 'crashed'), `${id}: ${runs.join(', ')}`);
      if (runs.includes('ok')) assert.ok(hooked.has(id), `the module hook's run for ${id} is recorded ok but never reached the receiver`);
    }
    assert.deepEqual(statuses.module.get(cutCall!), ['crashed'], `the call in flight when the host died is recorded as crashed: ${summary('module')}`);
    for (const id of acked.slice(afterRestart)) assert.deepEqual(statuses.module.get(id), ['ok'], `after the host restart, ${id}`);
    for (const [id, runs] of statuses.command) {
      if (id === cutEvent) {
        assert.deepEqual(runs, ['error'], `the run whose shell was killed is recorded as failed: ${summary('command')}`);
        continue;
      }
      assert.deepEqual(runs, ['ok'], `${id}: ${summary('command')}`);
      assert.ok(appended.has(id), `the command hook's run for ${id} is recorded ok but appended nothing`);
    }
    await receiver.waitFor((rs) => {
      const delivered = new Set(rs.filter((r) => r.path === '/wh').map((r) => JSON.parse(r.body).id as string));
      return acked.every((id) => delivered.has(id));
    });
    const crashed = [...statuses.module.values()].filter((runs) => runs.includes('crashed')).length;
    t.diagnostic(`${acked.length} events; ${crashed} module runs cut by the host's death; the command run of ${cutEvent} cut`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nexit: ${JSON.stringify([daemon.child.exitCode, daemon.child.signalCode])}\nlast daemon output:\n${daemon.output().split('\n').slice(-40).join('\n')}`, { cause: err });
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    await receiver.close();
  }
});
