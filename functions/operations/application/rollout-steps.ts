/**
 * The steps of a canary rollout, each one call of the `rollout-step` function: read what is, ask the
 * domain what to do (`domain/rollout.ts`), write it through the ports.
 */
import type { RollbackResult } from '../contracts/rollout';
import {
  afterShift,
  decideNext,
  describeRouting,
  driftDetail,
  planRollback,
  planRollout,
  sameRouting,
  type RollbackReason,
  type RolloutDecision,
  type RolloutRequest,
  type RolloutState,
} from '../domain/rollout';
import type { AlarmStates } from '../ports/alarm-states';
import type { FunctionAliases } from '../ports/function-aliases';
import type { RolloutRecords } from '../ports/rollout-records';
import { AliasDriftedError } from './errors';
import { silentLogger, type AppLogger } from '../../../shared/observability/app-logger';

export interface RolloutStepsDependencies {
  readonly aliases: FunctionAliases;
  readonly alarms: AlarmStates;
  readonly records: RolloutRecords;
  readonly now: () => Date;
  readonly logger?: AppLogger;
}

export interface Evaluation {
  readonly decision: RolloutDecision;
  /** The alias's revision when it was read: the next write names it. */
  readonly revisionId: string;
}

export interface RolloutSteps {
  /** Reads the alias, checks the request against it (`InvalidRollout`), records the rollout. */
  start(
    rolloutId: string,
    request: RolloutRequest,
    defaults: { readonly bakeSeconds: number },
  ): Promise<RolloutState>;
  /** Reads the alias and the alarms, and decides. */
  evaluate(state: RolloutState): Promise<Evaluation>;
  /**
   * Writes a shift (or the promotion) if the alias is still at `revisionId`. A write that finds another
   * revision reads the alias again: already as decided (a retry of a write whose answer was lost) is
   * done; anything else is `AliasDrifted`.
   */
  shift(
    state: RolloutState,
    decision: Extract<RolloutDecision, { action: 'shift' | 'promote' }>,
    revisionId: string,
  ): Promise<RolloutState>;
  /** Keeps the approval's task token where `POST /deployments/{rolloutId}/approval` finds it. */
  requestApproval(state: RolloutState, taskToken: string): Promise<void>;
  /** Puts the original version back alone, unless the alias drifted (then it is left as it is). */
  rollBack(state: RolloutState, reason: RollbackReason): Promise<RollbackResult>;
}

/** Attempts of a roll-back whose conditional write meets a concurrent one before it reads `drifted`. */
const ROLLBACK_ATTEMPTS = 3;

export function makeRolloutSteps(deps: RolloutStepsDependencies): RolloutSteps {
  const logger = deps.logger ?? silentLogger;
  return {
    async start(rolloutId, request, defaults) {
      const alias = await deps.aliases.read(request.functionName, request.aliasName);
      const state = planRollout(rolloutId, request, alias.routing, defaults);
      await deps.records.create({
        rolloutId,
        functionName: state.functionName,
        aliasName: state.aliasName,
        originalVersion: state.originalVersion,
        targetVersion: state.targetVersion,
        startedAt: deps.now().toISOString(),
      });
      logger.info('Rollout started', { rolloutId, from: state.originalVersion, to: state.targetVersion });
      return state;
    },

    async evaluate(state) {
      const alias = await deps.aliases.read(state.functionName, state.aliasName);
      const alarms = await deps.alarms.statesOf(state.alarmNames);
      const decision = decideNext(state, alias.routing, alarms);
      logger.info('Rollout evaluated', {
        rolloutId: state.rolloutId,
        step: state.step,
        weight: state.weight,
        action: decision.action,
        alarms,
      });
      return { decision, revisionId: alias.revisionId };
    },

    async shift(state, decision, revisionId) {
      const outcome = await deps.aliases.write(
        state.functionName,
        state.aliasName,
        decision.routing,
        revisionId,
      );
      if (outcome === 'revision-changed') {
        const now = await deps.aliases.read(state.functionName, state.aliasName);
        if (!sameRouting(now.routing, decision.routing)) {
          throw new AliasDriftedError(
            `${state.functionName}:${state.aliasName} changed under the rollout: it routes ` +
              `${describeRouting(now.routing)}, the rollout last wrote ${describeRouting(state.expected)}.`,
          );
        }
      }
      logger.info('Rollout shifted', {
        rolloutId: state.rolloutId,
        step: decision.step,
        weight: decision.weight,
        routing: describeRouting(decision.routing),
      });
      return afterShift(state, decision);
    },

    async requestApproval(state, taskToken) {
      await deps.records.awaitApproval(state.rolloutId, taskToken, deps.now().toISOString());
      logger.info('Rollout awaits approval', { rolloutId: state.rolloutId, weight: state.weight });
    },

    async rollBack(state, reason) {
      for (let attempt = 1; ; attempt += 1) {
        const alias = await deps.aliases.read(state.functionName, state.aliasName);
        const plan = planRollback(state, alias.routing);
        if (plan.action === 'drifted') {
          logger.warn('Rollout not rolled back: the alias drifted', {
            rolloutId: state.rolloutId,
            reason,
            detail: plan.detail,
          });
          return { outcome: 'DRIFTED', observed: alias.routing, detail: plan.detail };
        }
        if (plan.action === 'done') {
          logger.info('Rollout rolled back', { rolloutId: state.rolloutId, reason });
          return { outcome: 'ROLLED_BACK', observed: alias.routing, detail: rolledBackDetail(state) };
        }
        const outcome = await deps.aliases.write(
          state.functionName,
          state.aliasName,
          plan.routing,
          alias.revisionId,
        );
        if (outcome === 'written') {
          logger.info('Rollout rolled back', { rolloutId: state.rolloutId, reason });
          return { outcome: 'ROLLED_BACK', observed: plan.routing, detail: rolledBackDetail(state) };
        }
        // Someone wrote the alias between the read and the write: read it again, and judge again.
        if (attempt >= ROLLBACK_ATTEMPTS) {
          const latest = await deps.aliases.read(state.functionName, state.aliasName);
          return sameRouting(latest.routing, plan.routing)
            ? { outcome: 'ROLLED_BACK', observed: latest.routing, detail: rolledBackDetail(state) }
            : { outcome: 'DRIFTED', observed: latest.routing, detail: driftDetail(state, latest.routing) };
        }
      }
    },
  };
}

function rolledBackDetail(state: RolloutState): string {
  return `${state.functionName}:${state.aliasName} routes ${state.originalVersion} (100 %) again`;
}
