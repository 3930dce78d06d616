import { commandContext, type CommandContext } from '../../../shared/event-sourcing/command-context';

/** Builds the context a command's events are stamped with, from the request that caused it. */
export type CommandContextFactory = (request: {
  readonly correlationId: string;
  readonly requestId: string;
}) => CommandContext;

/** The real clock and ULID event ids; the request caused the command; the trace header as given. */
export function requestCommandContext(traceHeader: () => string | undefined): CommandContextFactory {
  return ({ correlationId, requestId }) => {
    const header = traceHeader();
    return commandContext({
      correlationId,
      causationId: requestId,
      ...(header === undefined ? {} : { traceHeader: header }),
    });
  };
}
