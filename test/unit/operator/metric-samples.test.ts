// Reading the operator's /metrics text, as the tests and the bench do.
import assert from 'node:assert/strict';
import { metricSum, metricValue } from '../../../tools/harness/operator-process.js';

const TEXT = [
  '# HELP zonekeeper_member_requests_total Requests to member clusters by provider and outcome',
  '# TYPE zonekeeper_member_requests_total counter',
  'zonekeeper_member_requests_total{provider="Fog1",outcome="created"} 12',
  'zonekeeper_member_requests_total{provider="Fog1",outcome="error"} 3',
  'zonekeeper_member_requests_total{provider="Fog2",outcome="error"} 4',
  'zonekeeper_member_requests_total_extra{provider="Fog2",outcome="error"} 100',
  'zonekeeper_vlans_in_use 7',
].join('\n');

describe('metric samples from a Prometheus exposition', () => {
  it('answers the first sample whose labels include the asked ones', () => {
    assert.equal(metricValue(TEXT, 'zonekeeper_member_requests_total', { outcome: 'error' }), 3);
    assert.equal(metricValue(TEXT, 'zonekeeper_vlans_in_use'), 7);
    assert.equal(metricValue(TEXT, 'zonekeeper_member_requests_total', { outcome: 'deleted' }), undefined);
  });

  it('sums every matching sample, and only samples of that exact name', () => {
    assert.equal(metricSum(TEXT, 'zonekeeper_member_requests_total', { outcome: 'error' }), 7);
    assert.equal(metricSum(TEXT, 'zonekeeper_member_requests_total'), 19);
    assert.equal(metricSum(TEXT, 'zonekeeper_member_requests_total', { provider: 'Fog9' }), 0);
  });
});
