#!/usr/bin/env node
// The one place that ends the process. Exiting explicitly (rather than when the event loop drains)
// means nothing left open, such as a browser still connected to the inspector relay, can keep an
// unattended run alive after its work is done.
import { main } from '../dist/src/cli/main.js';

const code = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exit(code);
