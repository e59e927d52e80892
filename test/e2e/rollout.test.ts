// Canaries first, against a real etcd 3.4: canary hosts report every run; followers take only
// commit sets proven on enough canaries for long enough (not the branch tip); a set any host
// rejected is quarantined fleet-wide until `fleet forgive`; the store going away; `fleet status`
// as JSON, text and a page rendered by headless Chromium. Hosts share one set of bare remotes,
// so their commits are the same commits.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../demo/sandbox.js';
import { fleetHost, pushToFleet, type Fleet } from '../support/fleetHosts.js';
import type { FleetView } from '../../src/fleet/admin.js';
import { runCli } from '../support/cli.js';
import { startHttpServer } from '../support/httpServer.js';
import { useSandboxes } from '../support/sandboxes.js';
import { useEtcd } from '../support/etcd.js';

const use = useSandboxes();

const cluster = useEtcd();
const newPrefix = () => cluster.newPrefix();

const host = (
  fleet: Fleet,
  id: string,
  options: { group: string; follow?: Record<string, unknown>; requireReport?: boolean },
) => fleetHost(use, cluster, fleet, id, options);
const push = pushToFleet;

const run = (sandbox: Sandbox, args: string[] = []) =>
  runCli(['run', '--config', sandbox.configFile, ...args]);

async function view(sandbox: Sandbox): Promise<FleetView> {
  const status = await runCli(['fleet', 'status', '--json', '--config', sandbox.configFile]);
  expect(status.exitCode, status.stderr).toBe(0);
  return JSON.parse(status.stdout) as FleetView;
}

const soak = '3s';
const afterSoak = () => new Promise((resolve) => setTimeout(resolve, 3200));

