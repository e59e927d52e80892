// Issue 27, item 1, as the reviewer did it: an ordinary user (`nobody`) writes
// `xs-upgrade.config.mjs` in a folder of theirs; root types `xs-upgrade status` there. The config
// must not run as root, whatever root then says about it; named with --config, it is refused
// before it is read.
import { chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const nobody = 65534;
let dir: string;
let home: string;
let ran: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-rootconfig-'));
  home = join(dir, 'home');
  await mkdir(home);
  await chown(home, nobody, nobody);
  ran = join(dir, 'ran-as-root');
  const config = join(home, 'xs-upgrade.config.mjs');
  await writeFile(
    config,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(ran)}, String(process.getuid()));\nexport default { mode: 'remote', buildBeforeSwitch: false, switch: 'true' };\n`,
  );
  await chown(config, nobody, nobody);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const exitCode = await main({
    argv,
    cwd: home,
    env: { NO_COLOR: '1', XS_UPGRADE_CONFIG: join(dir, 'none.json') },
    stdout: { write: (chunk: string) => (out += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (err += chunk) },
  });
  return { exitCode, out, err };
}

const didRun = () =>
  stat(ran).then(
    () => true,
    () => false,
  );

describe("a config in another user's folder, as root", () => {
  it('`status` there does not find it, and it never runs', async () => {
    for (const command of ['status', 'history', 'validate', 'run']) {
      const result = await cli([command]);
      expect(result.exitCode, command).toBe(78);
      expect(result.err).toMatch(/as root the current folder.* is not searched for a config/);
    }
    expect(await didRun()).toBe(false);
  });

  it('named with --config, it is refused before it is read', async () => {
    const result = await cli(['status', '--config', join(home, 'xs-upgrade.config.mjs')]);
    expect(result.exitCode).toBe(78);
    expect(result.err).toMatch(/can be changed by other users \(owned by uid 65534\)/);
    expect(await didRun()).toBe(false);
  });
});
