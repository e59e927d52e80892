// A signal that aborts when the run's does, or after `ms` with a TimeoutError (as
// AbortSignal.timeout gives). Not AbortSignal.any([AbortSignal.timeout(ms), signal]): in Node 20
// the timeout signal held only inside `any` can be garbage-collected before it fires, and the
// request then waits forever (seen with the bundled CLI: a webhook that never answered held the
// run until systemd stopped it).
export function deadlineSignal(
  parent: AbortSignal,
  ms: number,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException(`no answer within ${ms} ms (the operation timed out)`, 'TimeoutError'),
      ),
    ms,
  );
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