describe('canaries first', () => {
  it('a follower takes exactly the set the canary proved, after the soak, though upstream moved on', async () => {
    const fleet: Fleet = { prefix: newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak },
    });
    const v2 = await push(fleet, 'v2');
    const proved = await run(canary);
    expect(proved.exitCode, proved.stdout).toBe(0);
    expect(proved.stdout).toContain('fleet: reported healthy on these commits');
    await push(fleet, 'v3');

    const early = await run(follower);
    expect(early.exitCode, early.stdout).toBe(0);
    expect(early.stdout).toMatch(
      /result: nothing new \(waiting for canaries: 2 commits ahead, proven on 0 of 1; set [0-9a-f]{12} soaks until \S+\): nothing was built or switched/,
    );
    expect(early.states.at(-1)).toBe('done');

    await afterSoak();
    const followed = await run(follower);
    expect(followed.exitCode, followed.stdout).toBe(0);
    expect(followed.stdout).toMatch(
      /following canaries: taking commit set [0-9a-f]{12}, proven on canary-1 \(1 commit behind upstream\)/,
    );
    expect(await follower.head('nix-config')).toBe(v2);
    expect(await follower.head('nix-config')).not.toBe(await follower.remoteHead('nix-config'));

    // The canary takes v3 at once; the follower waits for its soak again.
    expect((await run(canary)).exitCode).toBe(0);
    const waiting = await run(follower);
    expect(waiting.stdout).toContain(
      'waiting for canaries: 1 commit ahead, proven on 0 of 1 (1 soaking)',
    );
  });

  it('a set a canary rejected is quarantined: the follower never takes it, a second canary skips it naming the host, until `fleet forgive`', async () => {
    const fleet: Fleet = { prefix: newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const second = await host(fleet, 'canary-2', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak },
    });
    const v2 = await push(fleet, 'v2');
    expect((await run(canary)).exitCode).toBe(0);
    const v3 = await push(fleet, 'v3', true);
    const failed = await run(canary);
    expect(failed.exitCode, failed.stdout).toBe(4);
    expect(failed.stdout).toContain(
      'fleet: reported; these commits are now quarantined fleet-wide',
    );

    const skipped = await run(second);
    expect(skipped.exitCode, skipped.stdout).toBe(3);
    expect(skipped.stdout).toMatch(
      /quarantined: canary-1 \(group canary\) rejected these commits at \S+, as that host reported it: validating: .*no broken services.*; not trying them \(`xs-upgrade fleet forgive ([0-9a-f]{12})`, or --force\)/,
    );
    expect(skipped.stdout).toMatch(
      /result: held back: upstream is at commits canary-1 rejected on \S+ \(fleet-wide quarantine\)/,
    );
    expect(skipped.states).not.toContain('building');
    const setOfV3 = /fleet forgive ([0-9a-f]{12})/.exec(skipped.stdout)?.[1] ?? '';

    // The follower's soak counts from when it first saw the canary's proof: this run.
    const early = await run(follower);
    expect(early.stdout).toContain('waiting for canaries');
    await afterSoak();
    const followed = await run(follower);
    expect(followed.exitCode, followed.stdout).toBe(0);
    expect(await follower.head('nix-config')).toBe(v2);
    expect(followed.stdout).toContain('proven on canary-1');

    const status = await view(canary);
    const rejected = status.sets.find((set) => set.id === setOfV3);
    expect(rejected?.commits['nix-config']).toBe(v3);
    expect(rejected?.rejected.map((entry) => [entry.host, entry.group])).toEqual([
      ['canary-1', 'canary'],
    ]);
    const proven = status.sets.find((set) => set.commits['nix-config'] === v2);
    expect(proven?.proven.map((proof) => proof.host).sort()).toEqual(['canary-1', 'web-1']);
    expect(
      status.hosts.map((entry) => [
        entry.id,
        entry.group,
        entry.result,
        entry.commits['nix-config'],
      ]),
    ).toEqual([
      ['canary-1', 'canary', 'rolled-back', v2],
      ['canary-2', 'canary', 'held-back', await second.head('nix-config')],
      ['web-1', 'web', 'upgraded', v2],
    ]);
    const text = await runCli(['fleet', 'status', '--config', canary.configFile]);
    expect(text.stdout).toContain(`REJECTED by canary-1 (canary) at`);
    expect(text.stdout).toMatch(
      /host web-1: upgraded at \S+, on nix-config [0-9a-f]{12}, nix-secrets/,
    );

    const forgiven = await runCli(['fleet', 'forgive', setOfV3, '--config', second.configFile]);
    expect(forgiven.exitCode, forgiven.stderr).toBe(0);
    expect(forgiven.stdout).toContain(`forgave ${setOfV3}: every host may try it again`);
    const retried = await run(second);
    expect(retried.states).toContain('validating');
    expect(retried.exitCode).toBe(4);
    expect(
      (await runCli(['fleet', 'forgive', 'ffffffffffff', '--config', second.configFile])).exitCode,
    ).toBe(64);
  });

  it('with the store down, a follower moves nothing (75); a canary too, unless requireReport is false', async () => {
    const fleet: Fleet = { prefix: newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak: '1s' },
    });
    const relaxed = await host(fleet, 'canary-2', { group: 'canary', requireReport: false });
    await push(fleet, 'v2');
    expect((await run(canary)).exitCode).toBe(0);
    const saved = {
      follower: await follower.head('nix-config'),
      relaxed: await relaxed.head('nix-config'),
    };
    await new Promise((resolve) => setTimeout(resolve, 1200));
    use.cleanup(() => cluster.etcd.start());
    await cluster.etcd.stop();

    const followerRun = await run(follower);
    expect(followerRun.exitCode, followerRun.stdout).toBe(75);
    expect(followerRun.stdout).toMatch(
      /cause: cannot read which commits the canaries proved: etcd http:\S+ read \S+ failed: cannot connect to \S+ \(ECONNREFUSED\); nothing was moved \(a follower never takes commits no canary proved\)/,
    );
    expect(await follower.head('nix-config')).toBe(saved.follower);

    const canaryRun = await run(canary, ['--force']);
    expect(canaryRun.exitCode, canaryRun.stdout).toBe(75);
    expect(canaryRun.stdout).toContain("cannot read the fleet's quarantine");

    const relaxedRun = await run(relaxed);
    expect(relaxedRun.exitCode, relaxedRun.stdout).toBe(0);
    expect(relaxedRun.stdout).toContain(
      'going on without the fleet-wide quarantine, unreported (requireReport false)',
    );
    expect(relaxedRun.stdout).toContain('switching without a fleet slot (requireReport false)');
    expect(relaxedRun.stdout).toContain('fleet: the report could not be sent');
    expect(await relaxed.head('nix-config')).not.toBe(saved.relaxed);

    await cluster.etcd.start();
    const later = await run(relaxed);
    expect(later.stdout).toContain('sent 1 fleet report an earlier run could not send');
    const status = await view(relaxed);
    const proof = status.sets.find((set) => set.proven.some((entry) => entry.host === 'canary-2'));
    expect(proof?.commits['nix-config']).toBe(await relaxed.head('nix-config'));
  });

  it('follow needs etcd: exit 78', async () => {
    const sandbox = await use.sandbox({
      fleet: { id: 'x', follow: { group: 'canary' }, fleetLock: { url: 'http://127.0.0.1:9' } },
    });
    const result = await runCli(['validate', '--config', sandbox.configFile]);
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toMatch(/\/fleet/);
  });
});

