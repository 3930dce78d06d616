import { commandContext, type CommandContextFactory } from '../../../shared/event-sourcing/command-context';
import { definedProps } from '../../../shared/objects/defined-props';

/** The real clock and ULID event ids; the request caused the command; the trace header as given. */
export function requestCommandContext(traceHeader: () => string | undefined): CommandContextFactory {
  return ({ correlationId, causationId }) => {
    const header = traceHeader();
    return commandContext({
      correlationId,
      causationId,
      ...definedProps({ traceHeader: header }),
    });
  };
}
