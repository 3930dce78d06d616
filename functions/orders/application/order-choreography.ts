import type { CommandContext } from '../../../shared/event-sourcing';
import { UniqueKeyTakenError } from '../../../shared/event-sourcing';
import type { ReactionOutcome } from '../../../shared/messaging/event-consumer';
import type { ReactionCause } from '../../../shared/messaging/reaction-state';
import type { SagaCancellationReason } from '../contracts/place-order-saga';
import { OrderNotCancellableError, OrderNotConfirmableError } from '../domain/errors';
import type { OrderCommand } from '../domain/order';
import type { OrderDeadlineKind, OrderDeadlines } from '../ports/order-deadlines';
import type { OrderRunner } from './order-runner';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface OrderChoreographyDependencies {
  readonly runner: OrderRunner;
  readonly deadlines: OrderDeadlines;
  /** How long a human approval may take before the order is cancelled with `APPROVAL_TIMEOUT`. */
  readonly approvalDeadlineSeconds: number;
  /** How long a choreographed order may take to be PAID or CANCELLED before it is cancelled with `SAGA_TIMED_OUT`. */
  readonly watchdogSeconds: number;
  readonly logger?: AppLogger;
}

export interface OrderChoreography {
  /** On the order's own `OrderCreated`: the watchdog's deadline, and the approval's where it needs one. */
  watch(
    cause: ReactionCause,
    createdAt: string,
    approvalRequired: boolean,
    context: CommandContext,
  ): Promise<ReactionOutcome>;
  /** On `OrderStockReserved`: asks for the approval (and sets its deadline) when the order needs one. */
  stockReserved(cause: ReactionCause, context: CommandContext): Promise<ReactionOutcome>;
  /** On `OrderStockCommitted`: the order is `PAID` (`OrderPaid`), unless it was cancelled meanwhile. */
  confirm(
    cause: ReactionCause,
    payment: { readonly chargeId: string; readonly amountCents: number },
    context: CommandContext,
  ): Promise<ReactionOutcome>;
  /** On a failure's event: `OrderCancelled` with the saga's reason; the other contexts compensate on it. */
  cancel(
    cause: ReactionCause,
    reason: SagaCancellationReason,
    context: CommandContext,
  ): Promise<ReactionOutcome>;
  /** On `OrderDeadlineReached`: an order still waiting for its approval, or for its end, is cancelled. */
  deadlineReached(
    cause: ReactionCause,
    kind: OrderDeadlineKind,
    context: CommandContext,
  ): Promise<ReactionOutcome>;
}

/**
 * Orders' part of the choreographed saga. The order's stream orders everything: each reaction is a
 * command on the order, decided on its current state and appended at the next version, with the
 * reacted-to event's id claimed in the same transaction (`uniqueKey`), so a redelivered event appends
 * nothing. **The order is cancelled first**: `OrderCancelled` is the one event inventory releases and
 * payments refunds on, so the only step that can refuse (a paid order is not cancelled) comes before
 * the compensations, and a cancellation that was refused compensates nothing.
 */
export function makeOrderChoreography(deps: OrderChoreographyDependencies): OrderChoreography {
  const { runner, deadlines, logger } = deps;

  async function run(cause: ReactionCause, command: OrderCommand, context: CommandContext) {
    try {
      const { events } = await runner.run(cause.orderId, command, context, {
        uniqueKey: `order-saga#${cause.eventId}`,
      });
      return { outcome: events.length > 0 ? ('applied' as const) : ('ignored' as const) };
    } catch (error) {
      if (error instanceof UniqueKeyTakenError) return { outcome: 'duplicate' as const };
      throw error;
    }
  }

  async function setDeadline(
    orderId: string,
    kind: OrderDeadlineKind,
    from: string,
    seconds: number,
    context: CommandContext,
  ): Promise<void> {
    const dueAt = new Date(Date.parse(from) + seconds * 1000).toISOString();
    const outcome = await deadlines.set({
      orderId,
      kind,
      dueAt,
      correlationId: context.correlationId,
      ...definedProps({ traceHeader: context.traceHeader }),
    });
    logger?.info(`Deadline ${outcome === 'set' ? 'set' : 'was set before'}`, { orderId, kind, dueAt });
  }

  async function cancel(
    cause: ReactionCause,
    command: OrderCommand,
    context: CommandContext,
  ): Promise<ReactionOutcome> {
    try {
      return (await run(cause, command, context)).outcome;
    } catch (error) {
      if (error instanceof OrderNotCancellableError) {
        logger?.info('The order is paid: not cancelled', { orderId: cause.orderId, reason: error.message });
        return 'ignored';
      }
      throw error;
    }
  }

  return {
    async watch(cause, createdAt, approvalRequired, context) {
      await setDeadline(cause.orderId, 'watchdog', createdAt, deps.watchdogSeconds, context);
      // Counted from the order's placement: its stock is held within seconds, its approval takes hours.
      if (approvalRequired) {
        await setDeadline(cause.orderId, 'approval', createdAt, deps.approvalDeadlineSeconds, context);
      }
      return 'applied';
    },

    async stockReserved(cause, context) {
      return (await run(cause, { type: 'AwaitApproval', orderId: cause.orderId }, context)).outcome;
    },

    async confirm(cause, payment, context) {
      try {
        return (await run(cause, { type: 'ConfirmPayment', orderId: cause.orderId, ...payment }, context))
          .outcome;
      } catch (error) {
        if (error instanceof OrderNotConfirmableError) {
          // Cancelled meanwhile: inventory and payments compensate on that cancellation.
          logger?.info('The order was cancelled: not confirmed', { orderId: cause.orderId });
          return 'ignored';
        }
        throw error;
      }
    },

    cancel: (cause, reason, context) =>
      cancel(cause, { type: 'CancelOrder', orderId: cause.orderId, reason }, context),

    deadlineReached: (cause, kind, context) =>
      cancel(
        cause,
        kind === 'approval'
          ? { type: 'ExpireApproval', orderId: cause.orderId }
          : { type: 'CancelOrder', orderId: cause.orderId, reason: 'SAGA_TIMED_OUT' },
        context,
      ),
  };
}
