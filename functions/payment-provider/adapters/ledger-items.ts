import * as z from 'zod';
import type { Charge, Refund } from '../domain/charge';
import type { KeyRecord, StoredAnswer } from '../domain/idempotency';
import { definedProps } from '../../../shared/objects/defined-props';

/**
 * The ledger table: `pk` (S), `sk` (S), one table for everything the processor keeps.
 *
 * | item                | `pk`                     | `sk`                  | notes                                       |
 * | ------------------- | ------------------------ | --------------------- | ------------------------------------------- |
 * | charge              | `charge#<chargeId>`      | `charge`              | `orderId`, `createdAt`: in `ORDER_INDEX`     |
 * | refund of a charge  | `charge#<chargeId>`      | `refund#<refundId>`   | no `orderId`: not in the index               |
 * | Idempotency-Key     | `key#<Idempotency-Key>`  | `key`                 | TTL `expiresAt` (epoch s), 24 h after use    |
 *
 * The global secondary index (`ORDER_INDEX`, partition `orderId`, sort `createdAt`) holds only charge
 * items, since only they carry `orderId`: `GET /v1/charges?orderId=` is one query on it.
 */
export const CHARGE_SORT_KEY = 'charge';
export const KEY_SORT_KEY = 'key';
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';
/** A key is remembered (and its answer replayed) for at least a day after its first use. */
export const KEY_RETENTION_SECONDS = 24 * 60 * 60;

export const chargePartitionKey = (chargeId: string): string => `charge#${chargeId}`;
export const refundSortKey = (refundId: string): string => `refund#${refundId}`;
export const keyPartitionKey = (key: string): string => `key#${key}`;

export function chargeItem(charge: Charge, idempotencyKey: string): Record<string, unknown> {
  return {
    pk: chargePartitionKey(charge.chargeId),
    sk: CHARGE_SORT_KEY,
    kind: 'charge',
    ...charge,
    idempotencyKey,
  };
}

export function refundItem(refund: Refund, idempotencyKey: string): Record<string, unknown> {
  return {
    pk: chargePartitionKey(refund.chargeId),
    sk: refundSortKey(refund.refundId),
    kind: 'refund',
    ...refund,
    idempotencyKey,
  };
}

/** The attributes that store an answer on a key item. */
export function answerAttributes(answer: StoredAnswer): Record<string, unknown> {
  return {
    answerStatus: answer.status,
    // As JSON text: replayed byte for byte, whatever DynamoDB does with empty values or number types.
    answerBody: JSON.stringify(answer.body),
    answerHang: answer.hang,
  };
}

const cents = z.number().int().min(0);
const storedCharge = z.object({
  kind: z.literal('charge'),
  chargeId: z.string().min(1),
  orderId: z.string().min(1),
  amountCents: cents,
  currency: z.string(),
  refundedCents: cents,
  status: z.literal('succeeded'),
  createdAt: z.string(),
  description: z.string().optional(),
});

const storedKey = z.object({
  idempotencyKey: z.string(),
  fingerprint: z.string(),
  state: z.enum(['in-progress', 'completed', 'released']),
  owner: z.string(),
  leaseExpiresAt: z.number().optional(),
  attempts: z.number().int().min(0),
  answerStatus: z.number().int().optional(),
  answerBody: z.string().optional(),
  answerHang: z.boolean().optional(),
});

/** The charge of a stored item; an item that is not one is a data error, never a client's. */
export function chargeFromItem(item: Record<string, unknown>): Charge {
  const { kind: _kind, description, ...charge } = parseItem(storedCharge, item, 'charge');
  return description === undefined ? charge : { ...charge, description };
}

export function keyRecordFromItem(item: Record<string, unknown>): KeyRecord {
  const parsed = parseItem(storedKey, item, 'Idempotency-Key');
  const answer: StoredAnswer | undefined =
    parsed.answerStatus === undefined || parsed.answerBody === undefined
      ? undefined
      : {
          status: parsed.answerStatus,
          body: JSON.parse(parsed.answerBody),
          hang: parsed.answerHang ?? false,
        };
  return {
    key: parsed.idempotencyKey,
    fingerprint: parsed.fingerprint,
    state: parsed.state,
    owner: parsed.owner,
    attempts: parsed.attempts,
    ...definedProps({ leaseExpiresAt: parsed.leaseExpiresAt }),
    ...definedProps({ answer }),
  };
}

function parseItem<S extends z.ZodType>(schema: S, item: Record<string, unknown>, what: string): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new Error(
    `the ${what} item pk=${String(item['pk'])} is malformed: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.')} ${issue.message}`)
      .join('; ')}`,
  );
}
