// structuredClone for hooks, in JavaScript: Node's native one builds the whole copy inside C++,
// where a worker at its heap limit aborts the sandbox host. Here the copy is ordinary
// (interruptible) JavaScript, counted as it grows and refused past the native budget.
// Follows the HTML structured clone algorithm for what a hook can hold. Worker-only.
import { types } from 'node:util';
import type { CallSlot } from '../capabilities/call.ts';
import { hookError } from '../capabilities/capability-errors.ts';
import { ALWAYS_FITS, STRING_BYTES_PER_CHAR } from './heap-budget.ts';
import { overBudgetError } from './native-budget.ts';

// Rough V8 sizes: an object or array header, and one property, element or collection entry.
const OBJECT_BYTES = 64;
const ENTRY_BYTES = 16;
const ERROR_NAMES = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError']);
const ERROR_CLASSES: Record<string, ErrorConstructor> = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
const nativeClone = globalThis.structuredClone;
const hasOwn = Object.hasOwn;
const INHERITED_NAMES = new Set<string>(Object.getOwnPropertyNames(Object.prototype));
// The intrinsics' own methods and getters: a subclass or an own property cannot lie to them.
const uncurry = (fn: Function) => (self: unknown, ...args: unknown[]): any => Reflect.apply(fn, self, args);
const getter = (proto: object, name: string) => uncurry(Object.getOwnPropertyDescriptor(proto, name)!.get!);
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const dateTime = uncurry(Date.prototype.getTime);
const regExpSource = getter(RegExp.prototype, 'source');
const regExpFlags = getter(RegExp.prototype, 'flags');
const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');
const bufferSlice = uncurry(ArrayBuffer.prototype.slice);
const typedBuffer = getter(TypedArrayPrototype, 'buffer');
const typedOffset = getter(TypedArrayPrototype, 'byteOffset');
const typedLength = getter(TypedArrayPrototype, 'length');
const typedTag = getter(TypedArrayPrototype, Symbol.toStringTag as unknown as string);
const viewBuffer = getter(DataView.prototype, 'buffer');
const viewOffset = getter(DataView.prototype, 'byteOffset');
const viewLength = getter(DataView.prototype, 'byteLength');
const mapForEach = uncurry(Map.prototype.forEach);
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const setForEach = uncurry(Set.prototype.forEach);
const TYPED_CLASSES: Record<string, new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

function unbox(value: object): unknown {
  if (types.isNumberObject(value)) return Object(uncurry(Number.prototype.valueOf)(value));
  if (types.isStringObject(value)) return Object(uncurry(String.prototype.valueOf)(value));
  if (types.isBooleanObject(value)) return Object(uncurry(Boolean.prototype.valueOf)(value));
  return Object(uncurry(BigInt.prototype.valueOf)(value));
}

function dataCloneError(what: string): Error {
  return harden(new DOMException(`${what} could not be cloned.`, 'DataCloneError'));
}

function isUncloneable(value: object): boolean {
  return types.isPromise(value) || types.isWeakMap(value) || types.isWeakSet(value) ||
    types.isGeneratorObject(value) || types.isMapIterator(value) || types.isSetIterator(value) ||
    types.isModuleNamespaceObject(value) || types.isSymbolObject(value) || types.isExternal(value);
}

export interface CloneOptions {
  call: CallSlot;
  /** Named in the refusal. */
  what: string;
  /** Transferred buffers: kept as they are here, moved by the native clone afterwards. */
  keep?: ReadonlySet<unknown>;
  /** Count strings too (2 bytes a character): for a copy that native code will serialize next. */
  chargeStrings?: boolean;
  /**
   * Objects and arrays nested deeper than this are copied empty: for a copy that is refused
   * anyway when it is that deep (a result past events.maxDepth), so that the walk's recursion
   * cannot overflow the worker's stack first and hide the depth refusal behind a RangeError.
   */
  maxDepth?: number;
}

/** One clone: its memory map (cycles, shared references) and what it has cost so far. */
class Cloner {
  readonly memory = new Map<object, unknown>();
  bytes = 0;
  /** Objects and arrays being copied around the current value. */
  depth = 0;
  /** Below this many bytes the budget is not looked at again (reading it costs ~0.6 us). */
  checkedUpTo = 0;
  readonly options: CloneOptions;
  constructor(options: CloneOptions) {
    this.options = options;
  }

