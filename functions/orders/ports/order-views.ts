import type { OrderStatus, SagaStyle } from '../domain/order';

/** The approval of an order that needed one, as the read model holds it. */
export interface OrderApprovalView {
  readonly status: 'REQUESTED' | 'APPROVED' | 'REJECTED';
  readonly requestedAt: string;
  readonly decidedAt?: string;
  readonly comment?: string;
}

/** The payment that confirmed the order. */
export interface OrderPaymentView {
  readonly chargeId: string;
  readonly amountCents: number;
  readonly paidAt: string;
}

/** One order as the read model holds it: what `GET /orders/{orderId}` answers. */
export interface OrderView {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly {
    readonly productId: string;
    readonly quantity: number;
    readonly unitPriceCents: number;
  }[];
  readonly totalCents: number;
  readonly currency: string;
  readonly status: OrderStatus;
  readonly cancellationReason?: string;
  /** How the order is placed; absent on views projected before it was recorded. */
  readonly sagaStyle?: SagaStyle;
  readonly approval?: OrderApprovalView;
  readonly payment?: OrderPaymentView;
  /** Version of the last event applied; equals the event count of the order's stream once caught up. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderViewPage {
  /** Newest first. */
  readonly orders: readonly OrderView[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

export interface ListOptions {
  readonly limit: number;
  /** A `nextCursor` from an earlier page; a malformed one is a 400 `INVALID_CURSOR`. */
  readonly cursor?: string;
}

/** The query side's only access: reading the read model. */
export interface OrderViewReader {
  get(orderId: string): Promise<OrderView | undefined>;
  listByUser(userId: string, options: ListOptions): Promise<OrderViewPage>;
}

export type SaveOutcome = 'saved' | 'version-conflict';

/** The projector's access: read one view, write it only if nobody moved it past `expectedVersion`. */
export interface OrderViewWriter {
  get(orderId: string): Promise<OrderView | undefined>;
  /** `expectedVersion` 0 means the view must not exist yet. */
  save(view: OrderView, expectedVersion: number): Promise<SaveOutcome>;
}
