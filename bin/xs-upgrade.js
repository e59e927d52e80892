#!/usr/bin/env node
// The one place that ends the process. Exiting explicitly (rather than when the event loop drains)
// means nothing left open, such as a browser still connected to the inspector relay, can keep an
// unattended run alive after its work is done.
// The bundle (scripts/bundle.mjs): a few files to load instead of hundreds.
import { main } from '../dist/bundle/main.js';

// Output that goes away (a closed pipe, `| head`, a journal restart) must never stop an upgrade
// half-way: what cannot be written is dropped, and the run goes on to its end.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const code = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exit(code);
