/** The worker thread launch() starts for `serve` and `demo`: runs the CLI with the process's arguments. */
import { runMain } from './launch.js';

runMain(process.argv);
