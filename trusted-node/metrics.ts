/**
 * A small metrics registry rendered in the Prometheus text exposition format (version 0.0.4).
 * Any part of the node registers its own counters, gauges and histograms on the registry the
 * node handle exposes; `/metrics` renders them all. Label names are fixed at registration and
 * every sample must give exactly those labels, so a typo fails loudly instead of creating a
 * new series.
 * @module
 */

/** Label values of one sample, keyed by the label names given at registration. */
export type Labels = Readonly<Record<string, string | number>>;

/** What every metric is registered with. */
export interface MetricOptions {
  /** Prometheus metric name, e.g. `mm_http_requests_total` (counters end in `_total`). */
  readonly name: string;
  /** One-line description shown in `# HELP`. */
  readonly help: string;
  /** Label names every sample carries; default none. */
  readonly labels?: readonly string[];
}

/** Options of a gauge; `collect` lets the gauge read its value at render time. */
export interface GaugeOptions extends MetricOptions {
  /** Called on each render to refresh the gauge (e.g. read a queue length). */
  readonly collect?: (gauge: Gauge) => void;
}

/** Options of a histogram. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the buckets, strictly increasing; `+Inf` is implicit. */
  readonly buckets: readonly number[];
}

/** A monotonically increasing count. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** Current value of one series (0 when never incremented). */
  get(labels?: Labels): number;
  /**
   * The series of `labels`, checked once: for a path that counts the same series per request,
   * where building the series key on every call would allocate. It appears in the rendering
   * once incremented, like any other series.
   */
  series(labels?: Labels): CounterSeries;
}

/** One series of a counter, its labels bound (see {@link Counter.series}). */
export interface CounterSeries {
  inc(by?: number): void;
}

/** A value that goes up and down. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

/** A distribution of observed values in cumulative buckets. */
export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** Number of observations of one series. */
  count(labels?: Labels): number;
  /** The series of `labels`, checked once (as {@link Counter.series}). */
  series(labels?: Labels): HistogramSeries;
}

/** One series of a histogram, its labels bound (see {@link Histogram.series}). */
export interface HistogramSeries {
  observe(value: number): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

/** Holds the node's metrics and renders them; see the module comment. */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  /** Registers a counter. Throws `RangeError` for a bad or already registered name. */
  counter(options: MetricOptions): Counter {
    const series = new SeriesMap<number>(options.name, options.labels ?? []);
    this.#register(options, 'counter', () => series.entries().map(([key, value]) => `${options.name}${key} ${formatNumber(value)}`));
    const add = (key: string, by: number): void => {
      if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError(`"${options.name}" counter increment expected a finite number >= 0, got ${by}`);
      series.set(key, (series.at(key) ?? 0) + by);
    };
    return {
      inc: (labels = {}, by = 1) => add(series.keyOf(labels), by),
      get: (labels = {}) => series.at(series.keyOf(labels)) ?? 0,
      series(labels = {}) {
        const key = series.keyOf(labels);
        return { inc: (by = 1) => add(key, by) };
      },
    };
  }

