// The run's own request deadline: a TimeoutError after its time, the run's stop passed on, and
// nothing left behind once cleared.
import { describe, expect, it } from 'vitest';
import { deadlineSignal } from '../../src/actors/deadline.js';

describe('deadlineSignal', () => {
  it('aborts with a TimeoutError after its time, even with nothing else holding it', async () => {
    const deadline = deadlineSignal(new AbortController().signal, 50);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect((deadline.signal.reason as Error).name).toBe('TimeoutError');
    deadline.clear();
  });

  it('passes on the run being stopped, and is quiet once cleared', async () => {
    const run = new AbortController();
    const first = deadlineSignal(run.signal, 10_000);
    run.abort(new Error('stopped'));
    expect(first.signal.aborted).toBe(true);
    expect((first.signal.reason as Error).message).toBe('stopped');
    first.clear();
    const second = deadlineSignal(new AbortController().signal, 20);
    second.clear();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(second.signal.aborted).toBe(false);
  });

  it('is aborted at once when the run already was, and names its time when it runs out', async () => {
    const run = new AbortController();
    run.abort(new Error('already stopped'));
    const late = deadlineSignal(run.signal, 10_000);
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as Error).message).toBe('already stopped');
    late.clear();
    const short = deadlineSignal(new AbortController().signal, 30);
    await new Promise((resolve) => short.signal.addEventListener('abort', resolve));
    expect((short.signal.reason as Error).message).toBe(
      'no answer within 30 ms (the operation timed out)',
    );
  });

  it('is deaf to the run once cleared', () => {
    const run = new AbortController();
    const cleared = deadlineSignal(run.signal, 10_000);
    cleared.clear();
    run.abort(new Error('stopped later'));
    expect(cleared.signal.aborted).toBe(false);
  });
});
