/**
 * The metrics every request through the proxy touches, counted in plain fields and read by prom-client only at
 * scrape: prom-client's labels(...).inc() and .observe() build and look up a label hash on every call, about a
 * microsecond and a half per decision, which is a tenth of what answering costs.
 *
 * - A counter series keeps its increments since the last scrape; the Counter's collect() hands them over, so the
 *   exposition is prom-client's own.
 * - The latency histogram is a metric object of its own (registerMetric) that gives prom-client the same values
 *   its Histogram would: cumulative `_bucket` series with `le`, then `_sum` and `_count`.
 */
import type { Counter, Registry } from "prom-client";

type Labels = Readonly<Record<string, string>>;

export interface CounterSeries {
  inc(): void;
}

/** Series of one Counter, created with `collect: () => series.flush()` so a scrape sees every increment. */
export class PendingCounts {
  private readonly series: Array<{ labels: Labels; pending: number }> = [];

  constructor(private readonly counter: () => Counter) {}

  of(labels: Labels): CounterSeries {
    const s = { labels, pending: 0 };
    this.series.push(s);
    return {
      inc: () => {
        s.pending++;
      },
    };
  }

  /** Adds the increments since the last call to the Counter (prom-client calls collect() before reading it). */
  flush(): void {
    const counter = this.counter();
    for (const s of this.series) {
      if (s.pending === 0) continue;
      counter.inc(s.labels, s.pending);
      s.pending = 0;
    }
  }
}

export interface HistogramSeries {
  observe(seconds: number): void;
}

interface Series {
  readonly labels: Labels;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A Prometheus histogram with fixed buckets and label sets made once each. */
export class LeanHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  of(labels: Labels): HistogramSeries {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const series = s;
    const { buckets } = this;
    return {
      observe: (seconds) => {
        series.sum += seconds;
        series.count++;
        // The first bucket the value fits; cumulative counts are summed at scrape.
        for (let i = 0; i < buckets.length; i++) {
          if (seconds <= (buckets[i] as number)) {
            series.counts[i] = (series.counts[i] as number) + 1;
            return;
          }
        }
      },
    };
  }

  get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
