// Routes as data: each route declares its method, path, scope, parameters, body and answers
// (schemas are plain JSON Schema 2020-12 objects; their TypeScript types come from typebox's
// Static). A route table turns a declaration into koa-router middleware that checks the scope
// and reads what the route takes by those schemas; openapi.ts turns the same ones into the contract.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Static, TSchema } from 'typebox';
import type { Scope } from '../config/index.ts';
import { errors, type ErrorCode } from '../errors.ts';
import { compileOwnSchema } from '../own-schema.ts';
import { requireScope } from './auth.ts';
import { readJsonObject, readOptionalJsonObject } from './body.ts';
import { findNulText } from './nul-text.ts';
import { compileParamsReader, type ParamsSchema } from './request-params.ts';

export type { ParamsSchema } from './request-params.ts';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface BodySpec {
  readonly schema: TSchema;
  /** 'object': one JSON object; 'optional': the same, or nothing; 'handler': the route reads it (batches, NDJSON). */
  readonly read: 'object' | 'optional' | 'handler';
  /** What a schema failure calls the body: `invalid <name>: /field message`. */
  readonly name: string;
  /** What a body that is not a JSON object is told to be ("the hook"). */
  readonly expects: string;
  /** Pointers under which a problem is 422 UNPROCESSABLE (a value HTTP cannot carry), not 400. */
  readonly unprocessable?: readonly string[];
  readonly description?: string;
  /** Media types besides application/json, with their schemas (NDJSON). */
  readonly alternatives?: Readonly<Record<string, TSchema>>;
}

export interface ResponseSpec {
  readonly description: string;
  /** No schema: the answer has no body (204). */
  readonly schema?: TSchema;
  /** application/json unless said otherwise. */
  readonly contentType?: string;
}

export interface RouteSpec {
  readonly operationId: string;
  readonly method: Method;
  /** koa-router syntax: `/hooks/:id`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /**
   * 'none': answered without a token. queryToken: `?access_token=` works too (stream.queryToken).
   * basic: HTTP Basic works too, the token as its password (what the *arr apps can send).
   */
  readonly auth: 'none' | { readonly scope: Scope; readonly queryToken?: boolean; readonly basic?: boolean };
  /** Documents HEAD beside GET (koa-router answers HEAD for every GET). */
  readonly head?: boolean;
  readonly params?: ParamsSchema;
  readonly query?: ParamsSchema;
  /** Request headers the route reads (documented; handed over as strings). */
  readonly headers?: ParamsSchema;
  readonly body?: BodySpec;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * The error codes the route itself may answer. Authentication, parameter and body errors,
   * storage failures and 500 are added from the rest of the declaration.
   */
  readonly errors?: readonly ErrorCode[];
}

/** Keeps a declaration's literal types, so that its schemas give the handler typed input. */
export function defineRoute<const R extends RouteSpec>(spec: R): R {
  return spec;
}

type StaticOf<S> = S extends TSchema ? Static<S> : Record<string, never>;
type BodyOf<B> = B extends { read: 'object'; schema: infer S extends TSchema }
  ? Static<S>
  : B extends { read: 'optional'; schema: infer S extends TSchema }
    ? Static<S> | undefined
    : undefined;

export interface RouteInput<R extends RouteSpec> {
  params: StaticOf<R['params']>;
  query: StaticOf<R['query']>;
  headers: StaticOf<R['headers']>;
  body: BodyOf<R['body']>;
}

export type RouteHandler<R extends RouteSpec> = (ctx: Context, input: RouteInput<R>) => unknown;

export interface BodyLimits {
  /** Bytes (config server.bodyLimit). */
  bodyLimit: number;
  /** Nesting depth of a JSON document (config events.maxDepth). */
  maxDepth: number;
}

/**
 * How a scoped route is guarded. Default: the app authenticated the request already, the route
 * checks the scope. A route mounted before the app's authentication authenticates itself
 * ('authenticate'), or is open because the config says so ('public', e.g. metrics.public).
 */
export type RouteAccess = { access: 'authenticated' } | { access: 'authenticate'; authenticate: Middleware } | { access: 'public' };

export interface RouteTable {
  readonly router: Router;
  add<R extends RouteSpec>(spec: R, handler: RouteHandler<R>, access?: RouteAccess): void;
}

/** A koa-router whose routes are added by declaration; `limits` bound the routes' bodies. */
export function createRouteTable(limits?: BodyLimits): RouteTable {
  const router = new Router();
  return {
    router,
    add(spec, handler, access = { access: 'authenticated' }) {
      const guard: Middleware[] =
        spec.auth === 'none' || access.access === 'public'
          ? []
          : access.access === 'authenticate'
            ? [access.authenticate, requireScope(spec.auth.scope)]
            : [requireScope(spec.auth.scope)];
      const readParams = compileParamsReader(spec.params, 'path');
      const readQuery = compileParamsReader(spec.query, 'query');
      const readHeaders = compileParamsReader(spec.headers, 'header');
      const readBody = compileBodyReader(spec.body, limits);
      const run: Middleware = async (ctx) => {
        const input = { params: readParams(ctx), query: readQuery(ctx), headers: readHeaders(ctx), body: await readBody(ctx) };
        await handler(ctx, input as RouteInput<typeof spec>);
      };
      const verb = { GET: router.get, POST: router.post, PUT: router.put, PATCH: router.patch, DELETE: router.delete }[spec.method];
      verb.call(router, spec.path, ...guard, run);
    },
  };
}

function compileBodyReader(body: BodySpec | undefined, limits: BodyLimits | undefined): (ctx: Context) => Promise<unknown> {
  if (body === undefined || body.read === 'handler') return async () => undefined;
  if (!limits) throw new Error(`a route that reads a ${body.name} body needs body limits`);
  const validate = compileOwnSchema(body.schema);
  const options = { limit: limits.bodyLimit, maxDepth: limits.maxDepth };
  return async (ctx) => {
    const value = body.read === 'object' ? await readJsonObject(ctx, options, body.expects) : await readOptionalJsonObject(ctx, options, body.expects);
    if (value === undefined) return undefined;
    const problems = validate(value);
    if (problems.length === 0) {
      const nul = findNulText(value, body.schema);
      if (nul === undefined) return value;
      throw errors.validation(`invalid ${body.name}: ${nul || '/'} holds the NUL character (U+0000), which no text hookd stores may hold`, { pointer: nul });
    }
    const message = `invalid ${body.name}: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`;
    const details = { pointer: problems[0]!.pointer, problems };
    const unprocessable = body.unprocessable?.some((at) => problems[0]!.pointer === at || problems[0]!.pointer.startsWith(`${at}/`));
    throw unprocessable ? errors.unprocessable(message, details) : errors.validation(message, details);
  };
}
