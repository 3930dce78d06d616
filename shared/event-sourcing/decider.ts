import type { DomainEvent, EventPayload } from './domain-event';

/**
 * An aggregate as three pure parts (STYLE.md shape 4): the state before any event, how an event
 * changes the state, and which events a command produces. No I/O: the runner does the loading and
 * appending, so the same decider runs in tests, in Lambda and in replays.
 */
export interface Decider<TCommand, TState, TEvent extends DomainEvent> {
  readonly initialState: TState;
  /** Returns the new state; must not mutate `state`. */
  evolve(state: TState, event: TEvent): TState;
  /** Throws a domain error to refuse the command; returns no events when the command changes nothing. */
  decide(command: TCommand, state: TState): readonly EventPayload<TEvent>[];
}
