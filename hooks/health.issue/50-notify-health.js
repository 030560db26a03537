// @ts-check
// An action hook for the apps' health checks: when Radarr, Sonarr, ... report a health issue
// (their Health webhook, normalized as health.issue), POST it to a notifier (Home Assistant, ntfy,
// any URL that takes JSON) with ctx.fetch. Without NOTIFY_URL it logs the issue, at the issue's
// level, in its invocation log.

export const config = {
  description: 'Notifies about health issues the *arr apps report',
  permissions: {
    // ctx.fetch reaches these hosts only; add yours (e.g. "ntfy.sh", "192.168.1.20:8123").
    net: ['localhost:8123', 'homeassistant.local:8123'],
    env: ['NOTIFY_URL'],
  },
};

/**
 * @param {import('../../types/hookd').HookEvent<'health.issue'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default async function notifyHealth(event, ctx) {
  const payload = /** @type {Record<string, any>} */ (event.payload);
  const app = payload.instanceName ?? payload.app ?? 'an application';
  const level = payload.level ?? 'warning';
  const text = `${app}: ${payload.message}${payload.wikiUrl ? ` (${payload.wikiUrl})` : ''}`;
  const url = ctx.env && 'NOTIFY_URL' in ctx.env ? ctx.env.NOTIFY_URL : undefined;
  if (!url || !ctx.fetch) {
    (level === 'error' ? ctx.log.error : level === 'info' ? ctx.log.info : ctx.log.warn)(`health ${level}: ${text}`);
    return { sent: false };
  }
  const res = await ctx.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: `Health ${level}`, message: text, data: { eventId: event.id, app: payload.app ?? null, source: payload.source ?? null, level } }),
  });
  if (!res.ok) throw new Error(`${new URL(url).host} answered ${res.status} ${res.statusText}`);
  return { sent: true, status: res.status };
}
