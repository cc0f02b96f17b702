import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MetricsRegistry } from '../../trusted-node/metrics.ts';

test('counters, gauges and histograms render in the Prometheus text format', () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter({ name: 'mm_requests_total', help: 'Requests\nby route', labels: ['route', 'status'] });
  let depth = 0;
  registry.gauge({ name: 'mm_queue_depth', help: 'Queue depth', collect: (g) => g.set(depth) });
  const latency = registry.histogram({ name: 'mm_latency_seconds', help: 'Latency', labels: ['route'], buckets: [0.01, 0.1, 1] });
  requests.inc({ route: '/tx/:id', status: 200 });
  requests.inc({ route: '/tx/:id', status: 200 }, 2);
  requests.inc({ route: 'a"b\\c\nd', status: 404 });
  depth = 17;
  for (const v of [0.005, 0.05, 0.05, 2]) latency.observe(v, { route: '/health' });

  assert.is(
    registry.render(),
    [
      '# HELP mm_requests_total Requests\\nby route',
      '# TYPE mm_requests_total counter',
      'mm_requests_total{route="/tx/:id",status="200"} 3',
      'mm_requests_total{route="a\\"b\\\\c\\nd",status="404"} 1',
      '# HELP mm_queue_depth Queue depth',
      '# TYPE mm_queue_depth gauge',
      'mm_queue_depth 17',
      '# HELP mm_latency_seconds Latency',
      '# TYPE mm_latency_seconds histogram',
      'mm_latency_seconds_bucket{route="/health",le="0.01"} 1',
      'mm_latency_seconds_bucket{route="/health",le="0.1"} 3',
      'mm_latency_seconds_bucket{route="/health",le="1"} 3',
      'mm_latency_seconds_bucket{route="/health",le="+Inf"} 4',
      'mm_latency_seconds_sum{route="/health"} 2.105',
      'mm_latency_seconds_count{route="/health"} 4',
      '',
    ].join('\n'),
  );
  assert.is(requests.get({ route: '/tx/:id', status: 200 }), 3);
  assert.is(latency.count({ route: '/health' }), 4);
});

test('wrong names, labels and values are refused by name', () => {
  const registry = new MetricsRegistry();
  const c = registry.counter({ name: 'mm_x_total', help: 'x', labels: ['kind'] });
  assert.throws(() => registry.counter({ name: 'mm_x_total', help: 'again' }), /"mm_x_total" is already registered/);
  assert.throws(() => registry.counter({ name: 'mm_y', help: 'y' }), /ending in _total/);
  assert.throws(() => registry.gauge({ name: '9bad', help: 'y' }), /metric name expected/);
  assert.throws(() => registry.gauge({ name: 'mm_g', help: 'g', labels: ['__x'] }), /label name expected/);
  assert.throws(() => registry.histogram({ name: 'mm_h', help: 'h', buckets: [1, 1] }), /strictly increasing/);
  assert.throws(() => c.inc({ knd: 'a' }), /has no label "knd"/);
  assert.throws(() => c.inc({}), /missing label "kind"/);
  assert.throws(() => c.inc({ kind: 'a' }, -1), RangeError);
});

test('a bound series counts into the same series as its labels, and appears once used', () => {
  const registry = new MetricsRegistry();
  const results = registry.counter({ name: 'mm_results_total', help: 'r', labels: ['outcome'] });
  const stored = results.series({ outcome: 'stored' });
  results.series({ outcome: 'never' });
  const seconds = registry.histogram({ name: 'mm_ack_seconds', help: 's', buckets: [0.1, 1] }).series();
  assert.not.match(registry.render(), /mm_results_total\{/);
  stored.inc();
  stored.inc(2);
  results.inc({ outcome: 'stored' });
  for (const v of [0.05, 0.5, 5]) seconds.observe(v);
  assert.is(results.get({ outcome: 'stored' }), 4);
  const rendered = registry.render();
  assert.match(rendered, 'mm_results_total{outcome="stored"} 4\n');
  assert.not.match(rendered, 'never');
  assert.match(rendered, 'mm_ack_seconds_bucket{le="0.1"} 1\nmm_ack_seconds_bucket{le="1"} 2\nmm_ack_seconds_bucket{le="+Inf"} 3\nmm_ack_seconds_sum 5.55\nmm_ack_seconds_count 3\n');
  assert.throws(() => results.series({ outcom: 'stored' }), /has no label "outcom"/);
  assert.throws(() => stored.inc(-1), /expected a finite number >= 0/);
  assert.throws(() => seconds.observe(Number.NaN), /expected a finite number/);
});

test.run();
