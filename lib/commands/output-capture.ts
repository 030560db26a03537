// Collects a command's stdout and stderr as log lines, in arrival order, keeping the first
// `maxBytes` of each stream and counting the rest, so a chatty program cannot fill memory or the
// invocation log. Also keeps stdout's text (for the JSON result) and stderr's last bytes.
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../../runtime/protocol.ts';

const STDERR_TAIL_BYTES = 1024;

interface StreamState {
  name: 'stdout' | 'stderr';
  level: LogLine['level'];
  decoder: StringDecoder;
  partial: string;
  kept: number;
  dropped: number;
}

export interface CapturedOutput {
  logs: LogLine[];
  truncated: boolean;
  /** stdout as kept; `stdoutComplete` is false when some of it was dropped. */
  stdout: string;
  stdoutComplete: boolean;
  /** The last bytes of stderr, whether or not the cap dropped them from the logs. */
  stderrTail: string;
}

export function createOutputCapture(maxBytes: number) {
  const logs: LogLine[] = [];
  const stdoutChunks: string[] = [];
  let stderrTail = Buffer.alloc(0);
  const streams = {
    stdout: { name: 'stdout', level: 'info', decoder: new StringDecoder('utf8'), partial: '', kept: 0, dropped: 0 } as StreamState,
    stderr: { name: 'stderr', level: 'warn', decoder: new StringDecoder('utf8'), partial: '', kept: 0, dropped: 0 } as StreamState,
  };

  function emitLines(s: StreamState, text: string, final: boolean): void {
    const lines = (s.partial + text).split('\n');
    s.partial = final ? '' : lines.pop()!;
    const at = new Date().toISOString();
    for (const line of lines) {
      if (final && line === '' && lines.length === 1) continue;
      logs.push({ level: s.level, message: line.endsWith('\r') ? line.slice(0, -1) : line, at });
    }
  }

  function add(s: StreamState, chunk: Buffer): void {
    if (s.name === 'stderr') {
      stderrTail = Buffer.concat([stderrTail, chunk]);
      if (stderrTail.length > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
    }
    const room = maxBytes - s.kept;
    const keep = room >= chunk.length ? chunk : chunk.subarray(0, Math.max(0, room));
    s.dropped += chunk.length - keep.length;
    if (keep.length === 0) return;
    s.kept += keep.length;
    const text = s.decoder.write(keep);
    if (s.name === 'stdout') stdoutChunks.push(text);
    emitLines(s, text, false);
  }

  return {
    stdout: (chunk: Buffer) => add(streams.stdout, chunk),
    stderr: (chunk: Buffer) => add(streams.stderr, chunk),
    finish(): CapturedOutput {
      for (const s of [streams.stdout, streams.stderr]) {
        const rest = s.decoder.end();
        if (s.name === 'stdout') stdoutChunks.push(rest);
        emitLines(s, rest, true);
      }
      for (const s of [streams.stdout, streams.stderr]) {
        if (s.dropped > 0) {
          logs.push({ level: 'warn', message: `${s.name} truncated: kept the first ${s.kept} bytes, discarded ${s.dropped} more (config commands.maxOutput)${s.name === 'stdout' ? '; a truncated stdout is not used as the result' : ''}`, at: new Date().toISOString() });
        }
      }
      return {
        logs,
        truncated: streams.stdout.dropped + streams.stderr.dropped > 0,
        stdout: stdoutChunks.join(''),
        stdoutComplete: streams.stdout.dropped === 0,
        stderrTail: new StringDecoder('utf8').end(stderrTail).trim(),
      };
    },
  };
}

export type OutputCapture = ReturnType<typeof createOutputCapture>;
