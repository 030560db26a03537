// Checks an answer of the daemon against its OpenAPI document: the route and method are
// documented (or the answer is the 404 of an unknown route), the status is one the document
// lists for them, and the content type and body match its schema. The test helpers run every
// answer they receive through it, so the whole e2e suite checks the contract as it goes.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { buildApiDocument } from '../../lib/api/routes.ts';

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv2020) => Ajv2020;

export interface Answer {
  method: string;
  /** The request target: a path, with or without its query. */
  target: string;
  status: number;
  contentType: string | null;
  headers: { get(name: string): string | null };
  text: string;
}

interface Operation {
  path: string;
  method: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

interface Contract {
  ajv: Ajv2020;
  operations: Operation[];
  validators: Map<string, ValidateFunction>;
}

let contract: Contract | undefined;
const DOC_ID = 'hookd-openapi';

function load(): Contract {
  if (contract) return contract;
  const doc = buildApiDocument() as { paths: Record<string, Record<string, Operation['responses'] & object>> };
  // Compiled per response on first use: shared schemas as their own functions (inlineRefs off)
  // and no code optimizing keep that to about a millisecond, so checking adds no noticeable
  // delay between a test's requests (some tests race a deadline, such as a rate limit's window).
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false, inlineRefs: false, code: { optimize: false } }));
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    const segments = path.split('/').filter(Boolean);
    const source = segments.map((s) => (s.startsWith('{') ? '[^/]+' : escapeRegExp(s))).join('/');
    for (const [method, op] of Object.entries(methods)) {
      operations.push({
        path,
        method: method.toUpperCase(),
        pattern: new RegExp(`^/${source}/?$`),
        literalSegments: segments.filter((s) => !s.startsWith('{')).length,
        responses: (op as { responses: Operation['responses'] }).responses,
      });
    }
  }
  contract = { ajv, operations, validators: new Map() };
  return contract;
}

/** The documented operation that serves `method` on `pathname`, as koa-router would pick it. */
export function findOperation(method: string, pathname: string): Operation | undefined {
  const candidates = load().operations.filter((o) => o.method === method && o.pattern.test(pathname));
  return candidates.sort((a, b) => b.literalSegments - a.literalSegments)[0];
}

function validatorAt(pointer: string): ValidateFunction {
  const c = load();
  let v = c.validators.get(pointer);
  if (!v) {
    v = c.ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
    c.validators.set(pointer, v);
  }
  return v;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Throws when the answer is not one the document describes; says which route, status and why. */
export function checkAnswer(answer: Answer): void {
  const method = answer.method.toUpperCase();
  const pathname = new URL(answer.target, 'http://hookd.invalid').pathname;
  const what = `${method} ${pathname} answered ${answer.status}`;
  const fail = (why: string): never => {
    throw new Error(`OpenAPI conformance: ${what}: ${why}\n${answer.text.slice(0, 500)}`);
  };
  if (!answer.headers.get('x-request-id')) fail('no X-Request-Id header, which every answer carries');
  // koa-router answers HEAD for every GET; the document lists HEAD only where it says more.
  const op = findOperation(method, pathname) ?? (method === 'HEAD' ? findOperation('GET', pathname) : undefined);
  if (!op) {
    // Authentication runs before routing: a request without a valid token learns nothing of the routes.
    if (![401, 404, 503].includes(answer.status)) fail('the document has no such route, so only a 404 (or 401, 503) error is expected');
    if (method !== 'HEAD') checkBody('/components/schemas/Error', answer, fail);
    return;
  }
  const documented = op.responses[String(answer.status)];
  if (!documented) fail(`the document lists only ${Object.keys(op.responses).join(', ')} for ${op.method} ${op.path}`);
  if (answer.status === 401 && !answer.headers.get('www-authenticate')) fail('a 401 without WWW-Authenticate');
  const [mediaType] = Object.keys(documented!.content ?? {});
  if (method === 'HEAD') return;
  if (mediaType === undefined) {
    if (answer.text !== '') fail(`${op.method} ${op.path} documents no body for ${answer.status}`);
    return;
  }
  const got = (answer.contentType ?? '').split(';')[0]!.trim();
  if (got !== mediaType) fail(`Content-Type ${JSON.stringify(answer.contentType)}, documented ${mediaType}`);
  if (mediaType !== 'application/json') return;
  checkBody(`/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/${answer.status}/content/application~1json/schema`, answer, fail);
}

function checkBody(pointer: string, answer: Answer, fail: (why: string) => never): void {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    fail('the body is not JSON');
  }
  const validate = validatorAt(pointer);
  if (!validate(body)) fail(`the body does not match the schema: ${load().ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
}

/** For answers read off raw sockets: the body is the documented error shape. */
export function assertErrorShape(text: string, what: string): void {
  const validate = validatorAt('/components/schemas/Error');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what}: the error body is not JSON: ${text.slice(0, 200)}`);
  }
  if (!validate(body)) throw new Error(`${what}: not the documented error shape: ${load().ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
}

// Loaded with the helpers, before any test starts its clock.
load();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
