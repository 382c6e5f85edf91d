/**
 * Rounds for a noisy shared machine: every setup runs once per round, the order changes from round to round, and a
 * figure is the median over rounds of the per-round value (a ratio of two setups measured in the same round), with
 * its min–max spread. A figure whose spread is wider than a stated share of its median is marked unstable.
 */

/**
 * The order of round r over groups of setups (a ratio's two setups form a group): the groups rotated by r, then
 * reversed as a whole in odd rounds. A group's setups are always measured one right after the other, seconds apart,
 * and each comes first in every other round; every group takes every place in turn.
 */
export function roundOrder<T>(groups: readonly (readonly T[])[], round: number): T[] {
  const k = round % groups.length;
  const order = [...groups.slice(k), ...groups.slice(0, k)].flat();
  return round % 2 === 1 ? order.reverse() : order;
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
  /** (max − min) / |scale|: the spread as a share of the figure, or of the scale it is a difference on. */
  readonly relativeSpread: number;
}

/**
 * scale: what the spread is a share of; the median unless given. A difference whose median is near zero (latency
 * added) is judged against the size of what it is a difference of, or every such figure would look unstable.
 */
export function summarize(perRound: readonly number[], scale?: number): Summary {
  const m = median(perRound);
  const min = Math.min(...perRound);
  const max = Math.max(...perRound);
  return { median: m, min, max, relativeSpread: (max - min) / Math.abs(scale ?? m) };
}

/** Numbers printed with significant digits that suit their size: 0.98, 12.3, 2158. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export const spread = (s: Summary): string => `${fmt(s.min)}-${fmt(s.max)}`;
