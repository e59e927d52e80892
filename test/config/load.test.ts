import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { rejectionOf } from '../support/rejection.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-load-'));
  await mkdir(join(dir, 'repo'));
  await execa('git', ['init', '--quiet', join(dir, 'repo')]);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Loading as a user other than root does: the current folder is searched. */
const asUser = { asRoot: false };
const good = { repos: [{ name: 'repo', path: 'repo' }], build: 'true', switch: 'true' };

/** The problems a load is refused with (the test fails if it is not refused). */
const problemsOf = async (load: Promise<unknown>) =>
  (await rejectionOf(load, ConfigError)).problems;

async function problems(file: string, content: string): Promise<string[]> {
  await writeFile(join(dir, file), content);
  return problemsOf(loadConfig(file, dir));
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
    expect((await loadConfig(undefined, dir, asUser)).file).toBe(join(dir, '.xs-upgraderc.yaml'));
  });

  it('finds the "xs-upgrade" key of package.json', async () => {
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'host', 'xs-upgrade': good }),
    );
    expect((await loadConfig(undefined, dir, asUser)).repos).toHaveLength(1);
  });

  it('says where it looked when there is no config', async () => {
    const error = (await loadConfig(undefined, dir, asUser).catch(
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

describe('loadConfig as root (issue 27, item 1)', () => {
  it('does not search the current folder: names --config instead', async () => {
    await writeFile(join(dir, 'xs-upgrade.config.json'), JSON.stringify(good));
    const fallback = join(dir, 'gone.json');
    expect(await problemsOf(loadConfig(undefined, dir, { asRoot: true, fallback }))).toEqual([
      `${fallback}: no such file, and as root the current folder (${dir}) is not searched for a config (another user could have put one there): pass --config FILE`,
    ]);
  });

  it('never runs a JavaScript config another user could have written, even named', async () => {
    const home = join(dir, 'home');
    await mkdir(home);
    await chown(home, 65534, 65534);
    const ran = join(dir, 'ran-as-root');
    const config = join(home, 'xs-upgrade.config.mjs');
    await writeFile(
      config,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(ran)}, 'pwned');\nexport default ${JSON.stringify(good)};\n`,
    );
    await chown(config, 65534, 65534);
    expect(await problemsOf(loadConfig(config, dir, { asRoot: true }))).toEqual([
      expect.stringMatching(
        /the config file: .*xs-upgrade\.config\.mjs can be changed by other users \(owned by uid 65534\)/,
      ) as string,
    ]);
    await expect(stat(ran)).rejects.toThrow(/ENOENT/);
  });

  it('runs a root-owned JavaScript config only when it is named', async () => {
    const config = join(dir, 'host.mjs');
    await writeFile(config, `export default ${JSON.stringify(good)};\n`);
    expect(
      await problemsOf(loadConfig(undefined, dir, { asRoot: true, fallback: config })),
    ).toEqual([
      `${config}: a JavaScript config runs as root only when named with --config: pass --config ${config}`,
    ]);
    expect((await loadConfig(config, dir, { asRoot: true })).file).toBe(config);
  });
});

describe('loadConfig: where the config comes from', () => {
  it('reads the fallback file when no file is named and the folder has none', async () => {
    const fallback = join(dir, 'host-fallback.json');
    await writeFile(fallback, JSON.stringify(good));
    const empty = await mkdtemp(join(dir, 'cwd-'));
    const config = await loadConfig(undefined, empty, { fallback });
    expect(config.file).toBe(fallback);
    // Paths are resolved against the fallback's folder, not the current one.
    expect(config.repos[0]?.path).toBe(join(dir, 'repo'));
  });

  it('says the search found nothing when the fallback does not exist either', async () => {
    const empty = await mkdtemp(join(dir, 'cwd-'));
    expect(
      await problemsOf(
        loadConfig(undefined, empty, { ...asUser, fallback: join(dir, 'gone.json') }),
      ),
    ).toEqual([
      expect.stringMatching(new RegExp(`^${empty}: no config found .*: pass --config FILE$`)),
    ]);
  });

  it('never swaps a named file for the fallback', async () => {
    const fallback = join(dir, 'host-fallback.json');
    await writeFile(fallback, JSON.stringify(good));
    expect(await problemsOf(loadConfig('nope.json', dir, { fallback }))).toEqual([
      `${join(dir, 'nope.json')}: no such file: check the --config path`,
    ]);
  });

  it("takes a JavaScript config's default export", async () => {
    await writeFile(join(dir, 'host.mjs'), `export default ${JSON.stringify(good)};\n`);
    const config = await loadConfig('host.mjs', dir);
    expect(config.build?.run).toEqual({ shell: 'true' });
  });

  it('names a folder passed as the config', async () => {
    await mkdir(join(dir, 'configs'));
    expect(await problemsOf(loadConfig('configs', dir))).toEqual([
      `${join(dir, 'configs')}: is a folder: pass the config file itself`,
    ]);
  });

  it('takes a file of blanks for an empty one', async () => {
    expect(await problems('blank.json', ' \n\t\n')).toEqual([
      `${join(dir, 'blank.json')}: the file is empty: see configs/minimal.json for a start`,
    ]);
  });

  it('reads a found .xs-upgraderc.json with our messages for bad JSON', async () => {
    await writeFile(join(dir, '.xs-upgraderc.json'), '{\n  "build": "x",,\n}\n');
    // Column 16: the second comma.
    expect(await problemsOf(loadConfig(undefined, dir, asUser))).toEqual([
      `${join(dir, '.xs-upgraderc.json')}: line 2, column 16: invalid JSON: Expected double-quoted property name`,
    ]);
  });

  it('leaves the repos unchecked when asked (status and history do not need them)', async () => {
    await writeFile(
      join(dir, 'host.json'),
      JSON.stringify({ ...good, repos: [{ name: 'gone', path: 'gone' }] }),
    );
    const config = await loadConfig('host.json', dir, { checkRepos: false });
    expect(config.repos[0]?.path).toBe(join(dir, 'gone'));
  });

  it('refuses, as root, a config file other users could change', async () => {
    const file = join(dir, 'host.json');
    await writeFile(file, JSON.stringify(good));
    await chmod(file, 0o666);
    expect(await problemsOf(loadConfig('host.json', dir))).toEqual([
      `${file}: the config file: ${file} can be changed by other users (writable by everyone), and the config runs as root: \`chown root ${file} && chmod go-w ${file}\``,
    ]);
  });
});

describe('loadConfig: what a parse error says', () => {
  it('gives the end of the text when JSON stops early', async () => {
    expect(await problems('short.json', '{\n  "build": [1,')).toEqual([
      `${join(dir, 'short.json')}: line 2, column 15: invalid JSON: Unexpected end of JSON input`,
    ]);
  });

  it('turns the position V8 names into a line and column', async () => {
    const [line] = await problems('tab.json', '{"build": "a\tb", "switch": "s"}');
    expect(line).toBe(
      `${join(dir, 'tab.json')}: line 1, column 13: invalid JSON: Bad control character in string literal`,
    );
  });

  it('keeps YAML messages to one line, without repeating the position', async () => {
    expect(await problems('bad.yaml', 'build: x\nswitch: [a, b\nrepos: []\n')).toEqual([
      `${join(dir, 'bad.yaml')}: line 3, column 1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  it('names a YAML alias to no anchor, for the document as a whole', async () => {
    expect(await problems('alias.yaml', 'build: *nowhere\nswitch: s\n')).toEqual([
      `${join(dir, 'alias.yaml')}: /: invalid YAML: Unresolved alias (the anchor must be set before the alias): nowhere`,
    ]);
  });
});
