import * as z from 'zod';
import type { ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler, staffOnly } from '../../../shared/http';
import type { DecideRolloutApproval } from '../application/decide-rollout-approval';
import { RolloutApprovalBodySchema } from '../contracts/rollout';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

/** A rollout's id: its execution's name (Step Functions: 1 to 80 letters, digits, `-` and `_`). */
export const RolloutPath = z.strictObject({
  rolloutId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, {
    error: 'must be a rollout id (the execution name: 1 to 80 letters, digits, - or _)',
  }),
});

export interface DecideRolloutApprovalHandlerDependencies {
  readonly decideApproval: DecideRolloutApproval;
  readonly logger?: AppLogger;
}

/**
 * `POST /deployments/{rolloutId}/approval` `{ decision: approve | abort, comment? }` → 200
 * `{ rolloutId, decision }` once the waiting rollout is resumed (approve) or failed (abort: it rolls
 * back). Staff only (403 `FORBIDDEN` otherwise); 404 `ROLLOUT_NOT_FOUND`; 409
 * `ROLLOUT_NOT_AWAITING_APPROVAL` when the rollout does not wait for an approval.
 */
export function makeHandler(deps: DecideRolloutApprovalHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: RolloutApprovalBodySchema,
      pathParameters: RolloutPath,
      authorize: staffOnly('decide rollout approvals'),
      ...definedProps({ logger: deps.logger }),
    },
    async ({ body, pathParameters: { rolloutId }, event }) => {
      const decided = await deps.decideApproval({
        rolloutId,
        decision: body.decision,
        decidedBy: callerOf(event).userId,
        ...definedProps({ comment: body.comment }),
      });
      return { statusCode: 200, body: decided };
    },
  );
}
