import * as z from 'zod';
import { isId } from '../../../shared/ids/ids';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import type { ChangeVisibility } from '../../../shared/messaging/event-consumer';
import { ProjectionConflictError, ProjectionGapError } from '../application/errors';
import type { ProjectOrderEvent } from '../application/project-order-event';
import type { RecordKnownUser } from '../application/record-known-user';
import {
  ORDERS_EVENT_SOURCE,
  OrderEventEnvelopeSchema,
  type OrderEventEnvelope,
} from '../contracts/order-events';
import { USER_AGGREGATE_TYPE, USERS_EVENT_SOURCE, type UserRegistered } from '../../users/contracts';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** The parts of an SQS → Lambda event the projector reads. */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  /** To deliver an event again soon, rather than after the queue's visibility timeout. */
  readonly receiptHandle?: string;
}
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}
export interface BatchItemFailures {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export interface ProjectorHandlerDependencies {
  readonly project: ProjectOrderEvent;
  /** Records the user of each `UserRegistered` (the known-users rule's events) as known. */
  readonly recordKnownUser: RecordKnownUser;
  /** @default the shared Powertools logger */
  readonly logger?: AppLogger;
  /**
   * Makes a message visible again after a pause: an event that came before the one it follows (a
   * version gap, other batches being in flight at once) is delivered again within a second or two.
   * Without it, the queue's visibility timeout applies.
   */
  readonly changeVisibility?: ChangeVisibility;
}

/** The pause before an event that found a gap is delivered again. */
export const GAP_RETRY_SECONDS = 1;

/** What the projection rule puts on the queue: the EventBridge event, the outbox envelope in `detail`. */
const OrderBusEvent = z.object({ source: z.literal(ORDERS_EVENT_SOURCE), detail: OrderEventEnvelopeSchema });

const nonEmpty = z.string().min(1);
const userId = z.string().refine((value) => isId('user', value), { error: 'must be a user id' });

/** What the known-users rule puts on the queue: users' `UserRegistered`, as its contract publishes it. */
const UserRegisteredBusEvent = z.object({
  source: z.literal(USERS_EVENT_SOURCE),
  detail: z
    .object({
      eventId: nonEmpty,
      type: z.literal('UserRegistered'),
      aggregateType: z.literal(USER_AGGREGATE_TYPE),
      aggregateId: userId,
      version: z.number().int().positive(),
      occurredAt: z.iso.datetime({ offset: true }),
      correlationId: nonEmpty,
      causationId: nonEmpty,
      traceHeader: nonEmpty.optional(),
      schemaVersion: z.number().int().positive(),
      data: z.object({ userId }),
    })
    .refine((event) => event.data.userId === event.aggregateId, {
      error: 'data.userId must be the aggregateId',
    }) satisfies z.ZodType<UserRegistered>,
});

interface ParsedOrderEvent {
  readonly kind: 'order';
  readonly messageId: string;
  readonly receiptHandle: string | undefined;
  readonly event: OrderEventEnvelope;
}
interface ParsedUserEvent {
  readonly kind: 'user';
  readonly messageId: string;
  readonly event: UserRegistered;
}
type Parsed = ParsedOrderEvent | ParsedUserEvent;

/**
 * The projector: SQS batches of the orders' bus events and users' `UserRegistered`
 * (ReportBatchItemFailures). An order's events in a batch are applied one after the other in version
 * order; different orders, and users, in parallel. A failed event fails the later events of its order in
 * the batch too, and every failure is reported, so SQS delivers it again after the visibility timeout
 * (and, after `maxReceiveCount`, to the DLQ).
 */
export function makeHandler(deps: ProjectorHandlerDependencies) {
  const logger = deps.logger ?? sharedLogger;
  /** Best effort: a message whose visibility cannot be changed comes back after the timeout anyway. */
  const deliverSoon = async (records: readonly ParsedOrderEvent[]): Promise<void> => {
    const { changeVisibility } = deps;
    if (changeVisibility === undefined) return;
    await Promise.all(
      records.map(async ({ receiptHandle, messageId }) => {
        if (receiptHandle === undefined) return;
        await changeVisibility(receiptHandle, GAP_RETRY_SECONDS).catch((error: unknown) =>
          logger.warn('The event could not be made visible again early', { messageId, error }),
        );
      }),
    );
  };
  return async (event: SqsEvent): Promise<BatchItemFailures> => {
    const failed: string[] = [];
    const byOrder = new Map<string, ParsedOrderEvent[]>();
    const users: ParsedUserEvent[] = [];
    for (const record of event.Records) {
      const parsed = parseRecord(record);
      if (parsed === undefined) {
        logger.error('Not an event the projector reads: left to SQS redelivery and the dead-letter queue', {
          messageId: record.messageId,
        });
        failed.push(record.messageId);
        continue;
      }
      if (parsed.kind === 'user') {
        users.push(parsed);
        continue;
      }
      const queue = byOrder.get(parsed.event.aggregateId) ?? [];
      queue.push(parsed);
      byOrder.set(parsed.event.aggregateId, queue);
    }

    await Promise.all([
      ...[...byOrder.values()].map(async (queue) => {
        queue.sort((a, b) => a.event.version - b.event.version);
        for (const [index, item] of queue.entries()) {
          try {
            const outcome = await deps.project(item.event);
            logger.debug('Order event projected', { ...describe(item.event), outcome });
          } catch (error) {
            logger.warn('Order event not projected; it and the later ones of its order will be redelivered', {
              ...describe(item.event),
              error,
            });
            const later = queue.slice(index);
            failed.push(...later.map((record) => record.messageId));
            if (error instanceof ProjectionGapError || error instanceof ProjectionConflictError) {
              await deliverSoon(later);
            }
            return;
          }
        }
      }),
      ...users.map(async (item) => {
        try {
          const outcome = await deps.recordKnownUser(item.event);
          logger.debug('Known user recorded', { ...describeUserEvent(item.event), outcome });
        } catch (error) {
          logger.warn('Known user not recorded; the event will be redelivered', {
            ...describeUserEvent(item.event),
            error,
          });
          failed.push(item.messageId);
        }
      }),
    ]);
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function parseRecord(record: SqsRecord): Parsed | undefined {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  const order = OrderBusEvent.safeParse(body);
  if (order.success) {
    return {
      kind: 'order',
      messageId: record.messageId,
      receiptHandle: record.receiptHandle,
      event: order.data.detail,
    };
  }
  const user = UserRegisteredBusEvent.safeParse(body);
  return user.success ? { kind: 'user', messageId: record.messageId, event: user.data.detail } : undefined;
}

function describe(event: OrderEventEnvelope) {
  return {
    orderId: event.aggregateId,
    correlationId: event.correlationId,
    eventId: event.eventId,
    eventType: event.type,
    version: event.version,
  };
}

function describeUserEvent(event: UserRegistered) {
  return {
    userId: event.aggregateId,
    correlationId: event.correlationId,
    eventId: event.eventId,
    eventType: event.type,
  };
}
