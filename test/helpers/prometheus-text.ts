// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every
// line must be a HELP, a TYPE, a comment, a blank line or a well-formed sample of a family
// declared before it; names, label escapes, values, duplicates and histogram invariants are
// checked. Anything else throws with the line number, so a malformed scrape fails its test.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// The sample names a family of each type may have (besides counters' own name).
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function fail(line: number, message: string): never {
  throw new Error(`prometheus text, line ${line}: ${message}`);
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN' || text === 'Nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(line, `"${text}" is not a sample value`);
  return Number(text);
}

/** Reads `{a="1",b="x\"y"}` from `text` at `start` ("{"); returns the labels and the index after "}". */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) fail(line, 'a label without "="');
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(line, `"${name}" is not a label name`);
    if (Object.hasOwn(labels, name)) fail(line, `label "${name}" given twice`);
    if (text[eq + 1] !== '"') fail(line, `label "${name}" has no quoted value`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else fail(line, `label "${name}" has an invalid escape "\\${next ?? ''}"`);
      } else value += text[j];
    }
    if (j >= text.length) fail(line, `label "${name}"'s value is not closed`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(line, `unexpected "${text[i] ?? 'end of line'}" after label "${name}"`);
  }
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  for (const [name, family] of families) {
    if (SUFFIXES[family.type].some((suffix) => `${name}${suffix}` === sampleName)) return family;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  else fail(lines.length, 'the exposition must end with a line feed');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!match) return; // a plain comment
      const [, kind, name, rest = ''] = match as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) fail(line, `"${name}" is not a metric name`);
      let family = families.get(name);
      if (!family) {
        if (seen.has(name)) fail(line, `family "${name}" appears again after other families`);
        family = { name, type: 'untyped', samples: [] };
        families.set(name, family);
        seen.add(name);
      }
      if (kind === 'HELP') {
        if (family.help !== undefined) fail(line, `HELP for "${name}" given twice`);
        family.help = rest;
      } else {
        if (!TYPES.has(rest as MetricType)) fail(line, `"${rest}" is not a metric type`);
        if (family.samples.length > 0) fail(line, `TYPE for "${name}" after its samples`);
        family.type = rest as MetricType;
      }
      current = family;
      return;
    }
    const brace = raw.indexOf('{');
    const space = raw.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) fail(line, 'a sample without a value');
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) fail(line, `"${name}" is not a metric name`);
    let labels: Record<string, string> = {};
    let rest = raw.slice(nameEnd);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(raw, nameEnd, line);
      labels = parsed.labels;
      rest = raw.slice(parsed.end);
    }
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) fail(line, `"${raw}" is not "name{labels} value [timestamp]"`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail(line, `"${parts[1]}" is not a timestamp`);
    const value = parseValue(parts[0]!, line);
    const family = familyOf(families, name);
    if (!family) fail(line, `sample "${name}" belongs to no declared family`);
    if (family !== current) fail(line, `sample "${name}" is not next to the rest of family "${family.name}"`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) fail(line, `sample ${key} given twice`);
    seen.add(key);
    if (family.type === 'counter' && !(value >= 0)) fail(line, `counter "${name}" has the value ${value}`);
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined) fail(line, `bucket of "${family.name}" without "le"`);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Per label set: buckets rise with `le` and never decrease, +Inf is there and equals _count. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) entry.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), s.value]);
    if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < sorted[i - 1]![1]) throw new Error(`histogram ${family.name}${key}: buckets decrease`);
    });
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) throw new Error(`histogram ${family.name}${key}: no +Inf bucket`);
    if (count !== inf[1]) throw new Error(`histogram ${family.name}${key}: _count ${count} differs from the +Inf bucket ${inf[1]}`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(families, name);
  const found = family?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

/** Every sample of the family `name` (histograms: buckets, sums and counts). */
export function samplesOf(families: Map<string, Family>, name: string): Sample[] {
  return families.get(name)?.samples ?? [];
}
