import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLog, drainedOf } from '../../src/log.js';

function capture(env: NodeJS.ProcessEnv, isTTY: boolean) {
  let text = '';
  const log = createLog({
    write: (chunk) => (text += chunk),
    env,
    isTTY,
    now: () => new Date('2026-01-02T03:04:05.678Z'),
  });
  return { log, text: () => text };
}

describe('log', () => {
  it('timestamps each line and says how long the previous state took', () => {
    const { log, text } = capture({}, false);
    log.state('building', { name: 'pulling', ms: 1500 });
    log.output('build', 'compiling');
    log.flush();
    expect(text()).toBe(
      '03:04:05.678 state building (pulling took 1.5s)\n03:04:05.678 [build] compiling\n',
    );
  });

  it('colours a terminal, unless NO_COLOR is set', () => {
    const tty = capture({}, true);
    tty.log.warn('careful');
    expect(tty.text()).toContain('\u001b[33m');
    const noColor = capture({ NO_COLOR: '' }, true);
    noColor.log.warn('careful');
    expect(noColor.text()).not.toContain('\u001b[');
  });

  it('uses syslog priorities under journald, without colour or timestamps', () => {
    const { log, text } = capture({ JOURNAL_STREAM: '8:1' }, true);
    log.error('broken');
    log.warn('careful');
    log.info('fine');
    expect(text()).toBe('<3>error: broken\n<4>warning: careful\n<6>fine\n');
  });

  it('strips terminal escape sequences from command output', () => {
    const { log, text } = capture({}, false);
    log.output('build', '\u001b[31mred\u001b[0m and \u0007bell');
    log.flush();
    expect(text()).toContain('[build] red and bell');
  });
});

describe('log output blocks and backlog', () => {
  it('prefixes every line of a block; under journald only the priority and the step', () => {
    const plain = capture({}, false);
    plain.log.output('build', 'one\ntwo\u001b[31m red');
    plain.log.flush();
    expect(plain.text()).toBe('03:04:05.678 [build] one\n03:04:05.678 [build] two red\n');
    const journal = capture({ JOURNAL_STREAM: '8:1' }, false);
    journal.log.output('build', 'one\ntwo');
    journal.log.flush();
    expect(journal.text()).toBe('<6>[build] one\n<6>[build] two\n');
  });

  it('says it is behind from a write that returned false until the reader drains', async () => {
    let drain: () => void = () => undefined;
    const log = createLog({
      write: () => false,
      drained: () => new Promise<void>((resolve) => (drain = resolve)),
      env: {},
      isTTY: false,
    });
    expect(log.backlog?.()).toBeUndefined();
    log.info('a line the reader has not taken yet');
    const behind = log.backlog?.();
    expect(behind).toBeInstanceOf(Promise);
    drain();
    await behind;
    expect(log.backlog?.()).toBeUndefined();
  });

  it('waits on a real slow stream without piling up listeners, and never on a closed one', async () => {
    // A reader that takes one small chunk at a time: every write past its buffer returns false.
    const slow = new Writable({
      highWaterMark: 16,
      write: (_chunk, _encoding, callback) => setImmediate(callback),
    });
    const log = createLog({
      write: (text) => slow.write(text),
      drained: drainedOf(slow),
      env: {},
      isTTY: false,
    });
    for (let round = 0; round < 50; round += 1) {
      log.info(`line ${round} that is longer than the reader's buffer`);
      const behind = log.backlog?.();
      expect(behind).toBeInstanceOf(Promise);
      await behind;
    }
    for (const event of ['drain', 'close', 'error'])
      expect(slow.listenerCount(event), event).toBe(0);
    slow.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    // A reader gone for good: the wait ends at once instead of hanging the build.
    await expect(drainedOf(slow)()).resolves.toBeUndefined();
  });
});
