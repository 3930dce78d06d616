/**
 * The canary rollout controller's decisions, pure: the plan of a rollout (1 → 5 → 10 → 50 → 100 % by
 * default) and, before each step, what to do next given the rollout so far, the alias as read now and the
 * states of the alarms that guard it. The state machine (`infra/constructs/canary-rollout.ts`) carries
 * the state from step to step; the `rollout-step` function reads and writes AWS and asks these functions.
 */
import { InvalidRolloutError } from './errors';

/** Lambda's unpublished version: never a rollout's target, never an alias's routing in this controller. */
export const LATEST_VERSION = '$LATEST';
/** The traffic the new version takes at each step, in percent. */
export const DEFAULT_STEPS: readonly number[] = [1, 5, 10, 50, 100];
/** A person approves before the new version takes more than this share of the traffic. */
export const DEFAULT_APPROVAL_AFTER_PERCENT = 50;
/** The longest bake between two steps: a day. */
export const MAX_BAKE_SECONDS = 86_400;

/**
 * Where an alias sends its traffic: `functionVersion` takes what the `weights` (percent, by version)
 * leave. Lambda allows one extra version at most, neither of them `$LATEST`.
 */
export interface AliasRouting {
  readonly functionVersion: string;
  readonly weights: Readonly<Record<string, number>>;
}

/** The state of one CloudWatch alarm, or `MISSING` when CloudWatch has no alarm of that name. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

/** What a rollout was asked for (the execution's input), before it is checked. */
export interface RolloutRequest {
  readonly functionName: string;
  readonly aliasName: string;
  readonly targetVersion: string;
  /** The context's guard composite alarm and the new version's errors alarm, at least. */
  readonly alarmNames: readonly string[];
  readonly bakeSeconds?: number;
  readonly steps?: readonly number[];
  readonly approvalAfterPercent?: number;
}

/**
 * A rollout under way, as the state machine carries it from step to step: the plan, the step reached
 * (`step` 0 before the first shift; `weight` the target's share now), whether a person approved, and the
 * routing the controller last wrote — what the alias must still say before the next step.
 */
export interface RolloutState {
  readonly rolloutId: string;
  readonly functionName: string;
  readonly aliasName: string;
  readonly originalVersion: string;
  readonly targetVersion: string;
  readonly alarmNames: readonly string[];
  readonly steps: readonly number[];
  readonly approvalAfterPercent: number;
  readonly bakeSeconds: number;
  /** Steps done: 0 before the first shift, `steps.length` once promoted. */
  readonly step: number;
  /** The target version's share of the traffic now, in percent. */
  readonly weight: number;
  readonly approved: boolean;
  /** What the controller last wrote (at the start: what it found). */
  readonly expected: AliasRouting;
}

/** Why a rollout is rolled back. */
export type RollbackReasonCode =
  'ALARM' | 'ALARM_MISSING' | 'APPROVAL_ABORTED' | 'APPROVAL_TIMED_OUT' | 'STEP_FAILED';

export interface RollbackReason {
  readonly code: RollbackReasonCode;
  readonly detail: string;
  /** The alarms that fired, or are missing (for `ALARM` and `ALARM_MISSING`). */
  readonly alarms?: readonly string[];
}

/** What the controller does next. */
export type RolloutDecision =
  /** Write `routing`: the target takes `weight` % at step `step`. */
  | {
      readonly action: 'shift';
      readonly step: number;
      readonly weight: number;
      readonly routing: AliasRouting;
    }
  /** Wait for a person before leaving `weight` %. */
  | { readonly action: 'await-approval'; readonly step: number; readonly weight: number }
  /** The last step: the alias points at the target alone. */
  | {
      readonly action: 'promote';
      readonly step: number;
      readonly weight: 100;
      readonly routing: AliasRouting;
    }
  /** Put the alias back on the original version alone. */
  | { readonly action: 'roll-back'; readonly reason: RollbackReason; readonly routing: AliasRouting }
  /** Promoted, and the alarms stayed quiet through the last bake. */
  | { readonly action: 'succeeded' }
  /** The alias is not what the controller wrote: someone changed it. Stop, touching nothing. */
  | {
      readonly action: 'drifted';
      readonly expected: AliasRouting;
      readonly observed: AliasRouting;
      /** What a person reads: what the controller wrote, what the alias says. */
      readonly detail: string;
    };

/** The routing of one version alone. */
export function only(version: string): AliasRouting {
  return { functionVersion: version, weights: {} };
}

/** `original` with `weight` % of the traffic sent to `target` (`only(target)` at 100 %). */
export function splitRouting(original: string, target: string, weight: number): AliasRouting {
  if (weight >= 100) return only(target);
  if (weight <= 0) return only(original);
  return { functionVersion: original, weights: { [target]: weight } };
}

