#!/usr/bin/env node
// The `hookd` command: the built CLI, in this process (no wrapper), so a signal sent to `hookd
// serve` reaches the daemon itself. `npm install` builds dist/ (the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/lib/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('hookd: dist/ is missing: run `npm run build` (npm install runs it) in the hookd checkout');
  process.exit(1);
}
await import(cli.href);
