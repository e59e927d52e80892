// Issue 27, item 4, as the attacker did it: a folder root writes into belongs to another user
// (`nobody`, uid 65534, as a node_exporter textfile folder often belongs to its own user), who
// plants links where root will write. Root must write only the file it means, never through one.
import { chmod, chown, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/actors/stateFile.js';
import { checkHost } from '../../src/config/checkHost.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';
import { startInspection } from '../../src/runner/inspect.js';
import { main } from '../../src/cli/main.js';
import { useEtcd } from '../support/etcd.js';
import { fleetHost } from '../support/fleetHosts.js';
import { memoryLog } from '../support/memoryLog.js';
import { useSandboxes } from '../support/sandboxes.js';

const nobody = 65534;
/** A command run as `nobody`, as the other user would run it. */
const asNobody = (script: string) =>
  execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script]);

let dir: string;
let victim: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-files-'));
  await chmod(dir, 0o755);
  // Root's own file, elsewhere: what the attacker wants root to overwrite.
  victim = join(dir, 'root-owned.conf');
  await writeFile(victim, 'root content\n', { mode: 0o644 });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** A folder that belongs to `nobody`, where root writes. */
async function nobodysFolder(name: string): Promise<string> {
  const folder = join(dir, name);
  await execa('mkdir', ['-m', '0755', folder]);
  await chown(folder, nobody, nobody);
  return folder;
}

describe('writes into a folder another user owns', () => {
  it('a temp name planted as a link ahead of time is never written through', async () => {
    const folder = await nobodysFolder('textfile');
    // The old names were `.PID.MS.N.tmp`: with the clock known, every one of them is planted.
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now);
    await asNobody(
      `for n in $(seq 1 20); do ln -s ${victim} ${folder}/.${process.pid}.${now}.$n.tmp; done`,
    );
    await writeFileAtomic(join(folder, 'xs_upgrade.prom'), 'metrics\n', { durable: false });
    expect(await readFile(victim, 'utf8')).toBe('root content\n');
    expect(await readFile(join(folder, 'xs_upgrade.prom'), 'utf8')).toBe('metrics\n');
  });

  it('a link at the target itself is replaced, not followed', async () => {
    const folder = await nobodysFolder('textfile');
    const target = join(folder, 'xs_upgrade.prom');
    await asNobody(`ln -s ${victim} ${target}`);
    await writeFileAtomic(target, 'metrics\n', { durable: false });
    expect(await readFile(victim, 'utf8')).toBe('root content\n');
    await expect(readlink(target)).rejects.toThrow(/EINVAL/);
  });

  it('--inspect-log refuses a link instead of writing through it', async () => {
    const folder = await nobodysFolder('logs');
    const log = join(folder, 'events.jsonl');
    await asNobody(`ln -s ${victim} ${log}`);
    await expect(
      startInspection({ log: memoryLog(), print: () => undefined, inspectLog: log }),
    ).rejects.toThrow(
      `--inspect-log ${log}: cannot write it (it is a symbolic link, which is not followed: name the file itself): pick another path`,
    );
    expect(await readFile(victim, 'utf8')).toBe('root content\n');
  });
});

describe('validate, as root', () => {
  it('warns of a metrics folder another user owns, with the fix', async () => {
    const folder = await nobodysFolder('textfile');
    const { config } = validateConfig({
      mode: 'remote',
      buildBeforeSwitch: false,
      switch: 'true',
      metricsFile: join(folder, 'xs_upgrade.prom'),
    });
    if (!config) throw new Error('invalid');
    const { warnings } = await checkHost(
      resolveConfig(config, join(dir, 'host.json'), dir),
      process.env,
    );
    expect(warnings).toContain(
      `/metricsFile: ${folder} belongs to uid ${nobody}, who can replace the metrics in it (root never writes through a link there): make it root's (\`chown root ${folder}\`) and give the collector read access`,
    );
  });
});

describe('fleet status --html, as root', () => {
  const cluster = useEtcd();
  const sandboxes = useSandboxes();

  it('refuses to write the page through a link another user planted', async () => {
    const host = await fleetHost(sandboxes, cluster, { prefix: cluster.newPrefix() }, 'web-1', {
      group: 'default',
    });
    const folder = await nobodysFolder('pages');
    const page = join(folder, 'fleet.html');
    await asNobody(`ln -s ${victim} ${page}`);
    let err = '';
    const exitCode = await main({
      argv: ['fleet', 'status', '--html', page, '--config', host.configFile],
      cwd: host.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdout: { write: () => true, isTTY: false },
      stderr: { write: (chunk: string) => (err += chunk) },
    });
    expect(exitCode).toBe(64);
    expect(err).toBe(
      `xs-upgrade: cannot write ${page}: it is a symbolic link, which is not followed: name the file itself\n`,
    );
    expect(await readFile(victim, 'utf8')).toBe('root content\n');
  });
});
