// Durations in the config: "500ms", "90s", "5m", "2h", or systemd's time spans ("45min",
// "1h 30m", "1h30m"; systemd.time(7)), so a value that works in a unit works here too. The schema
// checks the form.
const unitMs: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const whole = /^ *(?:[0-9]+ *[a-z]+ *)+$/;
const part = /([0-9]+) *([a-z]+)/g;

export function parseDuration(text: string): number {
  const fail = () =>
    new Error(`not a duration: ${JSON.stringify(text)} (use e.g. "90s", "5m", "2h", "1h 30m")`);
  if (!whole.test(text)) throw fail();
  let total = 0;
  for (const [, amount, unit] of text.matchAll(part)) {
    const ms = unitMs[unit ?? ''];
    if (ms === undefined) throw fail();
    total += Number(amount) * ms;
  }
  return total;
}

/**
 * "999ms", "59.9s", "2m05s". Rounded once, to the unit shown, before it is split: 59.96 s is
 * "1m00s", never "60.0s", and 119.5 s is "2m00s", never "1m60s".
 */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
