// Durations: our short forms and systemd's time spans (systemd.time(7)), as the schema admits them.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { validateConfig } from '../../src/config/validate.js';

const base = { repos: [{ name: 'a', path: '.' }], build: 'b', switch: 's' };

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['45min', 2_700_000],
    ['1h 30m', 5_400_000],
    ['1h30m', 5_400_000],
    ['2 hours', 7_200_000],
    ['1d', 86_400_000],
    ['1w 2d', 9 * 86_400_000],
    ['30sec', 30_000],
  ])('%s is %i ms, and the schema takes it', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(validateConfig({ ...base, randomizedDelaySec: text }).errors).toEqual([]);
  });

  it.each(['', '5', 'm5', '10 fortnights', '1.5h', '-5m', '5 m x'])(
    'refuses %j, in the schema and in the parser',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/not a duration/);
      expect(validateConfig({ ...base, randomizedDelaySec: text }).errors[0]).toMatch(
        /^\/randomizedDelaySec: .* is not valid/,
      );
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999.4, '999ms'],
    [1000, '1.0s'],
    [59_940, '59.9s'],
    [60_000, '1m00s'],
    [125_400, '2m05s'],
    [3_599_000, '59m59s'],
    [7_260_000, '121m00s'],
    // Rounded once, then split: never "60.0s", "1m60s" or "9m60s".
    [59_999, '1m00s'],
    [59_950, '1m00s'],
    [999.6, '1.0s'],
    [119_500, '2m00s'],
    [599_700, '10m00s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
