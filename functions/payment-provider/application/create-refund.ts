import type { CreateRefundRequest } from '../contracts/processor-api';
import { isChargeId, refundAmount, type Refund } from '../domain/charge';
import {
  LockTimeoutError,
  ProcessorError,
  RefundExceedsChargeError,
  ResourceMissingError,
} from '../domain/errors';
import type { StoredAnswer } from '../domain/idempotency';
import type { Ledger } from '../ports/ledger';
import { errorAnswer, refundObject, type ProcessorAnswer } from './answers';
import { requestFingerprint } from './fingerprint';
import { claimKey, whileClaimed, type IdempotentRequest } from './idempotent-execution';

export const CREATE_REFUND_ROUTE = 'POST /v1/charges/{chargeId}/refunds';
/** Read-plan-write rounds when concurrent refunds of the charge keep changing it. */
export const MAX_REFUND_ROUNDS = 5;

export interface CreateRefundCommand {
  readonly chargeId: string;
  readonly idempotencyKey: string;
  readonly request: CreateRefundRequest;
  readonly requestId: string;
  readonly remainingTimeMs?: number;
}

export type CreateRefund = (command: CreateRefundCommand) => Promise<ProcessorAnswer>;

export interface CreateRefundDependencies {
  readonly ledger: Ledger;
  /** `re_` + ULID in production. */
  readonly newRefundId: () => string;
  readonly now: () => Date;
}

/**
 * `POST /v1/charges/{chargeId}/refunds`. A charge id of the wrong shape is a 404 before the key is
 * touched. Otherwise the key is claimed, the charge read, the amount planned (default: what is left)
 * and the refund written conditional on the charge still having that much left; a concurrent refund
 * in between makes the write fail, and the refund is planned again on the fresh charge. Every answer
 * (201, 404, 409) is stored with the key and replayed to a retry.
 */
export function makeCreateRefund(deps: CreateRefundDependencies): CreateRefund {
  return async (command) => {
    if (!isChargeId(command.chargeId)) throw new ResourceMissingError('charge', command.chargeId);
    const idempotent: IdempotentRequest = {
      key: command.idempotencyKey,
      fingerprint: requestFingerprint(CREATE_REFUND_ROUTE, {
        chargeId: command.chargeId,
        ...command.request,
      }),
      owner: command.requestId,
      remainingTimeMs: command.remainingTimeMs,
    };
    const claim = await claimKey(deps.ledger, idempotent, deps.now);
    if (claim.kind === 'replay')
      return { status: claim.answer.status, body: claim.answer.body, replayed: true };

    const stored = await whileClaimed(deps.ledger, idempotent, async (): Promise<StoredAnswer> => {
      const completion = (answer: StoredAnswer) => ({ key: idempotent.key, owner: idempotent.owner, answer });
      for (let round = 0; round < MAX_REFUND_ROUNDS; round++) {
        const answer = await refundOnce(deps, command, completion);
        if (answer !== undefined) return answer;
      }
      throw new LockTimeoutError(command.chargeId);
    });
    return { status: stored.status, body: stored.body };
  };
}

/** One read-plan-write round: the answer stored, or `undefined` when the charge changed meanwhile. */
async function refundOnce(
  deps: CreateRefundDependencies,
  command: CreateRefundCommand,
  completion: (answer: StoredAnswer) => { key: string; owner: string; answer: StoredAnswer },
): Promise<StoredAnswer | undefined> {
  const charge = await deps.ledger.findCharge(command.chargeId);
  let amountCents: number;
  try {
    if (charge === undefined) throw new ResourceMissingError('charge', command.chargeId);
    amountCents = refundAmount(charge, command.request.amountCents);
  } catch (error) {
    if (!(error instanceof ProcessorError)) throw error;
    const refused = errorAnswer(error);
    await deps.ledger.completeKey(completion(refused));
    return refused;
  }
  const refund: Refund = {
    refundId: deps.newRefundId(),
    chargeId: charge.chargeId,
    amountCents,
    status: 'succeeded',
    createdAt: deps.now().toISOString(),
  };
  const answer: StoredAnswer = { status: 201, body: refundObject(refund), hang: false };
  try {
    await deps.ledger.recordRefund(refund, charge.amountCents, completion(answer));
    return answer;
  } catch (error) {
    if (error instanceof RefundExceedsChargeError) return undefined;
    throw error;
  }
}
