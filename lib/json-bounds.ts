// The one rule for JSON that hookd stores or re-serializes: bounded nesting depth (a JSON
// pointer names the first value too deep) and, for values from hooks, a plain-JSON copy made
// under a size budget. Both live in runtime/, because the sandbox host and workers apply them
// too (a filter chain is judged in the host); the daemon's modules import them from here.
export { defineOwn, findTooDeep, toJsonData, type JsonDataResult, type JsonLimits } from '../runtime/index.ts';
