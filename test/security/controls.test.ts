// Issue 27, item 6, as the reviewer did it: text xs-upgrade did not write (a step's output, an
// error, a reason another host put in the fleet store) carrying terminal controls: clear the
// screen (CSI 2J), set the window title and a hidden link (OSC 0, OSC 8), the same through the
// one-byte C1 controls (U+009B, U+009D), and a bidi override that reorders what is read. None may
// reach the terminal, the journal, a webhook or `status`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPayload } from '../../src/actors/sendNotifications.js';
import { runCommand } from '../../src/actors/runCommand.js';
import { main } from '../../src/cli/main.js';
import { createLog } from '../../src/log.js';
import { longestLine } from '../../src/sanitize.js';
import { newRunRecord } from '../../src/state/runRecords.js';
import { useSandboxes } from '../support/sandboxes.js';

const sandboxes = useSandboxes();

const attacks = [
  '\u001b[2J\u001b[H',
  '\u001b]0;pwned\u0007',
  '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
  '\u009b2J',
  '\u009d0;title\u0007',
  '\u202egnp.exe',
  '\u0007\u0008\u007f',
];
/** Anything a terminal would act on, left in printed text. */
const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function capturedLog(env: NodeJS.ProcessEnv = {}) {
  let text = '';
  const log = createLog({ write: (chunk) => (text += chunk), env, isTTY: false });
  return { log, text: () => (log.flush(), text) };
}

describe('text from elsewhere, printed or sent', () => {
  it("a step's output: every control gone, the words kept", async () => {
    const { log, text } = capturedLog();
    const printf = `printf '${attacks.map((attack) => `a${attack}b`).join('\\n')}\\n'`;
    await runCommand(
      { name: 'build', run: { shell: printf }, env: {}, cwd: '/' },
      { log, env: process.env, signal: new AbortController().signal },
    );
    const lines = text()
      .split('\n')
      .filter((line) => line.includes('[build]'));
    expect(lines).toHaveLength(attacks.length);
    for (const line of lines) expect(line).not.toMatch(control);
    expect(lines.map((line) => line.replace(/^.*\[build\] /, ''))).toContain('ab');
  });

  it('messages (an error, a reason from the fleet store): one line each, no controls, capped', () => {
    const { log, text } = capturedLog({ JOURNAL_STREAM: '8:1' });
    for (const attack of attacks) log.error(`held back by canary-1: ${attack}\nsecond line`);
    log.report('error', `cause: ${'x'.repeat(longestLine + 10)}`);
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(attacks.length + 1);
    for (const line of lines) expect(line.replace(/^<\d>/, '')).not.toMatch(control);
    expect(lines.at(-1)).toMatch(/\.\.\. \(\d+ more characters\)$/);
  });

  it('a webhook payload', () => {
    const payload = buildPayload('failure', {
      states: [],
      commits: [],
      config: 'host.json',
      failure: { state: 'pulling', message: attacks.join(' ') },
    });
    expect(payload.error).not.toMatch(control);
    expect(payload.error).toContain('gnp.exe');
  });

  it('`status` printing a record whose summary came from elsewhere', async () => {
    const sandbox = await sandboxes.sandbox();
    const stateDir = join(sandbox.dir, 'state');
    await mkdir(join(stateDir, 'runs'), { recursive: true, mode: 0o700 });
    const record = newRunRecord({
      config: sandbox.configFile,
      xsUpgradeVersion: 'x',
      forced: false,
    });
    Object.assign(record, {
      running: false,
      result: 'held-back',
      exitCode: 3,
      summary: `result: held back by ${attacks.join('')}`,
    });
    await writeFile(join(stateDir, 'runs', `${record.id}.json`), JSON.stringify(record));
    let out = '';
    const exitCode = await main({
      argv: ['status', '--config', sandbox.configFile],
      cwd: sandbox.dir,
      env: { NO_COLOR: '1' },
      stdout: { write: (chunk: string) => (out += chunk), isTTY: false },
      stderr: { write: () => true },
    });
    expect(exitCode).toBe(0);
    expect(out).toContain('result: held back by');
    expect(out).not.toMatch(control);
  });
});
