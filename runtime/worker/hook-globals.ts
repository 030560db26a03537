// The globals a hook's Compartment gets on top of the JavaScript intrinsics: a console bound
// to the current call's log, web-standard helpers that carry no authority (bounded: each refuses
// an input its native code could not allocate for, see native-budget.ts), and working
// Date.now()/Math.random(). Worker-only (needs lockdown()'s `harden`).
import type { CallSlot } from '../capabilities/call.ts';
import { createBoundedText } from './bounded-text.ts';
import { createBoundedUrl } from './bounded-url.ts';
import { createStructuredClone } from './structured-clone.ts';
import { checkExternalMemory } from './external-memory.ts';
import type { LogLevel } from './log-sink.ts';

const CONSOLE_METHODS: ReadonlyArray<[string, LogLevel]> = [
  ['log', 'info'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['trace', 'debug'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['dir', 'info'],
];

// Writes to the running call's log; between calls (a stray callback) it writes nowhere.
function createHookConsole(call: CallSlot): Record<string, (...args: unknown[]) => void> {
  const hookConsole: Record<string, (...args: unknown[]) => void> = {};
  for (const [method, level] of CONSOLE_METHODS) {
    hookConsole[method] = (...args: unknown[]) => {
      checkExternalMemory(call, `console.${method}`);
      call.current?.log.write(level, args);
    };
  }
  return harden(hookConsole);
}

let shared: Record<string, unknown> | undefined;

// Built once per worker, after lockdown(): hardened, because every compartment in this
// worker shares them and one hook must not change what another one sees.
function sharedGlobals(): Record<string, unknown> {
  shared ??= harden({
    // The start compartment's Date and Math: SES makes the shared ones throw on now()/random().
    Date: globalThis.Date,
    Math: globalThis.Math,
  });
  return shared;
}

/**
 * Endowments for one hook's Compartment. The bounded helpers are this compartment's own (their
 * refusals name the running call's limit profile), hardened like the rest.
 */
export function createHookGlobals(call: CallSlot): Record<string, unknown> {
  return {
    ...sharedGlobals(),
    ...harden({ ...createBoundedText(call), ...createBoundedUrl(call), structuredClone: createStructuredClone(call) }),
    console: createHookConsole(call),
  };
}
