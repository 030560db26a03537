// Webhook bodies of the *arr apps (POST|PUT /integrations/{app}): stored by app, the app's
// eventType and whether the body was flagged; refused by app and error code. Every label is
// from a closed set (the registry's apps and eventTypes, hookd's error codes), so an app
// sending made-up eventTypes cannot grow the scrape.
import { Counter, type Registry } from 'prom-client';
import { isArrApp } from '../integrations/arr-apps.ts';
import { findAppEvent } from '../integrations/event-types.ts';
import { OTHER_LABEL } from './label-cap.ts';

export interface IntegrationMetrics {
  /** A body stored; flagged: an unknown eventType, a body its schema does not describe, or no media event derived. */
  stored(app: string, eventType: unknown, flagged: boolean): void;
  /** A request refused (401 included) with this error code. */
  refused(app: string, code: string): void;
}

const CODE = /^[A-Z][A-Z_]{0,39}$/;

export function defineIntegrationMetrics(registry: Registry): IntegrationMetrics {
  const stored = new Counter({
    name: 'hookd_integration_events_total',
    help: 'Webhook bodies of the *arr apps stored, by app, the eventType they sent (unknown: one hookd does not know, or none) and outcome (stored; flagged: stored, but unknown, off its schema or with no media event derived).',
    labelNames: ['app', 'event', 'outcome'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: 'hookd_integration_refused_total',
    help: 'Requests to /integrations/{app} refused, by app (other: not an app hookd knows) and error code.',
    labelNames: ['app', 'code'] as const,
    registers: [registry],
  });
  const appLabel = (app: string) => (isArrApp(app) ? app : OTHER_LABEL);
  return {
    stored: (app, eventType, flagged) => {
      if (!isArrApp(app)) return;
      stored.inc({ app, event: findAppEvent(app, eventType)?.eventType ?? 'unknown', outcome: flagged ? 'flagged' : 'stored' });
    },
    refused: (app, code) => refused.inc({ app: appLabel(app), code: CODE.test(code) ? code : OTHER_LABEL }),
  };
}
