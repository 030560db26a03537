// @ts-check
// An action hook using ctx.fetch: when a download completes, POST a notification to a Home
// Assistant webhook (or any URL that takes JSON). Does nothing until NOTIFY_URL is set (in the
// config's `secrets:` or hookd's environment) and its host is listed in permissions.net.

export const config = {
  description: 'Notifies Home Assistant (or any JSON webhook) when a download completes',
  permissions: {
    // ctx.fetch reaches these hosts only; add yours (e.g. "192.168.1.20:8123").
    net: ['localhost:8123', 'homeassistant.local:8123'],
    // e.g. NOTIFY_URL=http://homeassistant.local:8123/api/webhook/hookd-downloads
    env: ['NOTIFY_URL'],
  },
};

/** @param {number | undefined} bytes */
function formatSize(bytes) {
  if (typeof bytes !== 'number') return '';
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? ` (${gib.toFixed(1)} GiB)` : ` (${(bytes / 1024 ** 2).toFixed(0)} MiB)`;
}

/**
 * @param {import('../../types/hookd').HookEvent<'download.completed'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default async function notify(event, ctx) {
  // An unset variable is not granted at all: test with `in` (reading it would throw).
  const url = ctx.env && 'NOTIFY_URL' in ctx.env ? ctx.env.NOTIFY_URL : undefined;
  if (!url || !ctx.fetch) {
    ctx.log.info('not configured: set NOTIFY_URL (config secrets: or environment) to send notifications');
    return { sent: false };
  }
  const { title, size, path } = event.payload;
  const res = await ctx.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Download completed',
      message: `${title}${formatSize(size)}`,
      data: { eventId: event.id, title, path: path ?? null, size: size ?? null },
    }),
  });
  const host = new URL(url).host;
  if (!res.ok) throw new Error(`${host} answered ${res.status} ${res.statusText}`);
  ctx.log.info(`notified ${host} about "${title}"`);
  return { sent: true, status: res.status };
}
