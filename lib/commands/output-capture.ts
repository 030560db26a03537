// Collects a command's stdout and stderr as log lines, in arrival order, with secrets redacted
// and each stream within the runtime's log budget (bytes as stored and lines, the rule module
// hooks follow too); the rest is only counted, so a chatty program cannot fill memory or the
// invocation log. Also keeps stdout's first bytes (the JSON result) and stderr's last bytes.
import { StringDecoder } from 'node:string_decoder';
import { createLogBudget, describeDropped, type LogBudget, type LogLine, type Redactor } from '../../runtime/index.ts';

const STDERR_TAIL_BYTES = 1024;

export interface OutputCaptureOptions {
  /** Per stream: the log lines' bytes as stored, and the most stdout read as the result. */
  maxBytes: number;
  /** Per stream: log lines kept. */
  maxLines: number;
  /** Secret values out of every line, the result and the stderr tail; none when absent. */
  redact?: Redactor;
}

interface StreamState {
  name: 'stdout' | 'stderr';
  level: LogLine['level'];
  decoder: StringDecoder;
  partial: string;
  budget: LogBudget;
  /** Bytes never kept as lines: after the budget was spent, or refused by it. */
  droppedBytes: number;
}

export interface CapturedOutput {
  logs: LogLine[];
  truncated: boolean;
  /** stdout as kept; `stdoutComplete` is false when there was more than maxBytes of it. */
  stdout: string;
  stdoutComplete: boolean;
  /** The last bytes of stderr (whole lines when it was longer), redacted. */
  stderrTail: string;
}

export function createOutputCapture(options: OutputCaptureOptions) {
  const { maxBytes, redact } = options;
  const logs: LogLine[] = [];
  const stdoutKept: Buffer[] = [];
  let stdoutBytes = 0;
  let stderrTail = Buffer.alloc(0);
  let stderrTrimmed = false;
  // A line longer than this is kept now (the budget cuts it): a secret that starts inside the
  // part kept ends inside the line, so it is redacted whole.
  const longLine = maxBytes + (redact?.longest ?? 0);
  const stream = (name: StreamState['name'], level: LogLine['level']): StreamState => ({
    name, level, decoder: new StringDecoder('utf8'), partial: '', budget: createLogBudget(options), droppedBytes: 0,
  });
  const streams = { stdout: stream('stdout', 'info'), stderr: stream('stderr', 'warn') };

  function keep(s: StreamState, line: string): void {
    const kept = s.budget.admit(s.level, redact ? redact.text(line) : line, new Date().toISOString());
    if (kept) logs.push(kept);
    else s.droppedBytes += Buffer.byteLength(line, 'utf8') + 1;
  }

  function split(s: StreamState, text: string, final: boolean): void {
    let rest = s.partial + text;
    let start = 0;
    for (let end = rest.indexOf('\n'); end >= 0 && !s.budget.full; end = rest.indexOf('\n', start)) {
      const line = rest.slice(start, end);
      keep(s, line.endsWith('\r') ? line.slice(0, -1) : line);
      start = end + 1;
    }
    rest = rest.slice(start);
    if (!s.budget.full && (final ? rest !== '' : rest.length > longLine)) {
      keep(s, rest);
      rest = '';
    }
    if (s.budget.full) {
      s.droppedBytes += Buffer.byteLength(rest, 'utf8');
      rest = '';
    }
    s.partial = rest;
  }

  function add(s: StreamState, chunk: Buffer): void {
    if (s.name === 'stdout' && stdoutBytes <= maxBytes) {
      // One byte past the cap is enough to know the result is incomplete.
      const part = chunk.subarray(0, maxBytes + 1 - stdoutBytes);
      stdoutKept.push(part);
      stdoutBytes += part.length;
    }
    if (s.name === 'stderr') {
      stderrTail = Buffer.concat([stderrTail, chunk]);
      if (stderrTail.length > STDERR_TAIL_BYTES) {
        stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
        stderrTrimmed = true;
      }
    }
    // Once spent, output is only counted: no decoding, no splitting (`yes` costs nothing more).
    if (s.budget.full) s.droppedBytes += chunk.length;
    else split(s, s.decoder.write(chunk), false);
  }

  // The tail starts at a line boundary when it was cut, so no secret is left in part.
  function tailText(): string {
    let tail = stderrTail;
    if (stderrTrimmed) {
      const newline = tail.indexOf(10);
      tail = newline >= 0 ? tail.subarray(newline + 1) : tail.subarray(Math.min(tail.length, 3 * (redact?.longest ?? 0)));
    }
    const text = new StringDecoder('utf8').end(tail).trim();
    return redact ? redact.text(text) : text;
  }

  function marker(): LogLine | undefined {
    const spent = [streams.stdout, streams.stderr].filter((s) => s.budget.full);
    if (spent.length === 0) return undefined;
    const parts = spent.map((s) => `${s.name}: ${describeDropped(s.budget, s.droppedBytes)}`);
    const unused = stdoutBytes > maxBytes ? '; stdout over commands.maxOutput is not used as the result' : '';
    const message = `output truncated at ${maxBytes} bytes as stored or ${options.maxLines} lines per stream (config commands.maxOutput, commands.maxOutputLines): ${parts.join('; ')}${unused}`;
    return { level: 'warn', message, at: new Date().toISOString() };
  }

  return {
    stdout: (chunk: Buffer) => add(streams.stdout, chunk),
    stderr: (chunk: Buffer) => add(streams.stderr, chunk),
    finish(): CapturedOutput {
      for (const s of [streams.stdout, streams.stderr]) {
        if (!s.budget.full) split(s, s.decoder.end(), true);
      }
      const note = marker();
      if (note) logs.push(note);
      const stdoutComplete = stdoutBytes <= maxBytes;
      return {
        logs,
        truncated: note !== undefined,
        stdout: stdoutComplete ? new StringDecoder('utf8').end(Buffer.concat(stdoutKept)) : '',
        stdoutComplete,
        stderrTail: tailText(),
      };
    },
  };
}

export type OutputCapture = ReturnType<typeof createOutputCapture>;