/**
 * Whether two routings send the same traffic: the same main version and the same extra weights. Weights
 * are compared to a thousandth of a percent: Lambda hands back the fractions it was given as doubles.
 */
export function sameRouting(a: AliasRouting, b: AliasRouting): boolean {
  if (a.functionVersion !== b.functionVersion) return false;
  const versions = new Set([...Object.keys(a.weights), ...Object.keys(b.weights)]);
  for (const version of versions) {
    if (Math.abs((a.weights[version] ?? 0) - (b.weights[version] ?? 0)) > 0.001) return false;
  }
  return true;
}

const ALIAS_OR_FUNCTION = /^[A-Za-z0-9_-]+$/;
const VERSION = /^[0-9]+$/;

/**
 * The rollout `request` asks for, checked, starting from the alias as it is (`current`); or
 * `InvalidRolloutError` naming every problem. The alias must point at one published version; the target
 * must be another published version; the steps must climb strictly, each a whole percent from 1, ending
 * at 100. A person approves before the first step above `approvalAfterPercent` (100: never).
 */
export function planRollout(
  rolloutId: string,
  request: RolloutRequest,
  current: AliasRouting,
  defaults: { readonly bakeSeconds: number },
): RolloutState {
  const problems: { path: string; message: string }[] = [];
  const problem = (path: string, message: string): void => void problems.push({ path, message });
  const steps = request.steps ?? DEFAULT_STEPS;
  const approvalAfterPercent = request.approvalAfterPercent ?? DEFAULT_APPROVAL_AFTER_PERCENT;
  const bakeSeconds = request.bakeSeconds ?? defaults.bakeSeconds;

  if (!ALIAS_OR_FUNCTION.test(request.functionName)) {
    problem('functionName', 'must be a function name (letters, digits, - and _)');
  }
  if (!ALIAS_OR_FUNCTION.test(request.aliasName) || VERSION.test(request.aliasName)) {
    problem('aliasName', 'must be an alias name (letters, digits, - and _, not only digits)');
  }
  if (request.targetVersion === LATEST_VERSION) {
    problem('targetVersion', 'must be a published version, not $LATEST: publish the code first');
  } else if (!VERSION.test(request.targetVersion)) {
    problem('targetVersion', 'must be a published version number, e.g. "7"');
  } else if (request.targetVersion === current.functionVersion) {
    problem('targetVersion', `is the version the alias already points at (${current.functionVersion})`);
  }
  if (current.functionVersion === LATEST_VERSION) {
    problem('aliasName', 'points at $LATEST: a rollout starts from a published version');
  }
  if (Object.keys(current.weights).length > 0) {
    problem(
      'aliasName',
      `already routes to two versions (${describeRouting(current)}): another rollout may be under way`,
    );
  }
  if (request.alarmNames.length === 0) {
    problem('alarmNames', "must name at least the context's guard alarm");
  } else if (request.alarmNames.length > 100) {
    problem('alarmNames', 'takes at most 100 alarms (one DescribeAlarms call)');
  }
  if (steps.length === 0) problem('steps', 'must have at least one step');
  steps.forEach((weight, index) => {
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      problem(`steps.${index}`, `must be a whole percent from 1 to 100, not ${weight}`);
    } else if (index > 0 && weight <= (steps[index - 1] ?? 0)) {
      problem(`steps.${index}`, `must be above the step before it (${steps[index - 1]}), not ${weight}`);
    }
  });
  if (steps.length > 0 && steps[steps.length - 1] !== 100) {
    problem(`steps.${steps.length - 1}`, 'the last step must be 100');
  }
  if (!Number.isInteger(approvalAfterPercent) || approvalAfterPercent < 1 || approvalAfterPercent > 100) {
    problem('approvalAfterPercent', 'must be a whole percent from 1 to 100 (100: no approval)');
  }
  if (!Number.isInteger(bakeSeconds) || bakeSeconds < 0 || bakeSeconds > MAX_BAKE_SECONDS) {
    problem('bakeSeconds', `must be a whole number of seconds from 0 to ${MAX_BAKE_SECONDS}`);
  }
  if (problems.length > 0) {
    throw new InvalidRolloutError(
      `Rollout ${rolloutId} of ${request.functionName}:${request.aliasName} refused: ` +
        problems.map(({ path, message }) => `${path} ${message}`).join('; ') +
        '.',
      problems,
    );
  }
  return {
    rolloutId,
    functionName: request.functionName,
    aliasName: request.aliasName,
    originalVersion: current.functionVersion,
    targetVersion: request.targetVersion,
    alarmNames: [...request.alarmNames],
    steps: [...steps],
    approvalAfterPercent,
    bakeSeconds,
    step: 0,
    weight: 0,
    approved: false,
    expected: only(current.functionVersion),
  };
}

