// @ts-check
// An action hook: runs after a download completes (the POST does not wait for it) and
// writes a line to the invocation log, visible in GET /hooks/:id/invocations.

/**
 * @param {import('../../types/hookd').HookEvent<'download.completed'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default function logDownload(event, ctx) {
  const { title, size } = event.payload;
  const megabytes = typeof size === 'number' ? ` (${(size / 1024 / 1024).toFixed(1)} MiB)` : '';
  ctx.log.info(`download completed: ${title}${megabytes}`);
}
