import { RolloutStepInputSchema, type RolloutStepInput } from '../contracts/rollout';
import type { RolloutSteps } from '../application/rollout-steps';
import { parseSagaInput } from '../../../shared/saga/saga-step';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

export interface RolloutStepHandlerDependencies {
  readonly steps: RolloutSteps;
  readonly logger?: KeyedLogger;
}

const STEP = 'rollout-step';

/**
 * The canary rollout's one step function, invoked by its state machine with `{ step, … }`
 * (`contracts/rollout.ts`): `start`, `evaluate`, `shift`, `request-approval` (`.waitForTaskToken`) or
 * `roll-back`. An input that breaks the contract is `InvalidSagaInput`; the steps' own errors keep
 * their contract names (`InvalidRollout`, `AliasDrifted`), and anything else is thrown on as it is, for
 * the state machine's retries.
 */
export function makeHandler(deps: RolloutStepHandlerDependencies) {
  const logger = deps.logger ?? sharedLogger;
  return async (event: unknown): Promise<unknown> => {
    let input: RolloutStepInput;
    try {
      input = parseSagaInput(RolloutStepInputSchema, event, STEP);
    } catch (error) {
      logger.error('Rollout step invoked with an input its contract forbids', { error });
      throw error;
    }
    const rolloutId = input.step === 'start' ? input.rolloutId : input.rollout.rolloutId;
    return withRequestContext(
      { correlationId: rolloutId, rolloutId, rolloutStep: input.step },
      async () => {
        try {
          return await run(deps.steps, input);
        } catch (error) {
          logger.warn('Rollout step failed', { step: input.step, error });
          throw error;
        }
      },
      logger,
    );
  };
}

async function run(steps: RolloutSteps, input: RolloutStepInput): Promise<unknown> {
  switch (input.step) {
    case 'start':
      return steps.start(input.rolloutId, input.request, input.defaults);
    case 'evaluate':
      return steps.evaluate(input.rollout);
    case 'shift':
      return steps.shift(input.rollout, input.decision, input.revisionId);
    case 'request-approval':
      await steps.requestApproval(input.rollout, input.taskToken);
      return {};
    case 'roll-back':
      return steps.rollBack(input.rollout, input.reason);
  }
}
