import {
  canonicalJson,
  requestFingerprint,
} from '../../../functions/payment-provider/application/fingerprint';
import { keyVerdict, type KeyRecord } from '../../../functions/payment-provider/domain/idempotency';

const NOW = 1_000_000;
const answer = { status: 201, body: { id: 'ch_1' }, hang: false };

function aRecord(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    key: 'k',
    fingerprint: 'fp',
    state: 'in-progress',
    owner: 'req-1',
    leaseExpiresAt: NOW + 1,
    attempts: 1,
    ...overrides,
  };
}

describe('keyVerdict', () => {
  test.each<[string, KeyRecord | undefined, string, string]>([
    ['no record', undefined, 'fp', 'claimable'],
    ['a completed record of the same request', aRecord({ state: 'completed', answer }), 'fp', 'replay'],
    ['a record in progress, lease running', aRecord(), 'fp', 'in-progress'],
    ['a record in progress, lease ending now', aRecord({ leaseExpiresAt: NOW }), 'fp', 'in-progress'],
    ['a record in progress, lease run out', aRecord({ leaseExpiresAt: NOW - 1 }), 'fp', 'claimable'],
    [
      'a released record of the same request',
      aRecord({ state: 'released', leaseExpiresAt: undefined }),
      'fp',
      'claimable',
    ],
    ['a completed record of another request', aRecord({ state: 'completed', answer }), 'other', 'key-reused'],
    ['a record of another request in progress', aRecord(), 'other', 'key-reused'],
    ['a released record of another request', aRecord({ state: 'released' }), 'other', 'key-reused'],
    ['a stalled record of another request', aRecord({ leaseExpiresAt: NOW - 1 }), 'other', 'key-reused'],
  ])('%s → %s', (_, record, fingerprint, kind) => {
    expect(keyVerdict(record, fingerprint, NOW).kind).toBe(kind);
  });

  test('a replay carries the stored answer', () => {
    expect(keyVerdict(aRecord({ state: 'completed', answer }), 'fp', NOW)).toEqual({
      kind: 'replay',
      answer,
    });
  });
});

describe('request fingerprints', () => {
  test('ignore the order of fields and undefined members, but not values or routes', () => {
    const fingerprint = requestFingerprint('POST /v1/charges', { amountCents: 1, currency: 'USD' });
    expect(
      requestFingerprint('POST /v1/charges', { currency: 'USD', amountCents: 1, description: undefined }),
    ).toBe(fingerprint);
    expect(requestFingerprint('POST /v1/charges', { amountCents: 2, currency: 'USD' })).not.toBe(fingerprint);
    expect(requestFingerprint('POST /v1/refunds', { amountCents: 1, currency: 'USD' })).not.toBe(fingerprint);
  });

  test('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
