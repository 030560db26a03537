// `hookd run-hook`'s human output: what ran, its logs and progress, its result (and for a
// filter the payload it leaves), then the outcome line with the error at the author's line.
import type { RunHookReport } from './hook-runner.ts';

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

function indent(text: string, by = '  '): string {
  return text.split('\n').map((line) => `${by}${line}`).join('\n');
}

export function formatReport(report: RunHookReport): string {
  const out: string[] = [];
  out.push(`${report.file}: ${report.mode} "${report.hook}"${report.kind === 'command' ? ' (command)' : ''} on ${report.event.type}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.logs.length > 0) {
    out.push('logs:');
    for (const line of report.logs) out.push(indent(`${line.level.padEnd(5)} ${line.message}`));
  }
  if (report.progress.length > 0) {
    out.push('progress:');
    for (const item of report.progress) {
      const parts = [item.key ? `[${item.key}]` : '', item.pct === undefined ? '' : `${item.pct}%`, item.message ?? '', item.data === undefined ? '' : JSON.stringify(item.data)];
      out.push(indent(parts.filter(Boolean).join(' ')));
    }
  }
  for (const e of report.emitted ?? []) out.push(`emitted: ${e.type} ${JSON.stringify(e.payload)}`);
  if ('result' in report) out.push('result:', indent(json(report.result)));
  else if (report.status === 'ok') out.push('result: (nothing)');
  if (report.payload !== undefined) {
    out.push(report.changed ? 'payload after this filter:' : 'payload after this filter (unchanged):', indent(json(report.payload)));
  }
  const took = `${report.durationMs.toFixed(1)} ms`;
  if (report.status === 'ok') {
    out.push(`ok in ${took}`);
  } else {
    const error = report.error;
    const where = error?.line === undefined ? '' : ` (${report.file}:${error.line}:${error.column ?? 0})`;
    out.push(`${report.status} in ${took}${where}: ${error?.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error?.message ?? 'no details'}`);
    const frames = error?.stack?.split('\n').slice(1) ?? [];
    if (frames.length > 0) out.push(frames.join('\n'));
  }
  return `${out.join('\n')}\n`;
}
