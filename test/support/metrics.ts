// Prometheus's text exposition format, read back for assertions: scrape an endpoint, then ask for
// a sample's value by name and labels, or for a counter's change between two scrapes.
// (https://prometheus.io/docs/instrumenting/exposition_formats/: HELP and TYPE lines, then
// `name{label="value",…} value` lines, label values escaped with \\, \" and \n.)

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
}

export class Exposition {
  constructor(
    readonly text: string,
    readonly families: ReadonlyMap<string, Family>,
    readonly samples: readonly Sample[],
  ) {}

  /** Samples of this name (e.g. `x_total`, `x_bucket`, `x_count`) whose labels include `labels`. */
  matching(name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
    return this.samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }

  /** The sum of the matching samples' values (0 when none match: a counter not yet incremented). */
  sum(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.matching(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  /** Every value a label takes among the samples of `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(this.matching(name).flatMap((sample) => (label in sample.labels ? [sample.labels[label]!] : [])));
  }

  has(family: string): boolean {
    return this.families.has(family);
  }
}

/** How much `name{labels}` grew from `before` to `after`. */
export function delta(before: Exposition, after: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return after.sum(name, labels) - before.sum(name, labels);
}

/** A sample's value as Prometheus reads it (Go's ParseFloat: prom-client writes NaN as "Nan"). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "-inf") return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`not a sample value: '${text}'`);
  return value;
}

/** `{a="1",b="x\"y"}` from `start` (at the brace): the labels and where the text after them begins. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let at = start + 1;
  while (line[at] !== "}") {
    const equals = line.indexOf("=", at);
    if (equals === -1 || line[equals + 1] !== '"') throw new Error(`malformed labels: ${line}`);
    const key = line.slice(at, equals).trim();
    let value = "";
    let i = equals + 2;
    for (; i < line.length && line[i] !== '"'; i++) {
      if (line[i] === "\\") {
        i += 1;
        value += line[i] === "n" ? "\n" : line[i];
      } else {
        value += line[i];
      }
    }
    if (i >= line.length) throw new Error(`unterminated label value: ${line}`);
    labels[key] = value;
    at = i + 1;
    if (line[at] === ",") at += 1;
  }
  return { labels, end: at + 1 };
}

export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(" ");
      if (keyword === "HELP" && name) helps.set(name, rest.join(" "));
      if (keyword === "TYPE" && name) families.set(name, { name, type: rest[0] ?? "untyped", help: helps.get(name) ?? "" });
      continue;
    }
    const brace = line.indexOf("{");
    const space = line.indexOf(" ");
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace !== -1 && (space === -1 || brace < space)) {
      name = line.slice(0, brace);
      const parsed = parseLabels(line, brace);
      labels = parsed.labels;
      rest = line.slice(parsed.end).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`not a metric name: '${name}' in ${line}`);
    samples.push({ name, labels, value: parseValue(rest.split(" ")[0] ?? "") });
  }
  return new Exposition(text, families, samples);
}

/** GET `url`; fails unless it answers 200 with Prometheus's text format. */
export async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain") || !type.includes("version=0.0.4")) throw new Error(`GET ${url}: content-type ${type}`);
  return parseExposition(text);
}

/** Where a GraphQL endpoint's process serves its metrics. */
export function metricsUrl(graphqlUrl: string): string {
  return new URL("/metrics", graphqlUrl).toString();
}
