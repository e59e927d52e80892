// A wave's share of a group (fleet.follow.waves): "5%" as 0.05. The schema's pattern allows
// 0 to 100 with at most two decimals; validate.ts checks the order.
export function parseShare(text: string): number {
  return Number(text.replace(/%$/, '')) / 100;
}

/** 0.05 as "5%". */
export function formatShare(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}
