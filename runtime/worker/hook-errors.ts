// Turns whatever a hook threw into plain error data, with a stack in the hook's own file and
// line numbers. Runs in the worker, outside the compartment: it can read real stacks via
// SES's start-compartment `getStackString`, which hooks cannot.
import type { OutcomeError } from '../protocol.ts';

type GetStackString = (error: Error) => string;

/** Where a hook's code lives: its name in V8 stacks, and the author's name for it. */
export interface HookLocation {
  sourceUrl: string;
  filename: string;
  lineOneOffset: number;
}

const MAX_MESSAGE = 4_000;

function safeString(value: unknown, fallback: string): string {
  try {
    const text = typeof value === 'symbol' ? value.toString() : String(value);
    return typeof text === 'string' ? text.slice(0, MAX_MESSAGE) : fallback;
  } catch {
    return fallback;
  }
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy's getPrototypeOf trap threw
  }
}

/**
 * Keeps only the frames that point into the hook (named by the sourceURL client/compile.ts appended),
 * rewritten to the author's filename. Host paths never appear.
 */
export function mapHookStack(
  rawStack: string,
  where: HookLocation,
): { frames: string[]; line?: number; column?: number } {
  const { sourceUrl, filename, lineOneOffset } = where;
  const frames: string[] = [];
  let line: number | undefined;
  let column: number | undefined;
  const marker = `${sourceUrl}:`;
  for (const raw of rawStack.split('\n')) {
    const index = raw.indexOf(marker);
    if (index < 0) continue;
    const loc = /^(\d+):(\d+)/.exec(raw.slice(index + marker.length));
    if (!loc) continue;
    const frameLine = Number(loc[1]);
    let frameColumn = Number(loc[2]);
    if (frameLine === 1 && frameColumn > lineOneOffset) frameColumn -= lineOneOffset;
    const fn = /^\s*at (?:Proxy\.)?([^\s(]+) \(/.exec(raw)?.[1];
    const at = `${filename}:${frameLine}:${frameColumn}`;
    frames.push(fn && fn !== 'eval' ? `    at ${fn} (${at})` : `    at ${at}`);
    if (line === undefined) {
      line = frameLine;
      column = frameColumn;
    }
  }
  return { frames, line, column };
}

/** What a thrown value becomes: never the value itself (it may not be cloneable, or may be hostile). */
export function toPlainError(thrown: unknown, where: HookLocation): OutcomeError {
  if (!isError(thrown)) {
    return { name: 'Error', message: `hook threw a non-Error value: ${safeString(thrown, '[unprintable value]')}` };
  }
  let name = 'Error';
  let message = '';
  try {
    name = safeString(thrown.name, 'Error');
    message = safeString(thrown.message, '[unprintable message]');
  } catch {
    message = '[unprintable message]';
  }
  const result: OutcomeError = { name, message };
  try {
    const getStackString = (globalThis as { getStackString?: GetStackString }).getStackString;
    const raw = getStackString ? getStackString(thrown) : '';
    const { frames, line, column } = mapHookStack(raw, where);
    result.stack = [`${name}: ${message}`, ...frames].join('\n');
    if (line !== undefined) result.line = line;
    if (column !== undefined) result.column = column;
  } catch {
    // no stack is better than a failed call
  }
  return result;
}

/** An ArrayBuffer allocation refused by the memory rlimit: the sandbox is out of memory. */
export function isAllocationFailure(error: OutcomeError): boolean {
  return error.name === 'RangeError' && /Array buffer allocation failed/.test(error.message);
}
