// The facts the skip and reboot guards read, from real files and programs: sysfs power supplies
// laid out in a folder, an `nmcli` on PATH that prints what NetworkManager would, and NixOS system
// folders whose kernel, initrd and modules are real symlinks.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkConditions, meteredConnection, onAcPower } from '../../src/actors/checkConditions.js';
import { inspectBoot } from '../../src/actors/inspectBoot.js';
import type { CommandSpec } from '../../src/config/resolve.js';
import { memoryLog } from '../support/memoryLog.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-facts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A sysfs root with these power supplies (name: type and online). */
async function sysfs(supplies: Record<string, { type: string; online?: string }>) {
  const root = join(dir, `sys-${Object.keys(supplies).join('-') || 'none'}`);
  for (const [name, { type, online }] of Object.entries(supplies)) {
    const folder = join(root, 'class', 'power_supply', name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'type'), `${type}\n`);
    if (online !== undefined) await writeFile(join(folder, 'online'), `${online}\n`);
  }
  return root;
}

/**
 * An environment whose PATH has an `nmcli` that prints `output` (and exits `code`, saying
 * `stderr`), as NetworkManager's would for the one call we make; any other call gets nmcli's
 * usage error, so a changed field list or option fails here as it would on a host.
 */
async function nmcli(output: string, code = 0, stderr = 'Error: NetworkManager is not running.') {
  const bin = join(dir, `bin-${Math.random().toString(36).slice(2)}`);
  await mkdir(bin);
  await writeFile(join(bin, 'output'), output);
  await writeFile(
    join(bin, 'nmcli'),
    [
      '#!/bin/sh',
      'if [ "$*" != "-t -f GENERAL.DEVICE,GENERAL.STATE,GENERAL.METERED device show" ]; then',
      `  echo "Error: invalid arguments: $*" >&2; exit 2`,
      'fi',
      `cat "${join(bin, 'output')}"`,
      `[ ${code} -eq 0 ] || [ -z "${stderr}" ] || echo "${stderr}" >&2`,
      `exit ${code}`,
      '',
    ].join('\n'),
  );
  await chmod(join(bin, 'nmcli'), 0o755);
  return { ...process.env, PATH: `${bin}:/usr/bin:/bin` };
}

const deps = (env: NodeJS.ProcessEnv = process.env) => ({
  log: memoryLog(),
  env,
  signal: new AbortController().signal,
});

