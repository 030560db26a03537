// What hookd does with one body an *arr app sent: stores it as the app's own event type (or
// <app>.unknown) exactly as it came, derives the normalized media event when it can, and
// commits both together (the normalized one names the body's event as its causation). It
// refuses nothing: a body it does not understand is stored and flagged, because an app that
// gets an error drops the events that follow (its webhook never retries).
import type { Catalog } from '../catalog.ts';
import type { EventRecord, InsertResult } from '../db/events-store.ts';
import { newEventId, type RaisedEvent } from '../events/index.ts';
import { findTooDeep } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import type { IntegrationMetrics } from '../metrics/index.ts';
import type { ArrApp } from './arr-apps.ts';
import { findAppEvent, unknownTypeOf } from './event-types.ts';
import { normalizeBody, type Json } from './normalize/index.ts';

/** Why a stored body deserves a look; listed in the answer and the log, and counted. */
export interface Flag {
  flag: 'not-an-object' | 'unknown-event-type' | 'schema-mismatch' | 'not-normalized';
  message: string;
  problems?: Array<{ pointer: string; message: string }>;
}

export interface Received {
  raw: EventRecord;
  normalized?: EventRecord;
  flags: Flag[];
}

export interface ReceiverDeps {
  catalog: Catalog;
  /** Stores events together, schema not enforced: the event service's raiseAll. */
  raiseAll: (inputs: RaisedEvent[]) => Promise<InsertResult[]>;
  /** config events.maxDepth: the normalized payload holds the body one level deeper. */
  maxDepth: number;
  log: Logger;
  metrics: IntegrationMetrics;
}

export interface Delivery {
  app: ArrApp;
  /** The URL's {instance} segment, "default" without one. */
  instance: string;
  body: unknown;
  /** The name of the token that authenticated it. */
  source: string;
}

// A body far off its schema lists every problem; the answer and the log carry the first ones.
const MAX_PROBLEMS = 20;

export function createReceiver(deps: ReceiverDeps) {
  const isBusiness = (type: string) => deps.catalog.get(type)?.kind === 'business';

  /** The normalized event's record input, or the flag that says why there is none. */
  function derive(d: Delivery, body: Json, causationId: string): { input?: RaisedEvent; flag?: Flag } {
    let derived: ReturnType<typeof normalizeBody>;
    try {
      derived = normalizeBody(d.app, d.instance, body);
    } catch (err) {
      deps.log.error({ err, app: d.app, eventType: body.eventType }, 'normalizing an integration body failed');
      return { flag: { flag: 'not-normalized', message: 'no media event could be derived from this body (see the daemon log)' } };
    }
    if (!derived) return {};
    const refuse = (why: string, problems?: Flag['problems']): { flag: Flag } => ({
      flag: { flag: 'not-normalized', message: `no ${derived!.type} event was raised: ${why}`, ...(problems ? { problems } : {}) },
    });
    if (!isBusiness(derived.type)) return refuse(`the catalog has no business type "${derived.type}"`);
    const problems = deps.catalog.validate(derived.type, derived.payload);
    if (problems.length > 0) return refuse(`its payload does not match the schema of ${derived.type} (${describeProblems(problems)})`, problems.slice(0, MAX_PROBLEMS));
    if (findTooDeep(derived.payload, deps.maxDepth) !== undefined) return refuse(`it would nest more than ${deps.maxDepth} levels (config events.maxDepth)`);
    const source = `integration:${d.app}/${d.instance}`;
    return { input: { type: derived.type, payload: derived.payload, source, causationId, depth: 1 } };
  }

  return async function receive(d: Delivery): Promise<Received> {
    const flags: Flag[] = [];
    const isObject = typeof d.body === 'object' && d.body !== null && !Array.isArray(d.body);
    const eventType = isObject ? (d.body as Json).eventType : undefined;
    const appEvent = findAppEvent(d.app, eventType);
    const type = appEvent && isBusiness(appEvent.type) ? appEvent.type : unknownTypeOf(d.app);
    if (!isObject) {
      flags.push({ flag: 'not-an-object', message: `the body is ${describeValue(d.body)}, not the JSON object ${d.app} sends: stored as ${type}` });
    } else if (!appEvent) {
      const what = typeof eventType === 'string' ? `eventType ${JSON.stringify(eventType.slice(0, 100))} is not one hookd knows for ${d.app}` : 'the body has no string "eventType"';
      flags.push({ flag: 'unknown-event-type', message: `${what}: stored as ${type}, as it came` });
    }
    const problems = deps.catalog.validate(type, d.body);
    if (problems.length > 0) {
      flags.push({
        flag: 'schema-mismatch',
        message: `the body does not match the schema of ${type} (${describeProblems(problems)}): stored as sent`,
        problems: problems.slice(0, MAX_PROBLEMS),
      });
    }
    const id = newEventId();
    const inputs: RaisedEvent[] = [{ id, type, payload: d.body, source: d.source }];
    if (isObject && appEvent) {
      const { input, flag } = derive(d, d.body as Json, id);
      if (input) inputs.push(input);
      if (flag) flags.push(flag);
    }
    const [raw, normalized] = await deps.raiseAll(inputs);
    const received: Received = { raw: raw!.event, ...(normalized ? { normalized: normalized.event } : {}), flags };
    report(d, received, appEvent?.eventType);
    return received;
  };

  function report(d: Delivery, r: Received, eventType: string | undefined): void {
    deps.metrics.stored(d.app, eventType, r.flags.length > 0);
    const fields = {
      app: d.app,
      instance: d.instance,
      eventId: r.raw.id,
      type: r.raw.type,
      ...(r.normalized ? { normalizedId: r.normalized.id, normalizedType: r.normalized.type } : {}),
    };
    if (r.flags.length > 0) deps.log.warn({ ...fields, flags: r.flags.map((f) => f.message) }, 'integration body stored, but flagged');
    else if (eventType === 'Test') deps.log.info({ ...fields, instanceName: (d.body as Json).instanceName }, `${d.app} webhook test received: the connection works`);
    else deps.log.debug(fields, 'integration body stored');
  }
}

export type Receiver = ReturnType<typeof createReceiver>;

function describeProblems(problems: Array<{ pointer: string; message: string }>): string {
  const shown = problems.slice(0, 3).map((p) => `${p.pointer || '/'} ${p.message}`).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
