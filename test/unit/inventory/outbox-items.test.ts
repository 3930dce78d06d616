import { marshall } from '@aws-sdk/util-dynamodb';
import { toOutboxEntry } from '../../../shared/outbox/outbox-entry';
import {
  eventItem,
  eventSortKey,
  EVENT_ITEM_RETENTION_SECONDS,
  productFromItem,
  productItem,
} from '../../../functions/inventory/adapters/product-items';
import { INVENTORY_EVENT_SOURCE, type StockAdded } from '../../../functions/inventory/contracts';
import { aProduct, FIXED_NOW, PRODUCT_ID } from './fixtures';

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