/**
 * What to do next, in this order:
 *
 * 1. **Drift**: the alias is not what the controller last wrote — someone (a deploy, an operator, another
 *    controller) changed it. The controller no longer knows what is safe: putting back the original
 *    version could undo a fix an operator just made. It stops with `DRIFTED` and touches nothing.
 * 2. **Alarms**: any alarm in `ALARM` rolls back; so does one CloudWatch does not have (`MISSING`: a
 *    rollout must not go on blind). `INSUFFICIENT_DATA` passes, as CodeDeploy treats it: a new alarm, or
 *    a quiet metric, is not a failure.
 * 3. **Progress**: promoted → `succeeded`; the next step would take the target above
 *    `approvalAfterPercent` without an approval → `await-approval`; the next step is 100 → `promote`;
 *    otherwise → `shift` to the next weight.
 */
export function decideNext(
  state: RolloutState,
  alias: AliasRouting,
  alarms: Readonly<Record<string, AlarmState>>,
): RolloutDecision {
  if (!sameRouting(alias, state.expected)) {
    return {
      action: 'drifted',
      expected: state.expected,
      observed: alias,
      detail: driftDetail(state, alias),
    };
  }
  const firing = state.alarmNames.filter((name) => alarms[name] === 'ALARM');
  if (firing.length > 0) {
    return rollBack(state, {
      code: 'ALARM',
      detail: `${firing.join(', ')} ${firing.length === 1 ? 'is' : 'are'} in ALARM at ${state.weight} %`,
      alarms: firing,
    });
  }
  const missing = state.alarmNames.filter((name) => (alarms[name] ?? 'MISSING') === 'MISSING');
  if (missing.length > 0) {
    return rollBack(state, {
      code: 'ALARM_MISSING',
      detail: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in CloudWatch: the rollout cannot see its health`,
      alarms: missing,
    });
  }
  const nextWeight = state.steps[state.step];
  if (nextWeight === undefined) return { action: 'succeeded' };
  if (!state.approved && nextWeight > state.approvalAfterPercent) {
    return { action: 'await-approval', step: state.step, weight: state.weight };
  }
  const step = state.step + 1;
  const routing = splitRouting(state.originalVersion, state.targetVersion, nextWeight);
  return nextWeight === 100
    ? { action: 'promote', step, weight: 100, routing }
    : { action: 'shift', step, weight: nextWeight, routing };
}

/** The decision to roll back for `reason`: the original version alone. */
export function rollBack(state: RolloutState, reason: RollbackReason): RolloutDecision {
  return { action: 'roll-back', reason, routing: only(state.originalVersion) };
}

/** The rollout once `decision` (a shift or the promotion) is written. */
export function afterShift(
  state: RolloutState,
  decision: Extract<RolloutDecision, { action: 'shift' | 'promote' }>,
): RolloutState {
  return { ...state, step: decision.step, weight: decision.weight, expected: decision.routing };
}

/** What a roll-back does, given the alias as read just before it. */
export type RollbackPlan =
  /** The alias is as the controller left it: write the original version alone. */
  | { readonly action: 'write'; readonly routing: AliasRouting }
  /** The alias already points at the original version alone (a retried roll-back): nothing to write. */
  | { readonly action: 'done' }
  /** Someone changed the alias: leave it as it is. */
  | { readonly action: 'drifted'; readonly detail: string };

export function planRollback(state: RolloutState, alias: AliasRouting): RollbackPlan {
  const original = only(state.originalVersion);
  if (sameRouting(alias, original)) return { action: 'done' };
  if (!sameRouting(alias, state.expected)) return { action: 'drifted', detail: driftDetail(state, alias) };
  return { action: 'write', routing: original };
}

/** `shop-fn:live routes 7 (100 %); the rollout last wrote 7 (95 %) + 8 (5 %)`. */
export function driftDetail(state: RolloutState, observed: AliasRouting): string {
  return (
    `${state.functionName}:${state.aliasName} routes ${describeRouting(observed)}; ` +
    `the rollout last wrote ${describeRouting(state.expected)}`
  );
}

/** `7 (95 %) + 8 (5 %)`: a routing as a person reads it. */
export function describeRouting(routing: AliasRouting): string {
  const extra = Object.entries(routing.weights);
  if (extra.length === 0) return `${routing.functionVersion} (100 %)`;
  const rest = 100 - extra.reduce((sum, [, weight]) => sum + weight, 0);
  return [
    `${routing.functionVersion} (${round(rest)} %)`,
    ...extra.map(([version, weight]) => `${version} (${round(weight)} %)`),
  ].join(' + ');
}

function round(percent: number): number {
  return Math.round(percent * 1000) / 1000;
}
