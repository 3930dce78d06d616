import { newUlid } from '../ids/ids';
import { definedProps } from '../objects/defined-props';

/** What the runner stamps on every event of one command, besides what the decider decided. */
export interface CommandContext {
  /** Id of the whole business flow (the first request's), carried through every hop. */
  readonly correlationId: string;
  /** Id of the request or event that caused this command. */
  readonly causationId: string;
  /** X-Ray trace header, when the command runs in a traced invocation. */
  readonly traceHeader?: string;
  now(): Date;
  newEventId(): string;
}

/**
 * Builds the context stamped on a command's events: the flow's correlation id, caused by the request
 * (or the saga step's invocation) that runs it.
 */
export type CommandContextFactory = (flow: {
  readonly correlationId: string;
  readonly causationId: string;
}) => CommandContext;

/** A context with the real clock and ULID event ids; tests build their own with fixed ones. */
export function commandContext(ids: {
  readonly correlationId: string;
  readonly causationId: string;
  readonly traceHeader?: string;
}): CommandContext {
  return {
    correlationId: ids.correlationId,
    causationId: ids.causationId,
    ...definedProps({ traceHeader: ids.traceHeader }),
    now: () => new Date(),
    newEventId: () => newUlid(),
  };
}
