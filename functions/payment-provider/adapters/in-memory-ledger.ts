import type { Charge, Refund } from '../domain/charge';
import { KeyLeaseLostError, RefundExceedsChargeError } from '../domain/errors';
import { keyVerdict, type KeyRecord } from '../domain/idempotency';
import type { ClaimResult, KeyClaim, KeyCompletion, Ledger } from '../ports/ledger';

/**
 * The ledger in Maps, with the DynamoDB adapter's semantics (conditional claims, charge or refund and
 * key completion written together or not at all), for tests. Each call yields first, as a network call
 * would, so concurrent callers interleave as they do in Lambda; check and write have no await between.
 */
export class InMemoryLedger implements Ledger {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly charges = new Map<string, Charge>();
  /** Every refund written, in commit order. */
  readonly refunds: Refund[] = [];

  async claimKey(claim: KeyClaim): Promise<ClaimResult> {
    await Promise.resolve();
    const record = this.keys.get(claim.key);
    if (keyVerdict(record, claim.fingerprint, claim.nowMs).kind !== 'claimable') {
      return { claimed: false, record: record === undefined ? undefined : structuredClone(record) };
    }
    const attempt = (record?.attempts ?? 0) + 1;
    this.keys.set(claim.key, {
      key: claim.key,
      fingerprint: claim.fingerprint,
      state: 'in-progress',
      owner: claim.owner,
      leaseExpiresAt: claim.nowMs + claim.leaseMs,
      attempts: attempt,
    });
    return { claimed: true, attempt };
  }

  async recordCharge(charge: Charge, completion: KeyCompletion): Promise<void> {
    await Promise.resolve();
    this.assertHeld(completion);
    if (this.charges.has(charge.chargeId)) throw new Error(`charge ${charge.chargeId} exists already`);
    this.charges.set(charge.chargeId, { ...charge });
    this.complete(completion);
  }

  async recordRefund(refund: Refund, chargeAmountCents: number, completion: KeyCompletion): Promise<void> {
    await Promise.resolve();
    this.assertHeld(completion);
    const charge = this.charges.get(refund.chargeId);
    if (charge === undefined || charge.refundedCents > chargeAmountCents - refund.amountCents) {
      throw new RefundExceedsChargeError(refund.chargeId);
    }
    this.charges.set(charge.chargeId, {
      ...charge,
      refundedCents: charge.refundedCents + refund.amountCents,
    });
    this.refunds.push({ ...refund });
    this.complete(completion);
  }

  async completeKey(completion: KeyCompletion): Promise<void> {
    await Promise.resolve();
    this.assertHeld(completion);
    this.complete(completion);
  }

  async releaseKey(key: string, owner: string): Promise<void> {
    await Promise.resolve();
    const record = this.keys.get(key);
    if (record === undefined || record.state !== 'in-progress' || record.owner !== owner) return;
    const { leaseExpiresAt: _lease, ...rest } = record;
    this.keys.set(key, { ...rest, state: 'released' });
  }

  async findCharge(chargeId: string): Promise<Charge | undefined> {
    await Promise.resolve();
    const charge = this.charges.get(chargeId);
    return charge === undefined ? undefined : { ...charge };
  }

  async chargesOfOrder(orderId: string): Promise<Charge[]> {
    await Promise.resolve();
    return [...this.charges.values()]
      .filter((charge) => charge.orderId === orderId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.chargeId.localeCompare(b.chargeId))
      .map((charge) => ({ ...charge }));
  }

  /** Every charge written, for assertions. */
  allCharges(): Charge[] {
    return [...this.charges.values()].map((charge) => ({ ...charge }));
  }

  /** The key's record as stored, for assertions. */
  keyRecord(key: string): KeyRecord | undefined {
    const record = this.keys.get(key);
    return record === undefined ? undefined : structuredClone(record);
  }

  private assertHeld(completion: KeyCompletion): void {
    const record = this.keys.get(completion.key);
    if (record === undefined || record.state !== 'in-progress' || record.owner !== completion.owner) {
      throw new KeyLeaseLostError(completion.key);
    }
  }

  private complete(completion: KeyCompletion): void {
    const record = this.keys.get(completion.key);
    if (record === undefined) throw new KeyLeaseLostError(completion.key);
    const { leaseExpiresAt: _lease, ...rest } = record;
    this.keys.set(completion.key, {
      ...rest,
      state: 'completed',
      answer: structuredClone(completion.answer),
    });
  }
}
