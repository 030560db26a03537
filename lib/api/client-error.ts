// Requests Node's HTTP server refuses before koa sees them (a malformed header, a bad
// Content-Length, headers too large, a request too slow, an Expect it cannot meet) get the
// same JSON error body as every other 4xx, instead of Node's bare status line.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errors } from '../errors.ts';

function render(parserCode: string | undefined) {
  const error = errors.malformedRequest(parserCode);
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: error.code, message: error.message, requestId } });
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'X-Request-Id': requestId, Connection: 'close' };
  return { status: error.status, headers, body };
}

/** A listener for the server's 'clientError' event; the connection is closed afterwards. */
export function answerClientError(cause: Error & { code?: string }, socket: Socket): void {
  // Node's own rule: nothing to say to a peer that is gone or already getting a response.
  const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (cause.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, headers, body } = render(cause.code);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines}\r\n${body}`);
}

/** A listener for the server's 'checkExpectation' event: an Expect other than 100-continue. */
export function answerUnmetExpectation(_req: IncomingMessage, res: ServerResponse): void {
  const { status, headers, body } = render('EXPECTATION_FAILED');
  res.writeHead(status, headers).end(body);
}
