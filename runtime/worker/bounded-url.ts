// URL and URLSearchParams for hooks: Node's own, held inside, with every string that reaches
// the native URL parser (constructor, setters, a URL's linked searchParams) checked against
// the native budget first. Holding, not subclassing: a subclass would hand a hook the
// unbounded parent through Object.getPrototypeOf. Worker-only.
// node:url's classes are the globals themselves (the same objects), typed without DOM's lib.
import { URL as NativeURL, URLSearchParams as NativeParams } from 'node:url';
import type { CallSlot } from '../capabilities/call.ts';
import { assertNativeFits } from './native-budget.ts';
import { boundedString, BYTES_PER_CHAR } from './bounded-text.ts';

type NativeURLObject = InstanceType<typeof NativeURL>;
type NativeParamsObject = InstanceType<typeof NativeParams>;
const URL_PARTS = ['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

// Shared by every compartment of this worker: capabilities (ctx.fetch) find the native value here.
const urls = new WeakMap<object, NativeURLObject>();
const params = new WeakMap<object, NativeParamsObject>();
/** A URL's own searchParams: a change re-parses that URL natively. */
const linked = new WeakMap<object, NativeURLObject>();

/** The href of a hook's URL (bounded or Node's), or undefined for anything else. */
export function hrefOf(value: unknown): string | undefined {
  if (value instanceof NativeURL) return value.href;
  return typeof value === 'object' && value !== null ? urls.get(value)?.href : undefined;
}

/** The serialized form of a hook's URLSearchParams (bounded or Node's), or undefined. */
export function searchParamsText(value: unknown): string | undefined {
  if (value instanceof NativeParams) return value.toString();
  return typeof value === 'object' && value !== null ? params.get(value)?.toString() : undefined;
}

function nativeOf<T>(map: WeakMap<object, T>, self: unknown, what: string): T {
  const native = typeof self === 'object' && self !== null ? map.get(self) : undefined;
  if (native === undefined) throw new TypeError(`${what} called on an object that is not a ${what.split('.')[0]}`);
  return native;
}

/** The hook's URL and URLSearchParams, charged to the call in `call`. */
export function createBoundedUrl(call: CallSlot) {
  const optional = (what: string, value: unknown) => (value === undefined ? undefined : boundedString(call, what, value));

  class URLSearchParams {
    constructor(init?: unknown) {
      params.set(this, new NativeParams(typeof init === 'string' ? boundedString(call, 'URLSearchParams', init) : (init as string)));
    }
    get size(): number {
      return nativeOf(params, this, 'URLSearchParams.size').size;
    }
    append(name: unknown, value: unknown): void {
      const [key, text] = grown(this, 'URLSearchParams.append', name, value);
      nativeOf(params, this, 'URLSearchParams.append').append(key, text);
    }
    set(name: unknown, value: unknown): void {
      const [key, text] = grown(this, 'URLSearchParams.set', name, value);
      nativeOf(params, this, 'URLSearchParams.set').set(key, text);
    }
    delete(name: string, value?: string): void {
      Reflect.apply(NativeParams.prototype.delete, nativeOf(params, this, 'URLSearchParams.delete'), arguments);
    }
    get(name: string): string | null {
      return nativeOf(params, this, 'URLSearchParams.get').get(name);
    }
    getAll(name: string): string[] {
      return nativeOf(params, this, 'URLSearchParams.getAll').getAll(name);
    }
    has(name: string, value?: string): boolean {
      return Reflect.apply(NativeParams.prototype.has, nativeOf(params, this, 'URLSearchParams.has'), arguments) as boolean;
    }
    sort(): void {
      nativeOf(params, this, 'URLSearchParams.sort').sort();
    }
    // Not the native forEach: its third argument would be the unbounded native object.
    forEach(callback: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: unknown): void {
      for (const [key, value] of [...nativeOf(params, this, 'URLSearchParams.forEach')]) Reflect.apply(callback, thisArg, [value, key, this]);
    }
    entries(): IterableIterator<[string, string]> {
      return [...nativeOf(params, this, 'URLSearchParams.entries')][Symbol.iterator]();
    }
    keys(): IterableIterator<string> {
      return [...nativeOf(params, this, 'URLSearchParams.keys').keys()][Symbol.iterator]();
    }
    values(): IterableIterator<string> {
      return [...nativeOf(params, this, 'URLSearchParams.values').values()][Symbol.iterator]();
    }
    [Symbol.iterator](): IterableIterator<[string, string]> {
      return this.entries();
    }
    toString(): string {
      return nativeOf(params, this, 'URLSearchParams.toString').toString();
    }
  }

  // A URL's searchParams re-parses the whole URL natively on each change: its new size is checked.
  function grown(self: object, what: string, name: unknown, value: unknown): [string, string] {
    const key = `${name as string}`;
    const text = `${value as string}`;
    const url = linked.get(self);
    if (url) {
      const length = url.href.length + key.length + text.length;
      assertNativeFits(call, what, `a URL of ${length} characters`, length * BYTES_PER_CHAR);
    }
    return [key, text];
  }

  const searchParamsOf = new WeakMap<object, URLSearchParams>();

  class URL {
    constructor(input: unknown, base?: unknown) {
      if (arguments.length === 0) throw new TypeError('The "url" argument must be specified');
      const text = boundedString(call, 'URL', input);
      urls.set(this, new NativeURL(text, optional('URL', base)));
    }
    static canParse(input: unknown, base?: unknown): boolean {
      return NativeURL.canParse(boundedString(call, 'URL.canParse', input), optional('URL.canParse', base));
    }
    static parse(input: unknown, base?: unknown): URL | null {
      const text = boundedString(call, 'URL.parse', input);
      const baseText = optional('URL.parse', base);
      return NativeURL.canParse(text, baseText) ? new URL(text, baseText) : null;
    }
    get origin(): string {
      return nativeOf(urls, this, 'URL.origin').origin;
    }
    get searchParams(): URLSearchParams {
      const native = nativeOf(urls, this, 'URL.searchParams');
      let wrapper = searchParamsOf.get(this);
      if (!wrapper) {
        wrapper = Object.create(URLSearchParams.prototype) as URLSearchParams;
        params.set(wrapper, native.searchParams);
        linked.set(wrapper, native);
        searchParamsOf.set(this, wrapper);
      }
      return wrapper;
    }
    toString(): string {
      return nativeOf(urls, this, 'URL.toString').href;
    }
    toJSON(): string {
      return nativeOf(urls, this, 'URL.toJSON').href;
    }
  }
  for (const part of URL_PARTS) {
    Object.defineProperty(URL.prototype, part, {
      get(this: object) {
        return nativeOf(urls, this, `URL.${part}`)[part];
      },
      set(this: object, value: unknown) {
        nativeOf(urls, this, `URL.${part}`)[part] = boundedString(call, `URL.${part}`, value);
      },
      enumerable: true,
      configurable: true,
    });
  }

  return { URL, URLSearchParams };
}
