#!/usr/bin/env -S node --max-semi-space-size=4
// The one place that ends the process. Exiting explicitly (rather than when the event loop drains)
// means nothing left open, such as a browser still connected to the inspector relay, can keep an
// unattended run alive after its work is done.
import { lstatSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';

// `--version` alone is answered before the argument parser (most of main.js) is even loaded.
// The same text commander prints; test/e2e/cli.test.ts compares the two.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const packageJson = new URL('../package.json', import.meta.url);
  process.stdout.write(`${JSON.parse(readFileSync(packageJson, 'utf8')).version}\n`);
  process.exit(0);
}

// Node 22 and later keep V8's compiled code between runs (module.enableCompileCache; measured in
// docs/performance.md, "Start-up"). Only in the directory systemd makes for the units
// (CacheDirectory=xs-upgrade): a cache that someone else could write would be code run as root,
// so it must be a real directory of ours that no group or other user may write. Anywhere else,
// and on Node 20, nothing is cached.
function compileCacheDir(dir) {
  if (!dir || dir.includes(':') || typeof module.enableCompileCache !== 'function')
    return undefined;
  try {
    const stat = lstatSync(dir);
    const ours =
      stat.isDirectory() && stat.uid === process.geteuid?.() && (stat.mode & 0o022) === 0;
    return ours ? join(dir, 'node-compile-cache') : undefined;
  } catch {
    return undefined;
  }
}
const cacheDir = compileCacheDir(process.env.CACHE_DIRECTORY);
if (cacheDir) module.enableCompileCache(cacheDir);

// The bundle (scripts/bundle.mjs): a few files to load instead of hundreds.
const { main } = await import('../dist/bundle/main.js');

// Output that goes away (a closed pipe, `| head`, a journal restart) must never stop an upgrade
// half-way: what cannot be written is dropped, and the run goes on to its end.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const code = await main({
  argv,
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exit(code);
