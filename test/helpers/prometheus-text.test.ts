// The strict Prometheus text parser the metrics tests rely on: it accepts what prom-client
// writes and refuses each kind of malformed exposition, so a broken /metrics fails its test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

describe('parsePrometheusText', () => {
  it('reads what prom-client writes: counters with escaped labels, histograms', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_total', help: 'counts', labelNames: ['k'], registers: [registry] });
    c.inc({ k: 'a "quoted" \\ back\nslash' }, 2);
    const h = new Histogram({ name: 'd_seconds', help: 'durations', labelNames: ['m'], buckets: [0.1, 1], registers: [registry] });
    h.observe({ m: 'x' }, 0.5);
    h.observe({ m: 'x' }, 5);
    const families = parsePrometheusText(await registry.metrics());
    assert.equal(families.get('x_total')?.type, 'counter');
    assert.equal(sampleValue(families, 'x_total', { k: 'a "quoted" \\ back\nslash' }), 2);
    assert.equal(sampleValue(families, 'd_seconds_bucket', { m: 'x', le: '1' }), 1);
    assert.equal(sampleValue(families, 'd_seconds_count', { m: 'x' }), 2);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no final line feed', '# TYPE a gauge\na 1', /end with a line feed/],
    ['a sample before its TYPE', 'a 1\n', /belongs to no declared family/],
    ['a bad metric name', '# TYPE 1a gauge\n', /not a metric name/],
    ['a bad value', '# TYPE a gauge\na one\n', /not a sample value/],
    ['a bad label name', '# TYPE a gauge\na{1x="v"} 1\n', /not a label name/],
    ['an unclosed label value', '# TYPE a gauge\na{x="v} 1\n', /not closed/],
    ['an invalid escape', '# TYPE a gauge\na{x="\\t"} 1\n', /invalid escape/],
    ['a label given twice', '# TYPE a gauge\na{x="1",x="2"} 1\n', /given twice/],
    ['a duplicate series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n', /given twice/],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n', /has the value -1/],
    ['a family split in two', '# TYPE a gauge\n# TYPE b gauge\na 1\n', /not next to the rest/],
    ['an unknown type', '# TYPE a meter\n', /not a metric type/],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /no \+Inf bucket/],
    ['a histogram whose count is off', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', /differs/],
    ['decreasing buckets', '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n', /decrease/],
    ['garbage after the value', '# TYPE a gauge\na 1 2 3\n', /is not "name\{labels\} value/],
  ];
  for (const [what, text, error] of bad) {
    it(`refuses ${what}`, () => assert.throws(() => parsePrometheusText(text), error));
  }
});
