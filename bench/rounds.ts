/**
 * Rounds for a noisy shared machine: every setup runs once per round, the order changes from round to round, and a
 * figure is the median over rounds of the per-round value (a ratio of two setups measured in the same round), with
 * its min–max spread. A figure whose spread is wider than a stated share of its median is marked unstable.
 */

/**
 * The order of round r: the setups rotated by r, reversed in odd rounds, so neighbours stay neighbours (a ratio's
 * two setups are listed side by side and measured seconds apart) and each comes first as often as second.
 */
export function roundOrder<T>(setups: readonly T[], round: number): T[] {
  const k = round % setups.length;
  const rotated = [...setups.slice(k), ...setups.slice(0, k)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / |median|: the spread as a share of the figure. */
  readonly relativeSpread: number;
}

export function summarize(perRound: readonly number[]): Summary {
  const m = median(perRound);
  const min = Math.min(...perRound);
  const max = Math.max(...perRound);
  return { median: m, min, max, relativeSpread: (max - min) / Math.abs(m) };
}

/** Numbers printed with significant digits that suit their size: 0.98, 12.3, 2158. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export const spread = (s: Summary): string => `${fmt(s.min)}-${fmt(s.max)}`;
