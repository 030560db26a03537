// Collects the daemon's JSON log lines in memory so tests can assert on them.
import { Writable } from 'node:stream';

export interface LogSink {
  stream: Writable;
  lines(): Array<Record<string, unknown>>;
  text(): string;
}

export function createLogSink(): LogSink {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
