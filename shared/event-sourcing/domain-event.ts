/**
 * The envelope every event of the platform travels in (ARCHITECTURE.md §4): what the event store
 * keeps, what the outbox relay publishes as the EventBridge `detail`, and what projectors read.
 * An aggregate's event union is a union of `DomainEvent`s, e.g.
 * `DomainEvent<'OrderCreated', OrderCreatedData> | DomainEvent<'OrderCancelled', OrderCancelledData>`.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  /** ULID, unique across the platform; consumers deduplicate on it. */
  readonly eventId: string;
  /** Also the EventBridge `detail-type`. */
  readonly type: TType;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Position in the aggregate's stream: 1 for its first event, no gaps. */
  readonly version: number;
  /** ISO-8601 instant. */
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** X-Ray trace header of the command that caused the event, to join the traces across the bus. */
  readonly traceHeader?: string;
  /** Version of `data`'s shape for this `type`, so consumers can upcast old events. */
  readonly schemaVersion: number;
  readonly data: TData;
}

/**
 * What a decider emits: the event's type and data, before the runner wraps it in its envelope.
 * Distributes over the union so that each `type` keeps its own `data`.
 */
export type EventPayload<TEvent extends DomainEvent> = TEvent extends DomainEvent
  ? {
      readonly type: TEvent['type'];
      readonly data: TEvent['data'];
      /** @default 1 */
      readonly schemaVersion?: number;
    }
  : never;
