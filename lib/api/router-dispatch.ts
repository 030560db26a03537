// Runs the app's routers in stages (those before authentication, those after) but enters only
// the routers with a route for the request's method and path. koa-router's own dispatch reads
// ctx.host and ctx.path, tests every route's pattern, records what matched and builds a chain
// per request, in every router a request passes through: POST /events passed through five.
// Where a method and a path without parameters lead, in every stage, is worked out once and
// remembered (a table bounded by the API's fixed routes); other requests are matched anew.
// For a fixed route the matched layers are entered directly (see enterFixed).
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';

/** One middleware per stage of routers, in the order given; the app puts its own between them. */
export function createRouterDispatch(stages: ReadonlyArray<readonly Router[]>): Middleware[] {
  const entries = stages.map((routers) => routers.map((router) => ({ router, middleware: router.routes() as unknown as Middleware })));
  /** Per method and fixed path: each stage's routers that take it, composed (undefined: none). */
  const remembered = new Map<string, Array<Middleware | undefined>>();

  function chainIn(stage: number, method: string, path: string): { chain: Middleware | undefined; fixed: boolean } {
    const taking: Middleware[] = [];
    let fixed = true;
    for (const { router, middleware } of entries[stage]!) {
      const match = router.match(path, method);
      if (!match.route) continue;
      const withParams = match.pathAndMethod.some((layer) => layer.paramNames.length > 0 || typeof layer.path !== 'string');
      if (withParams) fixed = false;
      taking.push(withParams || !enterable(router) ? middleware : enterFixed(router, match));
    }
    return { chain: taking.length === 0 ? undefined : taking.length === 1 ? taking[0] : inOrder(taking), fixed };
  }

  /** The same for a request that is not remembered, from its first stage to its last. */
  const matchedFor = new WeakMap<object, Array<Middleware | undefined>>();

  function chainFor(stage: number, ctx: Context): Middleware | undefined {
    // Lower case: routes match regardless of case, and the table must not grow by spelling.
    const key = `${ctx.method} ${ctx.path.toLowerCase()}`;
    const known = remembered.get(key) ?? matchedFor.get(ctx);
    if (known) return known[stage];
    const found = entries.map((_, s) => chainIn(s, ctx.method, ctx.path));
    const chains = found.map((f) => f.chain);
    // Only a request some route takes, by a path without parameters, is remembered: clients
    // may send any number of other paths.
    if (found.every((f) => f.fixed) && chains.some(Boolean)) remembered.set(key, chains);
    else matchedFor.set(ctx, chains);
    return chains[stage];
  }

  return stages.map((_, stage): Middleware => (ctx, next) => {
    const chain = chainFor(stage, ctx);
    return chain ? chain(ctx, next) : next();
  });
}

type Match = ReturnType<Router['match']>;

/** A router whose dispatch depends on the method and path alone (no host, no exclusive choice, no fixed routerPath). */
function enterable(router: Router): boolean {
  return !router.host && !router.exclusive && !router.opts.routerPath;
}

/**
 * What router.routes() does for a request this match fits, without matching every route's
 * pattern again and composing a chain per request: it sets on ctx what koa-router sets
 * (matched, router, routeMatched, _matchedRoute[Name], and per layer captures, params,
 * routerPath, routerName) and runs the layers' stacks in order. Only for layers whose path
 * is a string without parameters: their captures are [] and params a copy of ctx.params.
 */
function enterFixed(router: Router, match: Match): Middleware {
  const route = match.pathAndMethod.toReversed().find((layer) => layer.methods.length > 0);
  const steps: Middleware[] = match.pathAndMethod.flatMap((layer) => [
    (ctx, next) => {
      ctx.captures = [];
      const params = { ...ctx.params };
      (ctx.request as typeof ctx.request & { params: typeof params }).params = params;
      ctx.params = params;
      ctx.routerPath = layer.path as string;
      ctx.routerName = layer.name || undefined;
      ctx._matchedRoute = layer.path;
      if (layer.name) ctx._matchedRouteName = layer.name;
      return next();
    },
    ...(layer.stack as Middleware[]),
  ]);
  const run = inOrder(steps);
  return (ctx, next) => {
    if (ctx.matched) ctx.matched.push(...match.path);
    else ctx.matched = [...match.path];
    ctx.router = router;
    ctx.routeMatched = true;
    if (route) {
      ctx._matchedRoute = route.path;
      if (route.name) ctx._matchedRouteName = route.name;
    }
    return run(ctx, next);
  };
}

/** Middleware run one after the other, each one's next() entering the following one. */
function inOrder(middleware: readonly Middleware[]): Middleware {
  return (ctx, next) => {
    const enter = (i: number): Promise<unknown> => Promise.resolve(i < middleware.length ? middleware[i]!(ctx, () => enter(i + 1)) : next());
    return enter(0);
  };
}
