import type { AppUnderTest } from './test-app';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

const SAMPLE_LINE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_PAIR = /([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)",?/g;
const ESCAPED = /\\(.)/g;

/** Reads Prometheus' text exposition format (0.0.4); fails on a line it cannot read. */
export function parsePrometheusText(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const [, name, labelText = '', value] = match;
      const labels = Object.fromEntries(
        [...labelText.matchAll(LABEL_PAIR)].map(([, label, escaped]) => [
          label,
          escaped.replace(ESCAPED, (_, char: string) => (char === 'n' ? '\n' : char)),
        ]),
      );
      return { name, labels, value: Number(value) };
    });
}

/** One scrape of an app's metrics listener. */
export class Scrape {
  constructor(readonly samples: readonly Sample[]) {}

  /** The samples of one series name whose labels include `labels`. */
  series(name: string, labels: Labels = {}): Sample[] {
    return this.samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    );
  }

  /** Their sum: 0 for a labelled counter nothing has moved yet, as Prometheus reads it. */
  value(name: string, labels: Labels = {}): number {
    return this.series(name, labels).reduce((sum, sample) => sum + sample.value, 0);
  }
}

/** GETs the app's `/metrics` from its own listener and parses it. */
export async function scrapeMetrics(testApp: AppUnderTest): Promise<Scrape> {
  const response = await fetch(testApp.metricsUrl());
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return new Scrape(parsePrometheusText(await response.text()));
}
