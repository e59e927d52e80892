#!/usr/bin/env node
// The one place that ends the process with an exit code (src/cli/main.ts computes it).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
