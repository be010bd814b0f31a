#!/usr/bin/env node
// The sluice command: runs the compiled CLI (npm run build produces dist/); src/cli/launch.ts says on which thread.
import { launch } from '../dist/src/cli/launch.js';

launch(process.argv);
