/**
 * A client's view of the shop for the saga tests: staff create and restock products and decide
 * approvals; customers place orders and follow them with their ID token; the card processor's own
 * ledger says what was really charged. The same helpers serve both saga styles.
 */
import { randomUUID } from 'node:crypto';
import { eventually, type LocalCloud } from 'cdk-local-cloud';
import type { ProductResponse } from '../../functions/inventory/contracts/product-response';
import type { OrderDetails } from '../../functions/orders/application/order-queries';
import type { ChargeListObject, ChargeObject } from '../../functions/payment-provider/contracts';
import type { PaymentResponse } from '../../functions/payments/contracts/payment-response';
import { apiAs, callJson, type JsonAnswer, type JsonCall } from './shop-cloud';
import type { SignedInUser } from '../../infra/ops/shop-users';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export type Method = 'GET' | 'POST' | 'DELETE';

export interface TestProduct {
  readonly productId: string;
  readonly initial: number;
  restocked: number;
}

export interface Stock {
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
}

export interface Line {
  readonly product: TestProduct;
  readonly quantity: number;
}

export interface PlacedOrder {
  readonly orderId: string;
  readonly totalCents: number;
}

export type PaymentBody = { method: 'card'; token: string } | { method: 'account'; accountId: string };

export interface ShopOrdersOptions {
  readonly cloud: () => LocalCloud;
  /** Creates and restocks the products, decides the approvals. */
  readonly staff: () => SignedInUser;
  /** The customer of that name, signed in once. */
  readonly customer: (name: string) => Promise<SignedInUser>;
  /** The card processor's API stage URL. */
  readonly providerUrl: () => string;
  /** Names the products, e.g. `Saga item`. */
  readonly productName: string;
}

/** Strict where `callJson` is lenient: an empty body is `undefined`, one that is not JSON throws. */
const strict = (answer: JsonAnswer): Answer => ({
  status: answer.status,
  body: answer.text === '' ? undefined : (JSON.parse(answer.text) as unknown),
});

/** Every POST with a new `Idempotency-Key`, as a client sends it. */
export const keyed = (method: Method, body: unknown): JsonCall => ({
  body,
  headers: method === 'POST' ? { 'Idempotency-Key': randomUUID() } : {},
});

/** A call of the card processor's API or the local cloud's own endpoints, which take no token. */
export const send = async (baseUrl: string, method: Method, path: string, body?: unknown): Promise<Answer> =>
  strict(await callJson(baseUrl, method, path, keyed(method, body)));

export const errorCodeOf = (answer: Answer): string | undefined =>
  (answer.body as { error?: { code?: string } } | undefined)?.error?.code;

/** What captured charges still hold, net of their refunds. */
export const capturedLessRefunded = (charges: readonly ChargeObject[]): number =>
  charges.reduce((total, charge) => total + charge.amountCents - charge.refundedCents, 0);

