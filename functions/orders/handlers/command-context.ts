import type { CommandContext } from '../../../shared/event-sourcing';

/** Builds the context stamped on a request's events: its correlation id, caused by its request id. */
export type CommandContextFactory = (ids: {
  readonly correlationId: string;
  readonly causationId: string;
}) => CommandContext;