describe('onAcPower (systemd ConditionACPower)', () => {
  it('is on AC with a Mains supply online, or with no supply at all', async () => {
    expect(
      await onAcPower(
        await sysfs({ AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery' } }),
      ),
    ).toBe(true);
    expect(await onAcPower(await sysfs({}))).toBe(true);
    expect(await onAcPower(join(dir, 'no-such-sysfs'))).toBe(true);
    expect(await onAcPower(await sysfs({ ucsi: { type: 'USB', online: '0' } }))).toBe(true);
  });

  it('is on battery when every Mains supply is offline, or there are only batteries', async () => {
    expect(
      await onAcPower(
        await sysfs({ AC: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery' } }),
      ),
    ).toBe(false);
    expect(await onAcPower(await sysfs({ AC: { type: 'Mains' } }))).toBe(false);
    expect(await onAcPower(await sysfs({ BAT0: { type: 'Battery', online: '1' } }))).toBe(false);
  });

  it('says which folder it could not read', async () => {
    const root = join(dir, 'file-root');
    await mkdir(join(root, 'class'), { recursive: true });
    await writeFile(join(root, 'class', 'power_supply'), 'not a folder');
    await expect(onAcPower(root)).rejects.toThrow(
      `cannot read ${join(root, 'class', 'power_supply')} (ENOTDIR)`,
    );
  });
});

describe('meteredConnection (NetworkManager)', () => {
  const device = (name: string, state: string, metered: string) =>
    `GENERAL.DEVICE:${name}\nGENERAL.STATE:${state}\nGENERAL.METERED:${metered}\n`;

  it('is metered only when a connected device says so or guesses so', async () => {
    const wifi = device('wlan0', '100 (connected)', 'yes');
    const guessed = device('wwan0', '100 (connected)', 'guess-yes');
    const offline = device('wwan0', '30 (disconnected)', 'yes');
    const unmetered = device('eth0', '100 (connected)', 'no');
    expect(await meteredConnection(deps(await nmcli(`${unmetered}\n${wifi}`)))).toBe(true);
    expect(await meteredConnection(deps(await nmcli(guessed)))).toBe(true);
    expect(await meteredConnection(deps(await nmcli(`${offline}\n${unmetered}`)))).toBe(false);
    expect(await meteredConnection(deps(await nmcli('')))).toBe(false);
  });

  it('names the fix when nmcli fails, and counts a host without it as unmetered', async () => {
    await expect(meteredConnection(deps(await nmcli('', 8)))).rejects.toThrow(
      'nmcli could not say whether the connection is metered (Error: NetworkManager is not running.): fix NetworkManager, or drop "unmetered" from conditions',
    );
    await expect(meteredConnection(deps(await nmcli('', 3, '')))).rejects.toThrow(
      'nmcli could not say whether the connection is metered (exit code 3): fix NetworkManager, or drop "unmetered" from conditions',
    );
    const none = deps({ ...process.env, PATH: join(dir, 'empty') });
    expect(await meteredConnection(none)).toBe(false);
  });

  it('reads each device on its own, whichever comes first', async () => {
    const wifi = device('wlan0', '100 (connected)', 'yes');
    const unmetered = device('eth0', '100 (connected)', 'no');
    expect(await meteredConnection(deps(await nmcli(`${wifi}\n${unmetered}`)))).toBe(true);
    expect(await meteredConnection(deps(await nmcli(`${unmetered}\n${wifi}`)))).toBe(true);
  });

  it('says once per process that NetworkManager is not installed', async () => {
    // A fresh copy of the module: what it has said is kept per process.
    vi.resetModules();
    const fresh = await import('../../src/actors/checkConditions.js');
    const log = memoryLog();
    const none = {
      log,
      env: { ...process.env, PATH: join(dir, 'empty') },
      signal: new AbortController().signal,
    };
    expect(await fresh.meteredConnection(none)).toBe(false);
    expect(await fresh.meteredConnection(none)).toBe(false);
    expect(log.lines).toEqual([
      'NetworkManager (nmcli) is not installed: counting the connection as unmetered',
    ]);
  });
});

describe('checkConditions', () => {
  const window = { start: '02:00', lengthMs: 3 * 3_600_000, timeZone: 'UTC' };

  it('holds inside the window, on AC, unmetered', async () => {
    const config = {
      windows: [window],
      conditions: {
        acPower: true,
        unmetered: true,
        sysfsRoot: await sysfs({ AC: { type: 'Mains', online: '1' } }),
      },
    };
    const env = await nmcli(
      'GENERAL.DEVICE:eth0\nGENERAL.STATE:100 (connected)\nGENERAL.METERED:no\n',
    );
    expect(await checkConditions(config, deps(env), new Date('2026-03-03T02:30:00Z'))).toEqual({
      hold: true,
    });
  });

  it('gives every reason it does not hold, in one line', async () => {
    const config = {
      windows: [window],
      conditions: {
        acPower: true,
        unmetered: true,
        sysfsRoot: await sysfs({ BAT0: { type: 'Battery' } }),
      },
    };
    const env = await nmcli(
      'GENERAL.DEVICE:wlan0\nGENERAL.STATE:100 (connected)\nGENERAL.METERED:yes\n',
    );
    expect(await checkConditions(config, deps(env), new Date('2026-03-03T12:00:00Z'))).toEqual({
      hold: false,
      reason:
        'outside the maintenance window (next: Wed 02:00 UTC), on battery, metered connection',
    });
  });

  it('asks nothing it was not told to check', async () => {
    const config = {
      windows: [],
      conditions: { acPower: false, unmetered: false, sysfsRoot: join(dir, 'unused') },
    };
    // An nmcli that would fail: never run.
    expect(await checkConditions(config, deps(await nmcli('', 8)))).toEqual({ hold: true });
  });
});

describe('inspectBoot', () => {
  const reboot = (bootedSystem: string, window?: { lower: string; upper: string }) => ({
    when: 'needed' as const,
    ...(window ? { window } : {}),
    command: { name: 'reboot', run: { argv: ['true'] }, env: {}, cwd: dir } satisfies CommandSpec,
    bootedSystem,
  });

  /** A NixOS system folder: kernel, initrd and kernel-modules links into the store. */
  async function system(name: string, kernel: string, modules = kernel) {
    const folder = join(dir, name);
    await mkdir(folder);
    await symlink(`/nix/store/${kernel}-linux/bzImage`, join(folder, 'kernel'));
    await symlink(`/nix/store/${kernel}-initrd/initrd`, join(folder, 'initrd'));
    await symlink(`/nix/store/${modules}-modules/lib`, join(folder, 'kernel-modules'));
    return folder;
  }

  it('needs a reboot when the kernel, initrd or modules changed, and reads the window', async () => {
    const booted = await system('booted', '6.6.1');
    const same = await system('same', '6.6.1');
    const newKernel = await system('new-kernel', '6.6.2');
    const newModules = await system('new-modules', '6.6.1', '6.6.1-patched');
    const night = { lower: '03:00', upper: '05:00' };
    expect(await inspectBoot(reboot(booted), same)).toEqual({
      kernelChanged: false,
      insideWindow: true,
    });
    expect(await inspectBoot(reboot(booted, night), newKernel, new Date(2026, 2, 3, 4, 0))).toEqual(
      {
        kernelChanged: true,
        insideWindow: true,
        window: '03:00-05:00',
      },
    );
    expect(
      await inspectBoot(reboot(booted, night), newModules, new Date(2026, 2, 3, 12, 0)),
    ).toEqual({
      kernelChanged: true,
      insideWindow: false,
      window: '03:00-05:00',
    });
  });

  it('reads the bootspec where both systems have one: kernel, initrd and kernel parameters', async () => {
    const bootspec = async (name: string, kernel: string, params: string[]) => {
      const folder = await system(name, '6.6.1');
      const spec = {
        kernel: `/nix/store/${kernel}/bzImage`,
        initrd: '/nix/store/i/initrd',
        kernelParams: params,
      };
      await writeFile(join(folder, 'boot.json'), JSON.stringify({ 'org.nixos.bootspec.v1': spec }));
      return folder;
    };
    const booted = await bootspec('booted', 'k1', ['quiet']);
    // The links say "same" (all 6.6.1): only the bootspec tells the change.
    expect(
      (
        await inspectBoot(
          reboot(booted),
          await bootspec('params', 'k1', ['quiet', 'mitigations=off']),
        )
      ).kernelChanged,
    ).toBe(true);
    expect(
      (await inspectBoot(reboot(booted), await bootspec('kernel', 'k2', ['quiet']))).kernelChanged,
    ).toBe(true);
    expect(
      (await inspectBoot(reboot(booted), await bootspec('same', 'k1', ['quiet']))).kernelChanged,
    ).toBe(false);
    // Without a bootspec on one side (a NixOS before bootspec), both are read by their links.
    expect((await inspectBoot(reboot(booted), await system('old', '6.6.2'))).kernelChanged).toBe(
      true,
    );
    const broken = await system('broken', '6.6.1');
    await writeFile(join(broken, 'boot.json'), '{"something": "else"}');
    await expect(inspectBoot(reboot(booted), broken)).rejects.toThrow(
      `${join(broken, 'boot.json')} is not a NixOS bootspec (expected "org.nixos.bootspec.v1" with "kernel", "initrd" and "kernelParams"): is ${broken} a NixOS system?`,
    );
  });

  it('says what it expected of a regular file where a link should be, and "always" reads nothing', async () => {
    const booted = await system('booted', '6.6.1');
    const files = join(dir, 'files');
    await mkdir(files);
    for (const part of ['kernel', 'initrd', 'kernel-modules'])
      await writeFile(join(files, part), 'x');
    await expect(inspectBoot(reboot(booted), files)).rejects.toThrow(
      new RegExp(
        `is a regular file, not a link into the Nix store as in a NixOS system: is ${files.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} one\\?$`,
      ),
    );
    // "always" reboots whatever the boot files say, so it reads none of them.
    expect(await inspectBoot({ ...reboot(booted), when: 'always' }, files)).toEqual({
      insideWindow: true,
    });
  });

  it('says which link it could not read, and asks whether it is a NixOS system', async () => {
    const booted = await system('booted', '6.6.1');
    const plain = join(dir, 'plain');
    await mkdir(plain);
    // The three links are read at once: whichever is found missing first is named.
    const escaped = plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(inspectBoot(reboot(booted), plain)).rejects.toThrow(
      new RegExp(
        `^cannot read ${escaped}/(kernel|initrd|kernel-modules) \\(ENOENT\\): is ${escaped} a NixOS system\\?$`,
      ),
    );
  });
});
