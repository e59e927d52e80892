// The reboot window: times of day in local time, a window that may cross midnight, [lower, upper).
// Dates are built from local fields, so the tests mean the same in any TZ.
import { describe, expect, it } from 'vitest';
import { insideTimeWindow, minutesOf } from '../../src/config/timeOfDay.js';

const at = (hours: number, minutes: number) => new Date(2026, 2, 3, hours, minutes);

describe('minutesOf', () => {
  it('counts minutes since midnight', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('02:30')).toBe(150);
    expect(minutesOf('23:59')).toBe(1439);
  });
});

describe('insideTimeWindow', () => {
  const night = { lower: '02:00', upper: '04:30' };

  it('is inside from the lower bound up to, not including, the upper one', () => {
    expect(insideTimeWindow(at(1, 59), night)).toBe(false);
    expect(insideTimeWindow(at(2, 0), night)).toBe(true);
    expect(insideTimeWindow(at(3, 15), night)).toBe(true);
    expect(insideTimeWindow(at(4, 29), night)).toBe(true);
    expect(insideTimeWindow(at(4, 30), night)).toBe(false);
    expect(insideTimeWindow(at(14, 0), night)).toBe(false);
  });

  it('counts the minutes of the hour (02:59 is not 02:00 minus 59)', () => {
    const short = { lower: '02:40', upper: '02:50' };
    expect(insideTimeWindow(at(2, 45), short)).toBe(true);
    expect(insideTimeWindow(at(2, 35), short)).toBe(false);
    expect(insideTimeWindow(at(2, 55), short)).toBe(false);
  });

  it('crosses midnight when the upper bound is earlier', () => {
    const late = { lower: '23:00', upper: '02:00' };
    expect(insideTimeWindow(at(22, 59), late)).toBe(false);
    expect(insideTimeWindow(at(23, 0), late)).toBe(true);
    expect(insideTimeWindow(at(0, 30), late)).toBe(true);
    expect(insideTimeWindow(at(1, 59), late)).toBe(true);
    expect(insideTimeWindow(at(2, 0), late)).toBe(false);
    expect(insideTimeWindow(at(12, 0), late)).toBe(false);
  });

  it('is all day when both bounds are the same', () => {
    for (const hour of [0, 5, 5, 13, 23])
      expect(insideTimeWindow(at(hour, 0), { lower: '05:00', upper: '05:00' })).toBe(true);
  });
});
