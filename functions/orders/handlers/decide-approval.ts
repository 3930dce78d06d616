import * as z from 'zod';
import type { HttpInterceptor, ProxyHandler } from '../../../shared/http';
import { httpHandler, staffOnly } from '../../../shared/http';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { DecideApproval } from '../application/decide-approval';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { OrderPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export const ApprovalBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().min(1).max(500).optional(),
});

export interface DecideApprovalHandlerDependencies {
  readonly decideApproval: DecideApproval;
  /** `Idempotency-Key`, optional: the same decision again is harmless without one. */
  readonly idempotency: HttpInterceptor;
  readonly commandContext: CommandContextFactory;
  readonly logger?: AppLogger;
}

/**
 * `POST /orders/{orderId}/approval` `{ decision: approve | reject, comment? }` → 200
 * `{ orderId, status, decision }`, once the decision is recorded and the waiting saga resumed.
 * 404 for an unknown order; 409 `ORDER_NOT_AWAITING_APPROVAL` when no approval is awaited (never asked,
 * decided the other way, or past its deadline).
 */
export function makeHandler(deps: DecideApprovalHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: ApprovalBody,
      pathParameters: OrderPath,
      authorize: staffOnly('decide approvals'),
      interceptor: deps.idempotency,
      ...definedProps({ logger: deps.logger }),
    },
    async ({ body, pathParameters: { orderId }, correlationId, requestId }) =>
      withRequestContext({ correlationId, orderId }, async () => {
        annotate({ orderId });
        const decided = await deps.decideApproval(
          {
            orderId,
            decision: body.decision,
            ...definedProps({ comment: body.comment }),
          },
          deps.commandContext({ correlationId, causationId: requestId }),
        );
        return { statusCode: 200, body: decided };
      }),
  );
}
