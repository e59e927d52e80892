// Maintenance windows read as a person reads them: wall-clock times in the window's zone, across
// midnight and on the nights daylight saving time begins and ends (Europe/Berlin, 2026).
import { describe, expect, it } from 'vitest';
import {
  checkWindows,
  knownTimeZone,
  type WindowSpec,
} from '../../src/config/maintenanceWindow.js';

const hours = (n: number) => n * 3_600_000;
const berlin = (start: string, length: number, days?: WindowSpec['days']): WindowSpec => ({
  start,
  lengthMs: hours(length),
  timeZone: 'Europe/Berlin',
  ...(days ? { days } : {}),
});
const at = (iso: string) => new Date(iso);

describe('maintenance windows', () => {
  it('inside and outside a daily window, with the next opening named', () => {
    const window = berlin('02:00', 3);
    expect(checkWindows([window], at('2026-03-03T02:30:00Z'))).toEqual({
      inside: true,
      closes: '05:00 Europe/Berlin',
    });
    expect(checkWindows([window], at('2026-03-03T12:00:00Z'))).toEqual({
      inside: false,
      next: 'Wed 02:00 Europe/Berlin',
    });
  });

  it('a window across midnight is open after midnight too', () => {
    const window = berlin('23:00', 3);
    expect(checkWindows([window], at('2026-03-03T23:30:00Z')).inside).toBe(true); // 00:30 local
    expect(checkWindows([window], at('2026-03-04T01:30:00Z')).inside).toBe(false); // 02:30 local
  });

  it('only on the days named', () => {
    const window = berlin('02:00', 1, ['Mon']);
    expect(checkWindows([window], at('2026-03-03T01:30:00Z'))).toEqual({
      inside: false,
      next: 'Mon 02:00 Europe/Berlin',
    }); // a Tuesday
    expect(checkWindows([window], at('2026-03-02T01:30:00Z')).inside).toBe(true);
  });

  it('spring forward: a start the clock jumps over opens at the jump, and closes by the wall clock', () => {
    const window = berlin('02:30', 3); // 2026-03-29: 02:00 CET -> 03:00 CEST
    expect(checkWindows([window], at('2026-03-29T00:45:00Z'))).toEqual({
      inside: false,
      next: 'Sun 03:00 Europe/Berlin',
    }); // 01:45 CET
    expect(checkWindows([window], at('2026-03-29T01:05:00Z'))).toEqual({
      inside: true,
      closes: '05:30 Europe/Berlin',
    }); // 03:05 CEST
    expect(checkWindows([window], at('2026-03-29T03:35:00Z')).inside).toBe(false); // 05:35 CEST
  });

  it('fall back: open from the first 02:30 to 05:30 by the wall clock (four real hours)', () => {
    const window = berlin('02:30', 3); // 2026-10-25: 03:00 CEST -> 02:00 CET
    expect(checkWindows([window], at('2026-10-25T00:20:00Z')).inside).toBe(false); // 02:20 CEST
    expect(checkWindows([window], at('2026-10-25T00:35:00Z')).inside).toBe(true); // 02:35 CEST
    expect(checkWindows([window], at('2026-10-25T04:15:00Z')).inside).toBe(true); // 05:15 CET
    expect(checkWindows([window], at('2026-10-25T04:35:00Z')).inside).toBe(false); // 05:35 CET
  });

  it('any of several windows; unknown time zones are told apart', () => {
    const windows = [berlin('02:00', 1, ['Sat']), berlin('14:00', 1)];
    expect(checkWindows(windows, at('2026-03-03T13:30:00Z')).inside).toBe(true);
    expect(knownTimeZone('Europe/Berlin')).toBe(true);
    expect(knownTimeZone('Europe/Atlantis')).toBe(false);
  });

  it('opens at its start to the minute and closes at its end (Berlin is UTC+1 in March)', () => {
    const window = berlin('02:00', 3);
    expect(checkWindows([window], at('2026-03-03T00:59:59Z')).inside).toBe(false);
    expect(checkWindows([window], at('2026-03-03T01:00:00Z')).inside).toBe(true);
    expect(checkWindows([window], at('2026-03-03T03:59:59Z')).inside).toBe(true);
    expect(checkWindows([window], at('2026-03-03T04:00:00Z'))).toEqual({
      inside: false,
      next: 'Wed 02:00 Europe/Berlin',
    });
  });

  it('inside two windows at once, it closes when the later one does, whichever is listed first', () => {
    const short = berlin('02:00', 1);
    const long = berlin('01:00', 4);
    for (const windows of [
      [short, long],
      [long, short],
    ])
      expect(checkWindows(windows, at('2026-03-03T01:30:00Z'))).toEqual({
        inside: true,
        closes: '05:00 Europe/Berlin',
      });
  });

  it('outside all, it names the soonest opening of any window, whichever is listed first', () => {
    const soon = berlin('14:00', 1);
    const later = berlin('20:00', 1);
    for (const windows of [
      [later, soon],
      [soon, later],
    ])
      expect(checkWindows(windows, at('2026-03-03T12:00:00Z'))).toEqual({
        inside: false,
        next: 'Tue 14:00 Europe/Berlin',
      });
  });

  it("names the host's zone for a window without one", () => {
    const verdict = checkWindows([{ start: '00:00', lengthMs: hours(24) }], new Date());
    expect(verdict).toEqual({
      inside: true,
      closes: `00:00 ${Intl.DateTimeFormat().resolvedOptions().timeZone}`,
    });
  });
});
