import type { ChargeListObject, ChargeObject, RefundObject } from '../contracts/processor-api';
import type { Charge, Refund } from '../domain/charge';
import type { ProcessorError } from '../domain/errors';
import type { StoredAnswer } from '../domain/idempotency';
import { definedProps } from '../../../shared/objects/defined-props';

/** What a use case answers: the status and JSON body, and whether it is a replay. */
export interface ProcessorAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Sent as `Idempotent-Replayed: true`. @default false */
  readonly replayed?: boolean;
}

/** Field by field, so nothing stored beside the charge ever leaks into an answer. */
export function chargeObject(charge: Charge): ChargeObject {
  return {
    id: charge.chargeId,
    object: 'charge',
    status: charge.status,
    amountCents: charge.amountCents,
    currency: charge.currency,
    orderId: charge.orderId,
    refundedCents: charge.refundedCents,
    createdAt: charge.createdAt,
    ...definedProps({ description: charge.description }),
  };
}

export function refundObject(refund: Refund): RefundObject {
  return {
    id: refund.refundId,
    object: 'refund',
    chargeId: refund.chargeId,
    amountCents: refund.amountCents,
    status: refund.status,
    createdAt: refund.createdAt,
  };
}

export function chargeListObject(charges: readonly Charge[]): ChargeListObject {
  return { object: 'list', data: charges.map(chargeObject) };
}

/** An error as the answer stored for replay. */
export function errorAnswer(error: ProcessorError): StoredAnswer {
  return { status: error.status, body: { error: error.toErrorObject() }, hang: false };
}
