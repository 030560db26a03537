// TextEncoder, TextDecoder, atob and btoa for hooks: Node's own, behind a check of the input's
// size against the native budget (native-budget.ts), made before native code allocates.
// Classes that hold the native object, not subclasses: a subclass would hand a hook the
// unbounded parent through Object.getPrototypeOf. Worker-only.
import { TextDecoder as NativeDecoder, TextEncoder as NativeEncoder, types } from 'node:util';
import type { CallSlot } from '../capabilities/call.ts';
import { assertNativeFits } from './native-budget.ts';
import { STRING_BYTES_PER_CHAR } from './heap-budget.ts';

/** Worst case per character: UTF-8 takes up to 3 bytes, and native code first flattens the string. */
export const BYTES_PER_CHAR = 3;
const nativeAtob = globalThis.atob;
const nativeBtoa = globalThis.btoa;
const lengthGetter = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
const TYPED_BYTES = lengthGetter(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteLength');
const VIEW_BYTES = lengthGetter(DataView.prototype, 'byteLength');
const BUFFER_BYTES = lengthGetter(ArrayBuffer.prototype, 'byteLength');
const SHARED_BYTES = lengthGetter(SharedArrayBuffer.prototype, 'byteLength');

/** `value` as the string native code would get, refused first when it is over the budget. */
export function boundedString(call: CallSlot, what: string, value: unknown): string {
  const text = `${value as string}`;
  assertNativeFits(call, what, `a string of ${text.length} characters`, text.length * BYTES_PER_CHAR);
  return text;
}

// Read with the intrinsics' getters: a subclass's byteLength cannot under-report.
function byteLengthOf(input: unknown): number {
  if (types.isTypedArray(input)) return Reflect.apply(TYPED_BYTES, input, []) as number;
  if (types.isDataView(input)) return Reflect.apply(VIEW_BYTES, input, []) as number;
  if (types.isArrayBuffer(input)) return Reflect.apply(BUFFER_BYTES, input, []) as number;
  if (types.isSharedArrayBuffer(input)) return Reflect.apply(SHARED_BYTES, input, []) as number;
  return 0; // not a buffer: the native decoder throws its own TypeError
}

/** The hook's TextEncoder, TextDecoder, atob and btoa, charged to the call in `call`. */
export function createBoundedText(call: CallSlot) {
  class TextEncoder {
    #native = new NativeEncoder();
    get encoding(): string {
      return this.#native.encoding;
    }
    encode(input: unknown = ''): Uint8Array {
      return this.#native.encode(boundedString(call, 'TextEncoder.encode', input));
    }
    encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
      return this.#native.encodeInto(boundedString(call, 'TextEncoder.encodeInto', source), destination);
    }
  }

  class TextDecoder {
    #native: InstanceType<typeof NativeDecoder>;
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) {
      this.#native = new NativeDecoder(label, options);
    }
    get encoding(): string {
      return this.#native.encoding;
    }
    get fatal(): boolean {
      return this.#native.fatal;
    }
    get ignoreBOM(): boolean {
      return this.#native.ignoreBOM;
    }
    // A byte can become a UTF-16 code unit: 2 bytes of string per input byte.
    decode(input?: unknown, options?: { stream?: boolean }): string {
      const bytes = byteLengthOf(input);
      assertNativeFits(call, 'TextDecoder.decode', `a buffer of ${bytes} bytes`, bytes * STRING_BYTES_PER_CHAR);
      return this.#native.decode(input as ArrayBuffer, options);
    }
  }

  // Rest parameters keep the natives' own missing-argument errors.
  function atob(...args: unknown[]): string {
    if (args.length > 0) args[0] = boundedString(call, 'atob', args[0]);
    return Reflect.apply(nativeAtob, undefined, args) as string;
  }
  function btoa(...args: unknown[]): string {
    if (args.length > 0) args[0] = boundedString(call, 'btoa', args[0]);
    return Reflect.apply(nativeBtoa, undefined, args) as string;
  }

  return { TextEncoder, TextDecoder, atob, btoa };
}