export function shopOrders(options: ShopOrdersOptions) {
  /** Who placed each order: its owner follows it. */
  const owners = new Map<string, SignedInUser>();

  /** A call of the shop's API as `user`, with their ID token. */
  const shop = async (user: SignedInUser, method: Method, path: string, body?: unknown): Promise<Answer> =>
    strict(await apiAs(options.cloud(), user)(method, path, keyed(method, body)));

  function ownerOf(orderId: string): SignedInUser {
    const owner = owners.get(orderId);
    if (owner === undefined) throw new Error(`order ${orderId} was not placed by this test file`);
    return owner;
  }

  async function newProduct(priceCents: number, stock: number): Promise<TestProduct> {
    const answer = await shop(options.staff(), 'POST', '/products', {
      name: `${options.productName} ${randomUUID().slice(0, 8)}`,
      priceCents,
      currency: 'USD',
      stock,
    });
    if (answer.status !== 201) throw new Error(`creating a product: ${answer.status}`);
    return { productId: (answer.body as ProductResponse).productId, initial: stock, restocked: 0 };
  }

  async function restock(product: TestProduct, quantity: number): Promise<void> {
    const answer = await shop(options.staff(), 'POST', `/products/${product.productId}/restock`, {
      quantity,
    });
    if (answer.status !== 200) throw new Error(`restocking ${product.productId}: ${answer.status}`);
    product.restocked += quantity;
  }

  async function stockOf(product: TestProduct): Promise<Stock> {
    const answer = await shop(options.staff(), 'GET', `/products/${product.productId}`);
    if (answer.status !== 200) throw new Error(`reading ${product.productId}: ${answer.status}`);
    const { available, reserved, sold } = answer.body as ProductResponse;
    return { available, reserved, sold };
  }

  /** The customer `buyer` places the order, for themselves, with a card token or a payment of their choice. */
  async function placeOrder(
    lines: readonly Line[],
    payment: string | PaymentBody,
    buyer = 'ada',
  ): Promise<PlacedOrder> {
    const owner = await options.customer(buyer);
    const answer = await shop(owner, 'POST', '/orders', {
      items: lines.map(({ product, quantity }) => ({ productId: product.productId, quantity })),
      payment: typeof payment === 'string' ? { method: 'card', token: payment } : payment,
    });
    if (answer.status !== 202)
      throw new Error(`placing an order: ${answer.status} ${JSON.stringify(answer.body)}`);
    const { orderId, totalCents } = answer.body as PlacedOrder;
    owners.set(orderId, owner);
    return { orderId, totalCents };
  }

  /** The order as its owner reads it. */
  async function orderOf(orderId: string): Promise<OrderDetails | undefined> {
    const answer = await shop(ownerOf(orderId), 'GET', `/orders/${orderId}`);
    return answer.status === 200 ? (answer.body as OrderDetails) : undefined;
  }

  /** The types of the order's events, checked to be versions 1, 2, 3, … */
  async function eventTypesOf(orderId: string): Promise<string[]> {
    const answer = await shop(ownerOf(orderId), 'GET', `/orders/${orderId}/events`);
    const { events } = answer.body as { events: { type: string; version: number }[] };
    if (events.some((event, index) => event.version !== index + 1)) {
      throw new Error(`the events of ${orderId} are not versions 1 to ${events.length}`);
    }
    return events.map((event) => event.type);
  }

  /** The order's payment as its owner reads it. */
  async function paymentOf(orderId: string): Promise<{ status: number; payment?: PaymentResponse }> {
    const answer = await shop(ownerOf(orderId), 'GET', `/payments/${orderId}`);
    return answer.status === 200
      ? { status: 200, payment: answer.body as PaymentResponse }
      : { status: answer.status };
  }

  /** The processor's charges of the order, from its own API. */
  async function chargesAt(orderId: string): Promise<ChargeObject[]> {
    const answer = await send(
      options.providerUrl(),
      'GET',
      `v1/charges?orderId=${encodeURIComponent(orderId)}`,
    );
    if (answer.status !== 200) throw new Error(`listing the charges of ${orderId}: ${answer.status}`);
    return [...(answer.body as ChargeListObject).data];
  }

  /** Places a one-line `tok_visa` order as a client does; the trace id X-Ray gave its request. */
  async function placeTracedOrder(product: TestProduct, buyer = 'ada') {
    const owner = await options.customer(buyer);
    const placed = await apiAs(options.cloud(), owner)(
      'POST',
      '/orders',
      keyed('POST', {
        items: [{ productId: product.productId, quantity: 1 }],
        payment: { method: 'card', token: 'tok_visa' },
      }),
    );
    const { orderId } = placed.body as { orderId: string };
    owners.set(orderId, owner);
    const traceId = /Root=([^;]+)/.exec(placed.headers.get('x-amzn-trace-id') ?? '')?.[1] ?? '';
    return { status: placed.status, orderId, traceId };
  }

  /**
   * The names of the services in the trace (`/_local/traces/{id}`), joined by spaces, once `complete`
   * holds of them and the trace is no longer in progress.
   */
  async function traceServices(traceId: string, complete: (names: string) => boolean, timeoutMs: number) {
    return eventually(
      async () => {
        const answer = await send(options.cloud().apiUrl, 'GET', `/_local/traces/${traceId}`);
        const body = answer.body as { services?: { name: string }[]; inProgress?: boolean };
        const names = (body.services ?? []).map((service) => service.name).join(' ');
        return complete(names) && body.inProgress === false ? names : undefined;
      },
      { timeoutMs, intervalMs: 150, what: `the trace ${traceId} to reach the end of the saga` },
    );
  }

  const decide = (orderId: string, decision: 'approve' | 'reject', comment?: string): Promise<Answer> =>
    shop(options.staff(), 'POST', `/orders/${orderId}/approval`, {
      decision,
      ...(comment === undefined ? {} : { comment }),
    });

  return {
    shop,
    ownerOf,
    newProduct,
    restock,
    stockOf,
    placeOrder,
    orderOf,
    eventTypesOf,
    paymentOf,
    chargesAt,
    placeTracedOrder,
    traceServices,
    decide,
  };
}
