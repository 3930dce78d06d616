import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { newUlid } from '../../../shared/ids/ids';
import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';
import { ORDER_DEADLINE_AGGREGATE_TYPE, ORDER_DEADLINES_EVENT_SOURCE } from '../contracts/order-events';
import type { OrderDeadline, OrderDeadlines } from '../ports/order-deadlines';
import { definedProps } from '../../../shared/objects/defined-props';

export interface SchedulerOrderDeadlinesProps {
  readonly client: SchedulerClient;
  /** The schedule group the deadlines are created in. */
  readonly groupName: string;
  /** The bus the deadline events go to. */
  readonly busArn: string;
  /** The role Scheduler assumes to put them there (`events:PutEvents` on the bus, nothing else). */
  readonly roleArn: string;
  /** Where a deadline goes when it cannot be delivered after Scheduler's retries. */
  readonly deadLetterQueueArn: string;
}

/**
 * Deadlines as one-time EventBridge Scheduler schedules: `at(<due>)` in UTC, named `<kind>-<orderId>`,
 * deleted once they fired (`ActionAfterCompletion: DELETE`), putting `OrderDeadlineReached` on the bus
 * with the envelope fixed now — so Scheduler's retries carry one `eventId` — and the order's trace
 * header, so the deadline's reaction joins the order's trace. A schedule of that name existing already
 * (a redelivered event) is the same deadline.
 */
export class SchedulerOrderDeadlines implements OrderDeadlines {
  constructor(private readonly props: SchedulerOrderDeadlinesProps) {}

  async set(deadline: OrderDeadline): Promise<'set' | 'exists'> {
    const event: DomainEvent = {
      eventId: newUlid(),
      type: 'OrderDeadlineReached',
      aggregateType: ORDER_DEADLINE_AGGREGATE_TYPE,
      aggregateId: deadline.orderId,
      version: 1,
      occurredAt: deadline.dueAt,
      correlationId: deadline.correlationId,
      causationId: `${deadline.kind}-${deadline.orderId}`,
      ...definedProps({ traceHeader: deadline.traceHeader }),
      schemaVersion: 1,
      data: { orderId: deadline.orderId, kind: deadline.kind, dueAt: deadline.dueAt },
    };
    try {
      await this.props.client.send(
        new CreateScheduleCommand({
          Name: `${deadline.kind}-${deadline.orderId}`,
          GroupName: this.props.groupName,
          ScheduleExpression: `at(${atExpressionTime(deadline.dueAt)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `The ${deadline.kind} deadline of order ${deadline.orderId}`,
          Target: {
            Arn: this.props.busArn,
            RoleArn: this.props.roleArn,
            Input: JSON.stringify(event),
            EventBridgeParameters: {
              Source: ORDER_DEADLINES_EVENT_SOURCE,
              DetailType: 'OrderDeadlineReached',
            },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: this.props.deadLetterQueueArn },
          },
        }),
      );
      return 'set';
    } catch (error) {
      if (
        error instanceof ConflictException ||
        (error instanceof Error && error.name === 'ConflictException')
      ) {
        return 'exists';
      }
      throw error;
    }
  }
}

/** `yyyy-mm-ddThh:mm:ss` of the instant, rounded up to the second (never before it is due). */
export function atExpressionTime(iso: string): string {
  const seconds = Math.ceil(Date.parse(iso) / 1000);
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}