describe('fleet status --html', () => {
  it('one self-contained page: each host and its result, rendered by headless Chromium, loading nothing', async () => {
    const fleet: Fleet = { prefix: newPrefix() };
    const canary = await host(fleet, 'canary-1', { group: 'canary' });
    const follower = await host(fleet, 'web-1', {
      group: 'web',
      follow: { group: 'canary', hosts: 1, soak: '1h' },
    });
    await push(fleet, 'v2');
    expect((await run(canary)).exitCode).toBe(0);
    expect((await run(follower)).exitCode).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-page-'));
    use.cleanup(() => rm(dir, { recursive: true, force: true }));
    const page = join(dir, 'fleet.html');
    const written = await runCli([
      'fleet',
      'status',
      '--html',
      page,
      '--config',
      canary.configFile,
    ]);
    expect(written.exitCode, written.stderr).toBe(0);
    expect(written.stdout).toBe(`wrote ${page}`);
    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);

    // Every request Chromium makes goes through this proxy. Chromium asks Google for the time and
    // for component updates by itself, whatever the page; anything else would be the page's.
    const proxy = await startHttpServer();
    use.cleanup(() => proxy.close());
    const render = (file: string) =>
      execa(
        'chromium',
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${join(dir, 'profile')}`,
          `--proxy-server=${proxy.url}`,
          '--dump-dom',
          `file://${file}`,
        ],
        { reject: false, timeout: 60_000 },
      );
    const pageRequests = () =>
      proxy.requests.filter(
        (request) =>
          !/^http:\/\/[a-z0-9.]+\.(google|googleapis|gvt1|gstatic)\.com\//.test(request.url),
      );
    const rendered = await render(page);
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const text = rendered.stdout.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('xs-upgrade fleet');
    expect(text).toMatch(/canary-1 upgraded/);
    expect(text).toMatch(/web-1 nothing-new/);
    expect(rendered.stdout).toMatch(/<tr class="ok"><td class="host">canary-1/);
    expect(text).toMatch(/canary 0 of 1 slot held · on set [0-9a-f]{12}/);
    expect(pageRequests()).toEqual([]);

    // The check can fail: a page that loads an image is seen by the proxy.
    const control = join(dir, 'control.html');
    await writeFile(control, '<!doctype html><img src="http://fleet-page-control.invalid/x.png">');
    await render(control);
    expect(pageRequests().map((request) => request.url)).toEqual([
      'http://fleet-page-control.invalid/x.png',
    ]);
  }, 120_000);
});
