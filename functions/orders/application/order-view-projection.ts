import type * as z from 'zod';
import {
  ORDER_EVENT_DATA_SCHEMAS,
  isKnownOrderEventType,
  type OrderEventEnvelope,
} from '../contracts/order-events';
import type { OrderView } from '../ports/order-views';
import { definedProps } from '../../../shared/objects/defined-props';

/** An event that cannot be applied as it stands: retrying will not help, the dead-letter queue will. */
export class MalformedOrderEventError extends Error {
  constructor(
    event: Pick<OrderEventEnvelope, 'eventId' | 'type' | 'aggregateId' | 'version'>,
    reason: string,
  ) {
    super(
      `Event ${event.eventId} (${event.type} v${event.version} of ${event.aggregateId}) cannot be projected: ${reason}`,
    );
    this.name = new.target.name;
  }
}

/**
 * The read model's fold: the view after `event`, given the view of every earlier version (`undefined`
 * before version 1). Pure; the caller has checked that `event.version` is the view's version + 1.
 * An event type this projector does not know yet still advances `version`, so that the events after it
 * are not held back for ever by a gap that will never close.
 */
export function projectEvent(view: OrderView | undefined, event: OrderEventEnvelope): OrderView {
  if (view === undefined) {
    if (event.type !== 'OrderCreated') {
      throw new MalformedOrderEventError(event, 'the first event of an order must be OrderCreated');
    }
    const data = parseData(event, ORDER_EVENT_DATA_SCHEMAS.OrderCreated);
    return {
      orderId: event.aggregateId,
      userId: data.userId,
      items: data.items.map(({ productId, quantity, unitPriceCents }) => ({
        productId,
        quantity,
        unitPriceCents,
      })),
      totalCents: data.totalCents,
      currency: data.currency,
      status: 'PENDING',
      sagaStyle: data.saga,
      version: event.version,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
    };
  }
  const advanced = { ...view, version: event.version, updatedAt: event.occurredAt };
  if (!isKnownOrderEventType(event.type)) return advanced;
  switch (event.type) {
    case 'OrderCreated':
      throw new MalformedOrderEventError(event, `order ${view.orderId} was already created`);
    case 'OrderCancelled': {
      const data = parseData(event, ORDER_EVENT_DATA_SCHEMAS.OrderCancelled);
      return { ...advanced, status: 'CANCELLED', cancellationReason: data.reason };
    }
    case 'OrderShipped':
      parseData(event, ORDER_EVENT_DATA_SCHEMAS.OrderShipped);
      return { ...advanced, status: 'SHIPPED' };
    case 'OrderApprovalRequested':
      parseData(event, ORDER_EVENT_DATA_SCHEMAS.OrderApprovalRequested);
      return {
        ...advanced,
        status: 'AWAITING_APPROVAL',
        approval: { status: 'REQUESTED', requestedAt: event.occurredAt },
      };
    case 'OrderApproved':
    case 'OrderRejected': {
      const data = parseData(event, ORDER_EVENT_DATA_SCHEMAS[event.type]);
      return {
        ...advanced,
        status: 'PENDING',
        approval: {
          status: event.type === 'OrderApproved' ? 'APPROVED' : 'REJECTED',
          requestedAt: view.approval?.requestedAt ?? event.occurredAt,
          decidedAt: event.occurredAt,
          ...definedProps({ comment: data.comment }),
        },
      };
    }
    case 'OrderPaid': {
      const data = parseData(event, ORDER_EVENT_DATA_SCHEMAS.OrderPaid);
      return {
        ...advanced,
        status: 'PAID',
        payment: { chargeId: data.chargeId, amountCents: data.amountCents, paidAt: event.occurredAt },
      };
    }
  }
}

function parseData<S extends z.ZodType>(event: OrderEventEnvelope, schema: S): z.output<S> {
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new MalformedOrderEventError(event, `its data does not match the contract (${issues})`);
  }
  return parsed.data;
}
