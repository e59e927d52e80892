import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-load-'));
  await mkdir(join(dir, 'repo'));
  await execa('git', ['init', '--quiet', join(dir, 'repo')]);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const good = { repos: [{ name: 'repo', path: 'repo' }], build: 'true', switch: 'true' };

async function problems(file: string, content: string): Promise<string[]> {
  await writeFile(join(dir, file), content);
  const error: unknown = await loadConfig(file, dir).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('loadConfig', () => {
  it('reads JSON and resolves paths against the config folder', async () => {
    await writeFile(join(dir, 'host.json'), JSON.stringify({ ...good, stateDir: 'state' }));
    const config = await loadConfig('host.json', dir);
    expect(config.repos[0]?.path).toBe(join(dir, 'repo'));
    expect(config.stateDir).toBe(join(dir, 'state'));
    expect(config.switch).toMatchObject({ name: 'switch', run: { shell: 'true' }, cwd: dir });
  });

  it('reads YAML with the same meaning', async () => {
    await writeFile(
      join(dir, 'host.yaml'),
      'repos:\n  - name: repo\n    path: repo\nbuild: [nix, build]\nswitch:\n  run: "true"\n  timeout: 90s\n',
    );
    const config = await loadConfig('host.yaml', dir);
    expect(config.build?.run).toEqual({ argv: ['nix', 'build'] });
    expect(config.switch.timeoutMs).toBe(90_000);
  });

  it('finds .xs-upgraderc.yaml when no file is given', async () => {
    await writeFile(
      join(dir, '.xs-upgraderc.yaml'),
      'repos: [{name: repo, path: repo}]\nbuild: "true"\nswitch: "true"\n',
    );
    expect((await loadConfig(undefined, dir)).file).toBe(join(dir, '.xs-upgraderc.yaml'));
  });

  it('finds the "xs-upgrade" key of package.json', async () => {
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'host', 'xs-upgrade': good }),
    );
    expect((await loadConfig(undefined, dir)).repos).toHaveLength(1);
  });

  it('says where it looked when there is no config', async () => {
    const error = (await loadConfig(undefined, dir).catch(
      (caught: unknown) => caught,
    )) as ConfigError;
    expect(error.problems[0]).toMatch(/no config found .*\.xs-upgraderc.*pass --config FILE/);
  });

  it('names a missing file', async () => {
    const error = (await loadConfig('nope.json', dir).catch(
      (caught: unknown) => caught,
    )) as ConfigError;
    expect(error.problems).toEqual([
      `${join(dir, 'nope.json')}: no such file: check the --config path`,
    ]);
  });

  it('gives line and column of malformed JSON', async () => {
    expect(await problems('bad.json', '{\n  "build": "x",\n  "switch": }\n')).toEqual([
      `${join(dir, 'bad.json')}: line 3, column 13: invalid JSON: Unexpected token '}'`,
    ]);
  });

  it('gives line and column of a trailing comma in JSON', async () => {
    const [line] = await problems('comma.json', '{\n  "build": "x",\n}\n');
    expect(line).toMatch(/comma\.json: line 3, column 1: invalid JSON/);
  });

  it('gives line and column of malformed YAML', async () => {
    const [line] = await problems('bad.yaml', 'build: x\nswitch: [a, b\nrepos: []\n');
    expect(line).toMatch(/bad\.yaml: line \d+, column \d+: invalid YAML/);
  });

  it('refuses duplicate keys in YAML', async () => {
    const [line] = await problems('dup.yaml', 'build: x\nbuild: y\nswitch: s\n');
    expect(line).toMatch(/dup\.yaml: line 2, column 1: invalid YAML: Map keys must be unique/);
  });

  it('refuses an empty file', async () => {
    expect(await problems('empty.yaml', '')).toEqual([
      `${join(dir, 'empty.yaml')}: the file is empty: see configs/minimal.json for a start`,
    ]);
  });

  it('prefixes schema problems with the file', async () => {
    expect(await problems('host.json', JSON.stringify({ ...good, mode: 'cloud' }))).toEqual([
      `${join(dir, 'host.json')}: /mode: must be one of "local", "remote" (got "cloud")`,
    ]);
  });

  it('refuses a repo path that does not exist', async () => {
    const [line] = await problems(
      'host.json',
      JSON.stringify({ ...good, repos: [{ name: 'gone', path: 'gone' }] }),
    );
    expect(line).toBe(
      `${join(dir, 'host.json')}: /repos/0/path: ${join(dir, 'gone')} does not exist: clone repo "gone" there or fix the path`,
    );
  });

  it('refuses a repo path that is not a git work tree', async () => {
    await mkdir(join(dir, 'plain'));
    const [line] = await problems(
      'host.json',
      JSON.stringify({ ...good, repos: [{ name: 'plain', path: 'plain' }] }),
    );
    expect(line).toMatch(/\/repos\/0\/path: .*plain is not a git work tree/);
  });
});
