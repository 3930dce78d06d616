import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import type { ProjectOrderEvent } from '../application/project-order-event';
import {
  ORDERS_EVENT_SOURCE,
  OrderEventEnvelopeSchema,
  type OrderEventEnvelope,
} from '../contracts/order-events';

/** The parts of an SQS → Lambda event the projector reads. */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}
export interface BatchItemFailures {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type ProjectorLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface ProjectorHandlerDeps {
  readonly project: ProjectOrderEvent;
  /** @default the shared Powertools logger */
  readonly logger?: ProjectorLogger;
}

/** What the rule puts on the queue: the EventBridge event, the outbox envelope in `detail`. */
const BusEvent = z.object({ source: z.literal(ORDERS_EVENT_SOURCE), detail: OrderEventEnvelopeSchema });

interface Parsed {
  readonly messageId: string;
  readonly event: OrderEventEnvelope;
}

/**
 * The projector: SQS batches of the orders' bus events (ReportBatchItemFailures). An order's events
 * in a batch are applied one after the other in version order; different orders in parallel. A failed
 * event fails the later events of its order in the batch too, and every failure is reported, so SQS
 * delivers it again after the visibility timeout (and, after `maxReceiveCount`, to the DLQ).
 */
export function makeHandler(deps: ProjectorHandlerDeps) {
  const logger = deps.logger ?? sharedLogger;
  return async (event: SqsEvent): Promise<BatchItemFailures> => {
    const failed: string[] = [];
    const byOrder = new Map<string, Parsed[]>();
    for (const record of event.Records) {
      const parsed = parseRecord(record);
      if (parsed === undefined) {
        logger.error('Not an orders event: left to SQS redelivery and the dead-letter queue', {
          messageId: record.messageId,
        });
        failed.push(record.messageId);
        continue;
      }
      const queue = byOrder.get(parsed.event.aggregateId) ?? [];
      queue.push(parsed);
      byOrder.set(parsed.event.aggregateId, queue);
    }

    await Promise.all(
      [...byOrder.values()].map(async (queue) => {
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
            failed.push(...queue.slice(index).map((later) => later.messageId));
            return;
          }
        }
      }),
    );
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
  const parsed = BusEvent.safeParse(body);
  return parsed.success ? { messageId: record.messageId, event: parsed.data.detail } : undefined;
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
