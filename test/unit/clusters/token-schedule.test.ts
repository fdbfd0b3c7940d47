import assert from 'node:assert/strict';
import {
  checkRenewFraction,
  renewalLifetime,
  renewalTime,
  serviceAccountTokenClaims,
} from '../../../src/clusters/token-schedule.js';

/** A JWT with this payload; the header and signature are never looked at. */
const jwt = (payload: unknown): string =>
  ['{"alg":"RS256"}', JSON.stringify(payload), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

const SA = { namespace: 'zonekeeper-system', serviceaccount: { name: 'zonekeeper-member', uid: 'u1' } };

describe('token schedule', () => {
  describe('serviceAccountTokenClaims', () => {
    it('reads issue and expiry times, the ServiceAccount and the audiences of a TokenRequest token', () => {
      const c = serviceAccountTokenClaims(jwt({ iat: 1000, exp: 87400, aud: ['https://m1'], 'kubernetes.io': SA }));
      assert.deepEqual(c, {
        issuedAt: 1000,
        expiresAt: 87400,
        namespace: 'zonekeeper-system',
        serviceAccount: 'zonekeeper-member',
        audiences: ['https://m1'],
      });
    });

    it('takes a single audience string, and the Secret or Pod the token is bound to', () => {
      const c = serviceAccountTokenClaims(
        jwt({
          iat: 1,
          exp: 601,
          aud: 'api',
          'kubernetes.io': { ...SA, secret: { name: 'anchor', uid: 'u2' } },
        }),
      );
      assert.deepEqual(c?.audiences, ['api']);
      assert.deepEqual(c?.boundObject, { kind: 'Secret', name: 'anchor', uid: 'u2' });
      const p = serviceAccountTokenClaims(
        jwt({ iat: 1, exp: 601, 'kubernetes.io': { ...SA, pod: { name: 'p', uid: 'u3' } } }),
      );
      assert.deepEqual(p?.boundObject, { kind: 'Pod', name: 'p', uid: 'u3' });
    });

    it('leaves alone what it cannot schedule: opaque tokens, bad JSON, no exp, exp before iat, no ServiceAccount', () => {
      for (const token of [
        'abcdef0123456789',
        'a.b.c.d',
        `x.${Buffer.from('not json').toString('base64url')}.y`,
        jwt([1, 2]),
        jwt({ iat: 1000, 'kubernetes.io': SA }),
        jwt({ iat: 1000, exp: 1000, 'kubernetes.io': SA }),
        jwt({ iat: '1000', exp: 2000, 'kubernetes.io': SA }),
        jwt({ iat: 1000, exp: 2000 }),
        jwt({ iat: 1000, exp: 2000, 'kubernetes.io': { namespace: 'zonekeeper-system' } }),
      ])
        assert.equal(serviceAccountTokenClaims(token), undefined, token);
    });
  });

  describe('renewalTime', () => {
    const claims = { issuedAt: 0, expiresAt: 86_400, namespace: 'n', serviceAccount: 's', audiences: [] };

    it('is when a third of the lifetime is left by default fraction 1/3', () => {
      assert.equal(renewalTime(claims, 1 / 3), 57_600);
    });

    it('comes earlier with a larger fraction, which is how tests force a renewal at once', () => {
      assert.equal(renewalTime(claims, 0.5), 43_200);
      assert.ok(renewalTime({ ...claims, issuedAt: 1000, expiresAt: 1600 }, 0.99) < 1010);
    });
  });

  describe('renewalLifetime', () => {
    it('asks for the lifetime the token had', () => {
      assert.equal(
        renewalLifetime({ issuedAt: 100, expiresAt: 86_500, namespace: 'n', serviceAccount: 's', audiences: [] }),
        86_400,
      );
    });

    it('never asks for less than the TokenRequest minimum of 600 s', () => {
      assert.equal(
        renewalLifetime({ issuedAt: 100, expiresAt: 160, namespace: 'n', serviceAccount: 's', audiences: [] }),
        600,
      );
    });
  });

  describe('checkRenewFraction', () => {
    it('takes a number strictly between 0 and 1 and names what it wants otherwise', () => {
      assert.equal(checkRenewFraction(0.33), undefined);
      for (const bad of [0, 1, -0.5, 2, Number.NaN]) assert.match(checkRenewFraction(bad) ?? '', /between 0 and 1/);
    });
  });
});
