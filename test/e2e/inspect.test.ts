// --inspect and --inspect-log against real sockets: a WebSocket server on 127.0.0.1, a closed port.
import { readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';
import { statePathOf } from '../../src/machine/statePath.js';
import { runCli } from '../support/cli.js';

interface InspectionMessage {
  type: string;
  sessionId: string;
  parentId?: string;
  snapshot?: { value?: unknown };
}

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(
    sandboxes.splice(0).map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })),
  );
});

async function upgradeableHost(): Promise<Sandbox> {
  const sandbox = await createSandbox();
  sandboxes.push(sandbox);
  await sandbox.pushUpstream('nix-config', 'configuration.nix', '# new\n', 'new');
  return sandbox;
}

/** The states of the root machine, from its snapshot events, in order and without repeats. */
function rootStates(messages: InspectionMessage[]): string[] {
  const root = messages.find(
    (message) => message.type === '@xstate.actor' && !message.parentId,
  )?.sessionId;
  const states: string[] = [];
  for (const message of messages) {
    if (message.type !== '@xstate.snapshot' || message.sessionId !== root) continue;
    const state = statePathOf(message.snapshot?.value);
    if (states.at(-1) !== state) states.push(state);
  }
  return states;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('xs-upgrade run --inspect', () => {
  it('streams a snapshot of every state the run visited to a WebSocket server', async () => {
    const sandbox = await upgradeableHost();
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const messages: InspectionMessage[] = [];
    server.on('connection', (socket) =>
      socket.on('message', (data: Buffer) =>
        messages.push(JSON.parse(data.toString()) as InspectionMessage),
      ),
    );
    try {
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await runCli(['run', '--config', sandbox.configFile, '--inspect', url]);
      expect(run.exitCode).toBe(0);
      expect(run.states).toEqual([
        'hooksRunning',
        'snapshotting',
        'pulling',
        'building',
        'validating',
        'switching',
        'done',
      ]);
      expect(rootStates(messages)).toEqual(run.states);
      // Each invoked step shows up as an actor of its own, as the inspector draws them.
      const actors = messages.filter((message) => message.type === '@xstate.actor').length;
      expect(actors).toBeGreaterThan(run.states.length - 1);
    } finally {
      server.close();
    }
  });

  it('finishes about as fast as without it, and exits, when nothing listens', async () => {
    const sandbox = await upgradeableHost();
    const port = await closedPort();
    const started = performance.now();
    const run = await runCli([
      'run',
      '--config',
      sandbox.configFile,
      '--inspect',
      `ws://127.0.0.1:${port}`,
    ]);
    const withInspector = performance.now() - started;
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('the run goes on without it');
    // The same run again (now "nothing new") without the inspector, for scale. The library's own
    // adapter would wait 5 s before its first retry and never let the process exit.
    const startedPlain = performance.now();
    await runCli(['run', '--config', sandbox.configFile]);
    const plain = performance.now() - startedPlain;
    expect(withInspector).toBeLessThan(plain + 2000);
  });

  it('--inspect-log writes every inspection event as a JSON line', async () => {
    const sandbox = await upgradeableHost();
    const logFile = join(sandbox.dir, 'inspect.jsonl');
    const run = await runCli(['run', '--config', sandbox.configFile, '--inspect-log', logFile]);
    expect(run.exitCode).toBe(0);
    const messages = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as InspectionMessage);
    expect(rootStates(messages)).toEqual(run.states);
  });

  it('starts the local relay without a URL, says where to open it, and exits when not on a terminal', async () => {
    const sandbox = await upgradeableHost();
    const run = await runCli(['run', '--config', sandbox.configFile, '--inspect']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /inspector relay: open http:\/\/127\.0\.0\.1:\d+\/ in a browser on this host \(it listens on 127\.0\.0\.1 only\)/,
    );
  });

  it('exits 64 on a URL that is not ws://', async () => {
    const sandbox = await upgradeableHost();
    const run = await runCli([
      'run',
      '--config',
      sandbox.configFile,
      '--inspect',
      'http://example.invalid',
    ]);
    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain('--inspect http://example.invalid: not a ws:// or wss:// URL');
  });
});
