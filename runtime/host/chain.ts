// A filter chain of module hooks in the sandbox host: one crossing from the daemon per chain,
// not one per hook. Each step runs in the pools like a single call; its output is judged here,
// by the same modules the daemon uses (chain/), against the type's schema, which the daemon
// sends once per host and which is compiled here on first use.
import { runChainSteps } from '../chain/run-steps.ts';
import type { Validator } from '../chain/payload-schema.ts';
import type { createRecordCache } from '../channel/hook-records.ts';
import { toOutcome } from '../channel/wire-outcome.ts';
import type { ChainOutcome, CompiledHook, HookTask, WireChain, WireOutcome } from '../protocol.ts';

// Schemas remembered by key, least recently used forgotten first: forgetting costs a `miss`.
export const HOST_SCHEMA_CACHE_ENTRIES = 64;

const ACCEPT_ALL: Validator = () => [];

export interface ChainRunnerDeps {
  run(task: HookTask): Promise<WireOutcome>;
  records: ReturnType<typeof createRecordCache>;
}

export function createChainRunner(deps: ChainRunnerDeps) {
  const validators = new Map<string, Validator>();
  // ajv loads with the first chain whose type has a schema: a host that runs none never pays for it.
  let compile: Promise<(schema: object | boolean) => Validator> | undefined;

  async function validatorFor(ref: WireChain['schema']): Promise<Validator | undefined> {
    if (!ref) return ACCEPT_ALL;
    let validator = validators.get(ref.key);
    if (!validator) {
      if (ref.schema === undefined) return undefined;
      compile ??= import('../chain/payload-schema.ts').then(({ createUsersAjv, validatorFrom }) => {
        const ajv = createUsersAjv();
        return (schema) => validatorFrom(ajv.compile(schema));
      });
      validator = (await compile)(ref.schema);
    }
    validators.delete(ref.key);
    validators.set(ref.key, validator);
    if (validators.size > HOST_SCHEMA_CACHE_ENTRIES) validators.delete(validators.keys().next().value as string);
    return validator;
  }

  /** The chain's outcome, or undefined when a record or the schema must be sent again (`miss`). */
  return async function runChain(chain: WireChain): Promise<ChainOutcome | undefined> {
    const hooks: CompiledHook[] = [];
    for (const step of chain.steps) {
      const hook = deps.records.resolve(step.hook);
      if (!hook) return undefined;
      hooks.push(hook);
    }
    const validate = await validatorFor(chain.schema);
    if (!validate) return undefined;
    const { event } = chain;
    const steps = chain.steps.map((step, i) => ({ ...step, hook: hooks[i]! }));
    return runChainSteps(steps, event.payload, {
      type: { name: event.type, validate },
      limits: chain.limits,
      deadline: chain.deadline,
      timeoutOf: (step) => step.timeoutMs,
      run: async (step, payload, timeoutMs) => toOutcome(await deps.run({ ...step, event: { ...event, payload }, timeoutMs })),
    });
  };
}
