import type { CommandContext } from '../../../shared/event-sourcing';

export const FIXED_NOW = '2026-11-26T12:00:00.000Z';

/** A context with a stopped clock and numbered event ids, so expectations can name them. */
export function fixedContext(overrides: Partial<Pick<CommandContext, 'traceHeader'>> = {}): CommandContext {
  let next = 0;
  return {
    correlationId: 'corr-1',
    causationId: 'cause-1',
    ...overrides,
    now: () => new Date(FIXED_NOW),
    newEventId: () => {
      next += 1;
      return `evt-${next}`;
    },
  };
}