  charge(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes <= this.checkedUpTo) return;
    const error = overBudgetError(this.options.call, this.options.what, `a copy of ${this.memory.size} objects or more`, this.bytes);
    if (error) throw error;
    // Checked again an eighth further on: a few heap reads per clone, an overshoot of 12.5% at most.
    this.checkedUpTo = this.bytes + Math.max(ALWAYS_FITS, this.bytes / 8);
  }

  clone(value: unknown): unknown {
    if (typeof value === 'string' && this.options.chargeStrings) this.charge(value.length * STRING_BYTES_PER_CHAR);
    if (typeof value === 'symbol') throw dataCloneError(String(value));
    if (typeof value === 'function') throw dataCloneError(`function ${value.name || '(anonymous)'}`);
    if (typeof value !== 'object' || value === null) return value;
    if (this.memory.has(value)) return this.memory.get(value);
    if (this.options.keep?.has(value)) return value; // a transferred buffer: moved by the native clone
    if (types.isProxy(value)) throw dataCloneError('#<Object>');
    this.charge(OBJECT_BYTES);
    // Fast paths for what results are made of: with every brand check first, the walk of a
    // 1000-object result took 6 times its serialize(); with these, about 4 times (~0.15 us an object).
    if (Array.isArray(value)) return this.cloneArray(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return this.copyProperties(value, this.remember(value, {}) as object);
    if (isUncloneable(value)) throw dataCloneError(Object.prototype.toString.call(value));
    if (types.isBoxedPrimitive(value)) return this.remember(value, unbox(value));
    if (types.isDate(value)) return this.remember(value, new Date(dateTime(value)));
    if (types.isRegExp(value)) return this.remember(value, new RegExp(regExpSource(value), regExpFlags(value)));
    if (types.isAnyArrayBuffer(value)) return this.cloneBuffer(value);
    if (ArrayBuffer.isView(value)) return this.cloneView(value);
    if (types.isMap(value)) return this.cloneMap(value as Map<unknown, unknown>);
    if (types.isSet(value)) return this.cloneSet(value as Set<unknown>);
    if (types.isNativeError(value)) return this.cloneError(value as Error);
    return this.copyProperties(value, this.remember(value, {}) as object);
  }

  remember<T>(original: object, copy: T): T {
    this.memory.set(original, copy);
    return copy;
  }

  // Own enumerable string keys, read with [[Get]] (getters run, as in the spec), checked again
  // before each read: a getter may delete a later property.
  // Object.prototype's names ("__proto__", "constructor", "toString"...) are defined, not
  // assigned: "__proto__" would set the copy's prototype and drop the key, and the others,
  // frozen by lockdown(), would throw (the override mistake). JSON.parse makes each an ordinary
  // own key, and so must the copy.
  copyProperties(from: object, to: object): object {
    if (this.depth >= (this.options.maxDepth ?? Infinity)) return to;
    const keys = Object.keys(from);
    this.charge(keys.length * ENTRY_BYTES);
    this.depth++;
    for (const key of keys) {
      if (!hasOwn(from, key)) continue;
      const copy = this.clone((from as Record<string, unknown>)[key]);
      if (INHERITED_NAMES.has(key)) Object.defineProperty(to, key, { value: copy, writable: true, enumerable: true, configurable: true });
      else (to as Record<string, unknown>)[key] = copy;
    }
    this.depth--;
    return to;
  }

  // Indices only, holes kept: Object.keys of a big array would allocate a string per index.
  // (Named properties on an array are not copied, unlike the spec.)
  cloneArray(array: unknown[]): unknown {
    if (this.depth >= (this.options.maxDepth ?? Infinity)) return this.remember(array, []);
    const length = array.length;
    this.charge(length * ENTRY_BYTES); // before any copying: a huge array is refused at once
    const copy = this.remember(array, new Array(length));
    this.depth++;
    for (let i = 0; i < length; i++) if (hasOwn(array, i)) copy[i] = this.clone(array[i]);
    this.depth--;
    return copy;
  }

  cloneBuffer(buffer: ArrayBuffer | SharedArrayBuffer): unknown {
    if (types.isSharedArrayBuffer(buffer)) return this.remember(buffer, buffer); // shared by definition
    const length = bufferLength(buffer) as number;
    this.charge(length);
    return this.remember(buffer, bufferSlice(buffer, 0));
  }

  cloneView(view: ArrayBufferView): unknown {
    if (types.isDataView(view)) {
      const [offset, length] = [viewOffset(view), viewLength(view)];
      return this.remember(view, new DataView(this.clone(viewBuffer(view)) as ArrayBuffer, offset, length));
    }
    const Typed = TYPED_CLASSES[typedTag(view) as string];
    if (!Typed) throw dataCloneError(Object.prototype.toString.call(view));
    const [offset, length] = [typedOffset(view), typedLength(view)];
    return this.remember(view, new Typed(this.clone(typedBuffer(view)) as ArrayBuffer, offset, length));
  }

  // The spec copies the entries first: cloning them does not see later additions.
  cloneMap(map: Map<unknown, unknown>): unknown {
    this.charge(mapSize(map) * 2 * ENTRY_BYTES);
    const copy = this.remember(map, new Map());
    const entries: unknown[] = [];
    mapForEach(map, (value: unknown, key: unknown) => { entries.push(key, value); });
    for (let i = 0; i < entries.length; i += 2) copy.set(this.clone(entries[i]), this.clone(entries[i + 1]));
    return copy;
  }

  cloneSet(set: Set<unknown>): unknown {
    this.charge(setSize(set) * ENTRY_BYTES);
    const copy = this.remember(set, new Set());
    const values: unknown[] = [];
    setForEach(set, (value: unknown) => { values.push(value); });
    for (const value of values) copy.add(this.clone(value));
    return copy;
  }

  cloneError(error: Error): unknown {
    const name = String(error.name);
    const Class = ERROR_CLASSES[ERROR_NAMES.has(name) ? name : 'Error']!;
    const copy = this.remember(error, new Class());
    if (hasOwn(error, 'message')) copy.message = String(error.message);
    if (typeof error.stack === 'string') copy.stack = error.stack;
    if (hasOwn(error, 'cause')) copy.cause = this.clone(error.cause);
    return copy;
  }
}

/** A plain copy of `value` by the structured clone algorithm, refused past the native budget. */
export function cloneWithin(value: unknown, options: CloneOptions): unknown {
  return new Cloner(options).clone(value);
}

/** The hook's structuredClone(value, { transfer }), bounded by the running call's budget. */
export function createStructuredClone(call: CallSlot): (value: unknown, options?: { transfer?: unknown[] }) => unknown {
  return function structuredClone(value: unknown, options?: { transfer?: unknown[] }): unknown {
    if (arguments.length === 0) throw hookError(TypeError, 'The "value" argument must be specified');
    const transfer = options?.transfer === undefined ? [] : [...options.transfer];
    const copy = cloneWithin(value, { call, what: 'structuredClone', keep: new Set(transfer) });
    // Our copy is plain, bounded data; the native clone only moves the transferred buffers.
    return transfer.length === 0 ? copy : nativeClone(copy, { transfer: transfer as never });
  };
}
