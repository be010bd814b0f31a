#!/usr/bin/env node
// The sluice command: runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv).catch((e) => {
  process.stderr.write(`sluice: ${e?.message ?? e}\n`);
  process.exit(1);
});
