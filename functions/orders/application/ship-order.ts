import type { CommandContext } from '../../../shared/event-sourcing';
import { OrderStateError } from '../domain/errors';
import { OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';

export interface ShipOrderInput {
  readonly orderId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
}

export interface ShippedOrder extends ShipOrderInput {
  readonly status: 'SHIPPED';
}

export type ShipOrder = (input: ShipOrderInput, context: CommandContext) => Promise<ShippedOrder>;

/** Ships a paid order; any other status is the decider's 409 `ORDER_NOT_PAID`. */
export function makeShipOrder(deps: { readonly runner: OrderRunner }): ShipOrder {
  return async ({ orderId, carrier, trackingNumber }, context) => {
    try {
      await deps.runner.run(orderId, { type: 'ShipOrder', orderId, carrier, trackingNumber }, context);
    } catch (error) {
      // On ship the decider refuses a state only when the order has no events at all.
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }
    return { orderId, status: 'SHIPPED', carrier, trackingNumber };
  };
}
