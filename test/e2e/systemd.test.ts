// `xs-upgrade systemd`: the generated units, checked by the real systemd-analyze.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { runCli } from '../support/cli.js';

let sandbox: Sandbox;
let out: string;
beforeAll(async () => {
  sandbox = await createSandbox();
  out = await mkdtemp(join(tmpdir(), 'xs-upgrade-units-'));
});
afterAll(async () => {
  await rm(sandbox.dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

const verify = (...files: string[]) =>
  execa('systemd-analyze', ['verify', ...files], { reject: false });

describe('xs-upgrade systemd', () => {
  it('writes a oneshot service and a timer that systemd-analyze verify accepts', async () => {
    await sandbox.writeConfig({
      schedule: 'Sun *-*-* 03:30:00',
      randomizedDelaySec: '45m',
      fixedRandomDelay: true,
      rollbackSwitch: { run: ['sh', 'bin/switch.sh'], timeout: '20m' },
    });
    const run = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(run.exitCode).toBe(0);
    const service = join(out, 'xs-upgrade.service');
    const timer = join(out, 'xs-upgrade.timer');
    const checked = await verify(service, timer);
    expect(checked.stderr).toBe('');
    expect(checked.exitCode).toBe(0);

    const serviceText = await readFile(service, 'utf8');
    expect(serviceText).toContain('Type=oneshot');
    expect(serviceText).toMatch(
      new RegExp(
        `^ExecStart=/\\S+/node --max-semi-space-size=4 /\\S+/bin/xs-upgrade\\.js run --config ${sandbox.configFile}$`,
        'm',
      ),
    );
    expect(serviceText).toContain('Wants=network-online.target\nAfter=network-online.target');
    expect(serviceText).toContain('X-RestartIfChanged=false');
    expect(serviceText).toContain('KillMode=mixed');
    // Root's own directory, the only place bin/xs-upgrade.js keeps Node 22's compile cache.
    expect(serviceText).toContain('CacheDirectory=xs-upgrade\nCacheDirectoryMode=0700');
    // Room for the 20-minute rollback switch and five minutes more.
    expect(serviceText).toContain(`TimeoutStopSec=${25 * 60}`);
    expect(serviceText).not.toMatch(/^Restart=/m);

    const timerText = await readFile(timer, 'utf8');
    expect(timerText).toContain('OnCalendar=Sun *-*-* 03:30:00');
    expect(timerText).toContain('RandomizedDelaySec=2700');
    expect(timerText).toContain('FixedRandomDelay=true');
    expect(timerText).toContain('Persistent=true');
    expect(timerText).toContain('WantedBy=timers.target');
    expect((await stat(service)).mode & 0o777).toBe(0o644);
  });

  it('with reboot, also a boot-check oneshot after multi-user.target that verify accepts', async () => {
    await sandbox.writeConfig({
      system: { profile: '/nix/var/nix/profiles/system' },
      reboot: { when: 'needed' },
    });
    const run = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(run.exitCode).toBe(0);
    const bootCheck = join(out, 'xs-upgrade-boot-check.service');
    const checked = await verify(bootCheck);
    expect(checked.stderr).toBe('');
    const text = await readFile(bootCheck, 'utf8');
    expect(text).toContain('After=multi-user.target');
    expect(text).toContain('CacheDirectory=xs-upgrade\nCacheDirectoryMode=0700');
    expect(text).toContain('WantedBy=multi-user.target');
    expect(text).toMatch(/^ExecStart=\S+ --max-semi-space-size=4 \S+ boot-check --config /m);
    expect(run.stdout).toContain('systemctl enable xs-upgrade-boot-check.service');
  });

  it('passes secrets from files: --environment-file and --credential, in both services', async () => {
    await sandbox.writeConfig({
      system: { profile: '/nix/var/nix/profiles/system' },
      reboot: { when: 'needed' },
    });
    const environmentFile = join(out, 'xs-upgrade.env');
    await writeFile(environmentFile, 'XS_UPGRADE_ETCD_PASSWORD=secret\n', { mode: 0o600 });
    const run = await runCli([
      'systemd',
      '--config',
      sandbox.configFile,
      '--out',
      out,
      '--environment-file',
      environmentFile,
      '--credential',
      'webhook-url:/run/secrets/webhook-url',
      '--credential',
      'token:/run/secrets/token',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const unit of ['xs-upgrade.service', 'xs-upgrade-boot-check.service']) {
      const file = join(out, unit);
      expect((await verify(file)).stderr).toBe('');
      const text = await readFile(file, 'utf8');
      expect(text).toContain(
        `EnvironmentFile=${environmentFile}\nLoadCredential=webhook-url:/run/secrets/webhook-url\nLoadCredential=token:/run/secrets/token\n`,
      );
    }
    for (const [flag, value, says] of [
      ['--environment-file', 'relative.env', 'give an absolute path'],
      ['--credential', 'no-file', 'give NAME:/absolute/file'],
    ] as const) {
      const bad = await runCli([
        'systemd',
        '--config',
        sandbox.configFile,
        '--out',
        out,
        flag,
        value,
      ]);
      expect(bad.exitCode).toBe(64);
      expect(bad.stderr).toContain(`${flag} ${value}: ${says}`);
    }
  });

  it('the check is real: systemd-analyze complains about a broken unit', async () => {
    const broken = join(out, 'broken.service');
    await writeFile(broken, '[Service]\nType=oneshoot\nExecStart=/bin/true\n');
    expect((await verify(broken)).stderr).toMatch(/Failed to parse service type/);
  });

  it('refuses a schedule systemd cannot read, with exit 78 naming /schedule', async () => {
    await sandbox.writeConfig({ schedule: 'every night please' });
    const run = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(
      '/schedule: "every night please" is not a systemd calendar expression',
    );
  });
});

describe('xs-upgrade systemd, with fleet.etcd', () => {
  it('also writes the optional watcher, a simple service systemd-analyze verify accepts', async () => {
    await sandbox.writeConfig({
      fleet: { id: 'web-1', group: 'web', etcd: { endpoints: ['http://127.0.0.1:2379'] } },
    });
    const run = await runCli(['systemd', '--config', sandbox.configFile, '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    const watch = join(out, 'xs-upgrade-watch.service');
    const checked = await verify(watch);
    expect(checked.stderr).toBe('');
    const text = await readFile(watch, 'utf8');
    expect(text).toContain('Type=simple');
    expect(text).toContain('Restart=always');
    expect(text).toMatch(
      new RegExp(
        `^ExecStart=\\S+ --max-semi-space-size=4 \\S+ fleet watch --config ${sandbox.configFile}$`,
        'm',
      ),
    );
    expect(run.stdout).toContain('systemctl enable --now xs-upgrade-watch.service');
  });
});
