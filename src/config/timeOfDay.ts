// Times of day in the config ("HH:MM", the host's local time) and windows between two of them,
// which may cross midnight as NixOS's rebootWindow does ("23:00"-"02:00" is inside at 00:30).

/** Minutes since local midnight. */
export function minutesOf(text: string): number {
  const [hours = '0', minutes = '0'] = text.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Whether `now` (local time) is inside [lower, upper); a window with lower == upper is all day. */
export function insideTimeWindow(now: Date, window: { lower: string; upper: string }): boolean {
  const at = now.getHours() * 60 + now.getMinutes();
  const lower = minutesOf(window.lower);
  const upper = minutesOf(window.upper);
  if (lower === upper) return true;
  return lower < upper ? at >= lower && at < upper : at >= lower || at < upper;
}
