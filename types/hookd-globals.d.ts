// The globals a module hook has besides the JavaScript built-ins (ES2023), for editors and
// `tsc -p hooks` when no DOM or Node types are loaded: exactly what the sandbox provides.
// Not for projects that load @types/node or the DOM lib (they declare these already).

declare global {
  /** Writes to the call's invocation log: log/info/dir = info, debug/trace = debug, warn, error. */
  var console: {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    trace(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    dir(...args: unknown[]): void;
  };

  /** The WHATWG URL. */
  class URL {
    constructor(url: string | URL, base?: string | URL);
    static canParse(url: string | URL, base?: string | URL): boolean;
    hash: string;
    host: string;
    hostname: string;
    href: string;
    readonly origin: string;
    password: string;
    pathname: string;
    port: string;
    protocol: string;
    search: string;
    readonly searchParams: URLSearchParams;
    username: string;
    toString(): string;
    toJSON(): string;
  }

  /** Query strings and form bodies. */
  class URLSearchParams {
    constructor(init?: string | Record<string, string> | Array<[string, string]> | URLSearchParams);
    readonly size: number;
    append(name: string, value: string): void;
    delete(name: string, value?: string): void;
    get(name: string): string | null;
    getAll(name: string): string[];
    has(name: string, value?: string): boolean;
    set(name: string, value: string): void;
    sort(): void;
    toString(): string;
    forEach(callback: (value: string, name: string, params: URLSearchParams) => void): void;
    entries(): IterableIterator<[string, string]>;
    keys(): IterableIterator<string>;
    values(): IterableIterator<string>;
    [Symbol.iterator](): IterableIterator<[string, string]>;
  }

  /** UTF-8 encoding. */
  class TextEncoder {
    readonly encoding: string;
    encode(input?: string): Uint8Array;
  }

  /** Decodes bytes (UTF-8 by default). */
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
    readonly encoding: string;
    decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
  }

  function atob(data: string): string;
  function btoa(data: string): string;
  function structuredClone<T>(value: T): T;
}

export {};
