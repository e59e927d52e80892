// Maintenance windows (`window`): on which days, from which time of day, for how long, in which
// time zone (Zincati's "periodic" strategy in our names). Pure: `now` is an argument.
//
// Times are wall-clock times in the window's zone, as a person reading the config expects:
// "start 02:30, length 3h" is open from 02:30 to 05:30 by the clock on the wall, also on the days
// daylight saving time begins or ends (so that day the window is 2 or 4 real hours long). A start
// or end the clock jumps over (02:30 on the spring-forward night in Europe/Berlin) is the moment
// of the jump (03:00); one the clock passes twice (the fall-back night) is its first pass.

export const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Weekday = (typeof weekdays)[number];

export interface WindowSpec {
  days?: Weekday[];
  /** "HH:MM". */
  start: string;
  lengthMs: number;
  /** IANA zone; undefined: the host's. */
  timeZone?: string;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      ...(timeZone ? { timeZone } : {}),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(key, found);
  }
  return found;
}

/** Whether the time zone is one this Node knows (for validation). */
export function knownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `instant` in the zone, as milliseconds of a UTC "wall" timeline. */
function wallOf(instant: number, timeZone: string | undefined): { wall: number; weekday: string } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return { wall, weekday: parts.weekday ?? '' };
}

/** The instant the wall clock in the zone shows `wall` (see the top of this file for gaps). */
function instantOf(wall: number, timeZone: string | undefined): number {
  const offsets = [wall - dayMs, wall, wall + dayMs].map(
    (probe) => wallOf(probe, timeZone).wall - Math.floor(probe / minuteMs) * minuteMs,
  );
  const candidates = [...new Set(offsets.map((offset) => wall - offset))].sort((a, b) => a - b);
  const exact = candidates.find((candidate) => wallOf(candidate, timeZone).wall === wall);
  if (exact !== undefined) return exact;
  // In a gap: the first minute whose wall time is past `wall` is when the clock jumped over it.
  let low = (candidates[0] ?? wall) - dayMs;
  let high = (candidates.at(-1) ?? wall) + dayMs;
  while (high - low > minuteMs) {
    const middle = Math.floor((low + high) / 2 / minuteMs) * minuteMs;
    if (wallOf(middle, timeZone).wall >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/** The window's openings that start within a few days of `now`, as [start, end) instants. */
function openings(window: WindowSpec, now: number): { start: number; end: number }[] {
  const [hours = 0, minutes = 0] = window.start.split(':').map(Number);
  const today = wallOf(now, window.timeZone).wall;
  const midnight = today - (today % dayMs);
  const result: { start: number; end: number }[] = [];
  // Back far enough for a window longer than a day to still be open, forward a week for "next".
  const back = Math.ceil(window.lengthMs / dayMs) + 1;
  for (let day = -back; day <= 8; day += 1) {
    const wallStart = midnight + day * dayMs + (hours * 60 + minutes) * minuteMs;
    const weekday = weekdays[new Date(wallStart).getUTCDay()] ?? 'Sun';
    if (window.days && !window.days.includes(weekday)) continue;
    result.push({
      start: instantOf(wallStart, window.timeZone),
      end: instantOf(wallStart + window.lengthMs, window.timeZone),
    });
  }
  return result;
}

export interface WindowVerdict {
  inside: boolean;
  /** When the next window opens, e.g. "Tue 02:00 Europe/Berlin"; set when outside. */
  next?: string;
  /** When the window that is open now closes, e.g. "05:00 Europe/Berlin"; set when inside. */
  closes?: string;
}

/** Whether `now` is inside any of the windows, and when the next one opens. */
export function checkWindows(windows: WindowSpec[], now: Date): WindowVerdict {
  const at = now.getTime();
  const all = windows.flatMap((window) =>
    openings(window, at).map((opening) => ({ ...opening, timeZone: window.timeZone })),
  );
  const open = all.filter((opening) => opening.start <= at && at < opening.end);
  if (open.length > 0) {
    const last = open.reduce((a, b) => (b.end > a.end ? b : a));
    return { inside: true, closes: describe(last.end, last.timeZone, false) };
  }
  const upcoming = all.filter((opening) => opening.start > at).sort((a, b) => a.start - b.start)[0];
  return {
    inside: false,
    ...(upcoming ? { next: describe(upcoming.start, upcoming.timeZone, true) } : {}),
  };
}

function describe(instant: number, timeZone: string | undefined, withDay: boolean): string {
  const { wall, weekday } = wallOf(instant, timeZone);
  const time = new Date(wall).toISOString().slice(11, 16);
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${withDay ? `${weekday} ` : ''}${time} ${zone}`;
}
