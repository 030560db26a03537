// Sends raw bytes as an HTTP/1.1 request over a plain socket, for requests fetch refuses to
// make (a lying Content-Length, bytes that are not UTF-8, malformed headers), and reads the
// first final answer: status, headers and body (interim 1xx answers are skipped; for an event
// stream, only its headers). The connection is closed once the answer is read.
import { connect } from 'node:net';

export interface RawReply {
  /** 0 when the daemon closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawOptions {
  /**
   * Half-close after writing: the way to send a body shorter than its Content-Length without
   * waiting for the server's timeout. Node then drops requests still in progress (no answer).
   */
  halfClose?: boolean;
  boundMs?: number;
}

export async function rawRequest(baseUrl: string, bytes: Buffer, options: RawOptions = {}): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  let received = Buffer.alloc(0);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (options.halfClose) socket.end(bytes);
    else socket.write(bytes);
    // An answer to HEAD announces a length but carries no body.
    const head = bytes.subarray(0, 5).toString('latin1') === 'HEAD ';
    return await new Promise<RawReply>((resolve, reject) => {
      const boundMs = options.boundMs ?? 20_000;
      const timer = setTimeout(() => {
        reject(new Error(`no answer within ${boundMs} ms to ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`));
      }, boundMs);
      const settle = (reply: RawReply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const reply = parseReply(received, false, head);
        if (reply) settle(reply);
      });
      socket.on('error', () => {}); // a reset after the answer is fine: what was read counts
      socket.once('close', () => settle(parseReply(received, true, head) ?? { status: 0, headers: {}, body: received.toString('utf8') }));
    });
  } finally {
    socket.destroy();
  }
}

/** The first final response in `bytes`, or undefined while incomplete (and the socket open). */
function parseReply(bytes: Buffer, closed: boolean, head: boolean): RawReply | undefined {
  let start = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', start);
    if (end === -1) return undefined;
    const [statusLine, ...lines] = bytes.subarray(start, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
    if (status >= 100 && status < 200) {
      start = end + 4;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const rest = bytes.subarray(end + 4);
    // HEAD carries no body; an event stream never ends: its headers are the answer.
    if (head || headers['content-type']?.startsWith('text/event-stream')) return { status, headers, body: '' };
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (length !== undefined) {
      if (rest.length < length) return closed ? { status, headers, body: rest.toString('utf8') } : undefined;
      return { status, headers, body: rest.subarray(0, length).toString('utf8') };
    }
    if (headers['transfer-encoding'] === 'chunked') {
      const body = unchunk(rest);
      return body || closed ? { status, headers, body: (body ?? rest).toString('utf8') } : undefined;
    }
    // No length: the body runs to the close (or there is none, as for 204 and HEAD).
    if (status === 204 || status === 304 || closed) return { status, headers, body: rest.toString('utf8') };
    return undefined;
  }
}

/** The body of a complete chunked message, or undefined while its last chunk is missing. */
function unchunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (!(size > 0) || bytes.length < lineEnd + 2 + size) return undefined;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
