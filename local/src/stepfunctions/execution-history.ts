/** An execution's history as `GetExecutionHistory` returns it: numbered events with AWS's types. */

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class ExecutionHistory {
  private readonly events: HistoryEvent[] = [];

  /** Appends an event and returns its id. */
  add(type: string, previousEventId: number, details?: Record<string, unknown>, at = new Date()): number {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId, timestamp: at, type, ...(details ? { details } : {}) });
    return id;
  }

  list(): readonly HistoryEvent[] {
    return this.events;
  }
}

/** The member of `HistoryEvent` AWS puts an event's details in, e.g. `taskScheduledEventDetails`. */
export function detailsMemberOf(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** The event on the wire: JSON 1.0 timestamps are epoch seconds. */
export function historyEventToApi(event: HistoryEvent, includeData = true): Record<string, unknown> {
  const details = event.details && (includeData ? event.details : withoutData(event.details));
  return {
    timestamp: event.timestamp.getTime() / 1000,
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
    ...(details ? { [detailsMemberOf(event.type)]: details } : {}),
  };
}

const DATA_FIELDS = ['input', 'output', 'parameters'];

function withoutData(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !DATA_FIELDS.includes(key)));
}