  /** Registers a gauge. Throws `RangeError` for a bad or already registered name. */
  gauge(options: GaugeOptions): Gauge {
    const series = new SeriesMap<number>(options.name, options.labels ?? []);
    const gauge: Gauge = {
      set(value, labels = {}) {
        series.set(series.keyOf(labels), finite(options.name, value));
      },
      inc(labels = {}, by = 1) {
        const key = series.keyOf(labels);
        series.set(key, (series.at(key) ?? 0) + finite(options.name, by));
      },
      get: (labels = {}) => series.at(series.keyOf(labels)) ?? 0,
    };
    this.#register(options, 'gauge', () => {
      options.collect?.(gauge);
      return series.entries().map(([key, value]) => `${options.name}${key} ${formatNumber(value)}`);
    });
    return gauge;
  }

  /** Registers a histogram. Throws `RangeError` for bad buckets or a bad or taken name. */
  histogram(options: HistogramOptions): Histogram {
    const buckets = options.buckets;
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new RangeError(`"${options.name}" buckets expected finite, strictly increasing numbers, got [${buckets.join(', ')}]`);
    }
    const labelNames = options.labels ?? [];
    if (labelNames.includes('le')) throw new RangeError(`"${options.name}" label "le" is reserved for histogram buckets`);
    type State = { counts: number[]; sum: number; count: number };
    const series = new SeriesMap<State>(options.name, labelNames);
    this.#register(options, 'histogram', () =>
      series.entries().flatMap(([key, state]) => {
        const inner = key === '' ? '' : key.slice(1, -1) + ',';
        let cumulative = 0;
        const lines = buckets.map((bound, i) => {
          cumulative += state.counts[i]!;
          return `${options.name}_bucket{${inner}le="${formatNumber(bound)}"} ${cumulative}`;
        });
        lines.push(`${options.name}_bucket{${inner}le="+Inf"} ${state.count}`);
        lines.push(`${options.name}_sum${key} ${formatNumber(state.sum)}`, `${options.name}_count${key} ${state.count}`);
        return lines;
      }),
    );
    const observe = (key: string, value: number): void => {
      finite(options.name, value);
      let state = series.at(key);
      if (state === undefined) series.set(key, (state = { counts: buckets.map(() => 0), sum: 0, count: 0 }));
      let slot = 0;
      while (slot < buckets.length && value > buckets[slot]!) slot++;
      if (slot < buckets.length) state.counts[slot]! += 1;
      state.sum += value;
      state.count += 1;
    };
    return {
      observe: (value, labels = {}) => observe(series.keyOf(labels), value),
      count: (labels = {}) => series.at(series.keyOf(labels))?.count ?? 0,
      series(labels = {}) {
        const key = series.keyOf(labels);
        return { observe: (value) => observe(key, value) };
      },
    };
  }

  /** The whole registry in the Prometheus text format, families in registration order. */
  render(): string {
    const out: string[] = [];
    for (const family of this.#families.values()) {
      out.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${family.name} ${family.type}`);
      out.push(...family.render());
    }
    return out.join('\n') + '\n';
  }

  #register(options: MetricOptions, type: Family['type'], render: () => string[]): void {
    const { name, labels = [] } = options;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) throw new RangeError(`metric name expected [a-zA-Z_:][a-zA-Z0-9_:]*, got ${JSON.stringify(name)}`);
    if (this.#families.has(name)) throw new RangeError(`metric "${name}" is already registered`);
    if (type === 'counter' && !name.endsWith('_total')) throw new RangeError(`counter "${name}" expected a name ending in _total`);
    for (const label of labels) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new RangeError(`"${name}" label name expected [a-zA-Z_][a-zA-Z0-9_]* not starting with __, got ${JSON.stringify(label)}`);
    }
    if (new Set(labels).size !== labels.length) throw new RangeError(`"${name}" has a repeated label name`);
    this.#families.set(name, { name, help: options.help, type, render });
  }
}

/** Series of one family keyed by their rendered label set. */
class SeriesMap<T> {
  readonly #values = new Map<string, T>();
  constructor(
    readonly name: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The value of the series `key` (from {@link keyOf}), if it has one. */
  at(key: string): T | undefined {
    return this.#values.get(key);
  }

  set(key: string, value: T): void {
    this.#values.set(key, value);
  }

  entries(): [string, T][] {
    return [...this.#values.entries()];
  }

  /** The rendered label set of `labels`; throws naming a label that is unknown or missing. */
  keyOf(labels: Labels): string {
    const given = Object.keys(labels);
    const unknown = given.find((l) => !this.labelNames.includes(l));
    if (unknown !== undefined) throw new RangeError(`"${this.name}" has no label "${unknown}" (labels: ${this.labelNames.join(', ') || 'none'})`);
    const missing = this.labelNames.find((l) => !(l in labels));
    if (missing !== undefined) throw new RangeError(`"${this.name}" sample is missing label "${missing}"`);
    if (this.labelNames.length === 0) return '';
    return '{' + this.labelNames.map((l) => `${l}="${escapeLabel(String(labels[l]))}"`).join(',') + '}';
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function finite(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`"${name}" expected a finite number, got ${value}`);
  return value;
}
