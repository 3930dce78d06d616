import { marshall } from '@aws-sdk/util-dynamodb';
import { toOutboxEntry } from '../../../shared/outbox/outbox-entry';
import {
  eventItem,
  eventSortKey,
  EVENT_ITEM_RETENTION_SECONDS,
  productFromItem,
  productItem,
  reservationFromItem,
  reservationItem,
} from '../../../functions/inventory/adapters/product-items';
import {
  INVENTORY_EVENT_SOURCE,
  INVENTORY_EVENT_TYPES,
  type StockAdded,
  type StockReserved,
} from '../../../functions/inventory/contracts';
import type { Reservation } from '../../../functions/inventory/domain/stock-reservation';
import { aProduct, FIXED_NOW, ORDER_ID, PRODUCT_ID } from './fixtures';

const stockAdded: StockAdded = {
  eventId: '01JD0000000000000000000009',
  type: 'StockAdded',
  aggregateType: 'Product',
  aggregateId: PRODUCT_ID,
  version: 12,
  occurredAt: FIXED_NOW,
  correlationId: 'corr-1',
  causationId: 'req-1',
  traceHeader: 'Root=1-abc;Sampled=1',
  schemaVersion: 1,
  data: { productId: PRODUCT_ID, quantity: 2, available: 9 },
};

const reservation: Reservation = {
  orderId: ORDER_ID,
  productId: PRODUCT_ID,
  quantity: 2,
  status: 'RESERVED',
};

/** The stream record DynamoDB emits when the item is inserted (NEW_IMAGE view). */
const insertOf = (item: Record<string, unknown>) => ({
  eventName: 'INSERT' as const,
  dynamodb: { SequenceNumber: '100', NewImage: marshall(item) },
});

describe('the products table as an outbox', () => {
  test('an event item is what the outbox relay publishes as a shop.inventory event, unchanged', () => {
    // Act
    const entry = toOutboxEntry(insertOf(eventItem(stockAdded)), {
      busName: 'shop',
      source: INVENTORY_EVENT_SOURCE,
    });
    // Assess
    expect(entry).toMatchObject({
      kind: 'publish',
      aggregateId: PRODUCT_ID,
      entry: {
        EventBusName: 'shop',
        Source: 'shop.inventory',
        DetailType: 'StockAdded',
        TraceHeader: 'Root=1-abc;Sampled=1',
      },
    });
    expect(entry.kind === 'publish' && JSON.parse(entry.entry.Detail ?? '')).toEqual(stockAdded);
  });

  test('a state item is never published', () => {
    expect(
      toOutboxEntry(insertOf(productItem(aProduct())), { busName: 'shop', source: 'shop.inventory' }),
    ).toEqual({ kind: 'ignored' });
  });

  test('event items sort by version and expire once long relayed; state items round-trip', () => {
    expect(eventSortKey(9) < eventSortKey(10)).toBe(true);
    expect(eventItem(stockAdded)).toMatchObject({
      pk: PRODUCT_ID,
      sk: 'event#0000000012',
      kind: 'event',
      expiresAt: Date.parse(FIXED_NOW) / 1000 + EVENT_ITEM_RETENTION_SECONDS,
    });
    expect(productFromItem(productItem(aProduct()))).toEqual(aProduct());
    expect(() => productFromItem({ ...productItem(aProduct()), available: -1 })).toThrow(/malformed/);
  });
});

describe('reservation items in the products table', () => {
  const target = { busName: 'shop', source: INVENTORY_EVENT_SOURCE };
  const modifyOf = (item: Record<string, unknown>) => ({ ...insertOf(item), eventName: 'MODIFY' as const });

  test('sit in the product partition under reservation#<orderId>, and round-trip', () => {
    // Act
    const item = reservationItem(reservation, FIXED_NOW);
    // Assess
    expect(item).toEqual({
      pk: PRODUCT_ID,
      sk: `reservation#${ORDER_ID}`,
      kind: 'reservation',
      orderId: ORDER_ID,
      productId: PRODUCT_ID,
      quantity: 2,
      status: 'RESERVED',
      updatedAt: FIXED_NOW,
    });
    expect(item).not.toHaveProperty('expiresAt');
    expect(reservationFromItem(item)).toEqual(reservation);
    expect(() => reservationFromItem({ ...item, status: 'HELD' })).toThrow(/malformed/);
    expect(() => reservationFromItem(productItem(aProduct()))).toThrow(/malformed/);
  });

  test('are never published, inserted or modified; the reservation events are', () => {
    // Prepare
    const stockReserved: StockReserved = {
      ...stockAdded,
      type: 'StockReserved',
      version: 13,
      data: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 2, available: 7, reserved: 2, sold: 0 },
    };
    // Act
    const inserted = toOutboxEntry(insertOf(reservationItem(reservation, FIXED_NOW)), target);
    const released = toOutboxEntry(
      modifyOf(reservationItem({ ...reservation, status: 'RELEASED' }, FIXED_NOW)),
      target,
    );
    const event = toOutboxEntry(insertOf(eventItem(stockReserved)), target);
    // Assess
    expect(inserted).toEqual({ kind: 'ignored' });
    expect(released).toEqual({ kind: 'ignored' });
    expect(event).toMatchObject({ kind: 'publish', entry: { DetailType: 'StockReserved' } });
    expect(INVENTORY_EVENT_TYPES).toEqual([
      'ProductCreated',
      'StockAdded',
      'StockReserved',
      'StockCommitted',
      'StockReleased',
    ]);
  });
});
