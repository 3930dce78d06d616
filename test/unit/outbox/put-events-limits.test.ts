import { putEventsEntrySize } from '../../../shared/outbox/put-events-limits';

describe('putEventsEntrySize', () => {
  it('counts the UTF-8 bytes of Source, DetailType, Detail and Resources, and 14 for Time', () => {
    // Prepare
    const entry = {
      Source: 'shop.orders',
      DetailType: 'OrderCreated',
      Detail: '{"note":"é"}',
      Resources: ['arn:x'],
      Time: new Date('2026-11-26T12:00:00Z'),
    };

    // Act
    const size = putEventsEntrySize(entry);

    // Assess: 11 + 12 + 13 (é is two bytes) + 5 + 14.
    expect(size).toBe(55);
  });

  it('leaves out the bus name and the trace header, as EventBridge does', () => {
    // Prepare
    const bare = { Source: 's', DetailType: 'd', Detail: '{}' };

    // Act
    const size = putEventsEntrySize({ ...bare, EventBusName: 'shop-bus', TraceHeader: 'Root=1-abc' });

    // Assess
    expect(size).toBe(putEventsEntrySize(bare));
    expect(size).toBe(4);
  });
});
