import {
  decideNext,
  DEFAULT_STEPS,
  only,
  planRollback,
  planRollout,
  afterShift,
  splitRouting,
  type AlarmState,
  type RolloutDecision,
  type RolloutRequest,
  type RolloutState,
} from '../../../functions/operations/domain/rollout';
import { InvalidRolloutError } from '../../../functions/operations/domain/errors';

const GUARD = 'shop-orders-guard';
const NEW_ERRORS = 'shop-orders-create-order-v8-errors';
const request: RolloutRequest = {
  functionName: 'ShopOrders-CreateOrderFunction-ABC',
  aliasName: 'live',
  targetVersion: '8',
  alarmNames: [GUARD, NEW_ERRORS],
};
const quiet: Record<string, AlarmState> = { [GUARD]: 'OK', [NEW_ERRORS]: 'OK' };

function started(overrides: Partial<RolloutRequest> = {}): RolloutState {
  return planRollout('r-1', { ...request, ...overrides }, only('7'), { bakeSeconds: 600 });
}

/** Runs the controller against a perfect alias (it says what was last written) until it must stop. */
function walk(state: RolloutState, alarms = quiet): { decisions: RolloutDecision[]; state: RolloutState } {
  const decisions: RolloutDecision[] = [];
  let current = state;
  for (let turn = 0; turn < 20; turn += 1) {
    const decision = decideNext(current, current.expected, alarms);
    decisions.push(decision);
    if (decision.action === 'shift' || decision.action === 'promote') current = afterShift(current, decision);
    else if (decision.action === 'await-approval') current = { ...current, approved: true };
    else break;
  }
  return { decisions, state: current };
}

describe('planRollout', () => {
  test('the default plan: 1, 5, 10, 50, 100 %, approval after 50 %, from the version the alias points at', () => {
    const state = started();
    expect(state).toMatchObject({
      originalVersion: '7',
      targetVersion: '8',
      steps: DEFAULT_STEPS,
      approvalAfterPercent: 50,
      bakeSeconds: 600,
      step: 0,
      weight: 0,
      approved: false,
      expected: { functionVersion: '7', weights: {} },
    });
  });

  test('steps, approval point and bake from the request', () => {
    const state = started({ steps: [10, 100], approvalAfterPercent: 100, bakeSeconds: 0 });
    expect(state).toMatchObject({ steps: [10, 100], approvalAfterPercent: 100, bakeSeconds: 0 });
  });

  test.each<[string, Partial<RolloutRequest>, string]>([
    [
      'the target is the current version',
      { targetVersion: '7' },
      'targetVersion is the version the alias already points at',
    ],
    ['the target is $LATEST', { targetVersion: '$LATEST' }, 'not $LATEST'],
    ['the target is not a version number', { targetVersion: 'v8' }, 'published version number'],
    ['no alarm', { alarmNames: [] }, "alarmNames must name at least the context's guard"],
    ['steps not increasing', { steps: [1, 10, 5, 100] }, 'steps.2 must be above the step before it'],
    ['steps not ending at 100', { steps: [1, 5, 50] }, 'the last step must be 100'],
    ['a step that is not a whole percent', { steps: [0.5, 100] }, 'steps.0 must be a whole percent'],
    ['a step above 100', { steps: [50, 150] }, 'steps.1 must be a whole percent'],
    ['no steps', { steps: [] }, 'steps must have at least one step'],
    ['a negative bake', { bakeSeconds: -1 }, 'bakeSeconds must be a whole number'],
    ['an approval point of 0', { approvalAfterPercent: 0 }, 'approvalAfterPercent must be a whole percent'],
    ['an alias name of digits', { aliasName: '12' }, 'aliasName must be an alias name'],
  ])('refused when %s', (_, overrides, message) => {
    expect(() => started(overrides)).toThrow(InvalidRolloutError);
    expect(() => started(overrides)).toThrow(message);
  });

  test('refused when the alias points at $LATEST, or already routes to two versions', () => {
    expect(() => planRollout('r-1', request, only('$LATEST'), { bakeSeconds: 60 })).toThrow(
      /points at \$LATEST/,
    );
    expect(() => planRollout('r-1', request, splitRouting('6', '7', 10), { bakeSeconds: 60 })).toThrow(
      /already routes to two versions \(6 \(90 %\) \+ 7 \(10 %\)\)/,
    );
  });

  test('every problem is named at once, with its path', () => {
    const error = (() => {
      try {
        started({ targetVersion: '$LATEST', steps: [5, 1] });
      } catch (caught) {
        return caught as InvalidRolloutError;
      }
      throw new Error('not refused');
    })();
    expect(error.name).toBe('InvalidRollout');
    expect(error.details.map((detail) => detail.path)).toEqual(['targetVersion', 'steps.1', 'steps.1']);
  });
});

describe('decideNext', () => {
  test('walks 1 → 5 → 10 → 50, waits for approval, promotes, then succeeds', () => {
    const { decisions } = walk(started());
    expect(decisions.map((d) => ('weight' in d ? `${d.action} ${d.weight}` : d.action))).toEqual([
      'shift 1',
      'shift 5',
      'shift 10',
      'shift 50',
      'await-approval 50',
      'promote 100',
      'succeeded',
    ]);
  });

  test('each shift keeps the original version as the main one and gives the target its weight', () => {
    const decision = decideNext(started(), only('7'), quiet);
    expect(decision).toEqual({
      action: 'shift',
      step: 1,
      weight: 1,
      routing: { functionVersion: '7', weights: { '8': 1 } },
    });
  });

  test('the promotion points the alias at the target alone', () => {
    const at50 = { ...started(), step: 4, weight: 50, approved: true, expected: splitRouting('7', '8', 50) };
    expect(decideNext(at50, at50.expected, quiet)).toEqual({
      action: 'promote',
      step: 5,
      weight: 100,
      routing: { functionVersion: '8', weights: {} },
    });
  });

  test('no approval when approvalAfterPercent is 100; before the first step above it otherwise', () => {
    expect(walk(started({ approvalAfterPercent: 100 })).decisions.map((d) => d.action)).not.toContain(
      'await-approval',
    );
    const early = walk(started({ steps: [1, 100] })).decisions;
    expect(early.map((d) => d.action)).toEqual(['shift', 'await-approval', 'promote', 'succeeded']);
  });

  test.each([0, 1, 2, 3, 4, 5])(
    'an alarm in ALARM after %i steps rolls back to the original version alone',
    (steps) => {
      let state = started();
      for (let i = 0; i < steps; i += 1) {
        const decision = decideNext(state, state.expected, quiet);
        if (decision.action === 'await-approval') state = { ...state, approved: true };
        else if (decision.action === 'shift' || decision.action === 'promote')
          state = afterShift(state, decision);
      }
      const decision = decideNext(state, state.expected, { ...quiet, [NEW_ERRORS]: 'ALARM' });
      expect(decision).toEqual({
        action: 'roll-back',
        reason: {
          code: 'ALARM',
          detail: expect.stringContaining(`${NEW_ERRORS} is in ALARM`),
          alarms: [NEW_ERRORS],
        },
        routing: { functionVersion: '7', weights: {} },
      });
    },
  );

  test('an alarm at the approval point rolls back rather than asking for approval; after promotion too', () => {
    const at50 = { ...started(), step: 4, weight: 50, expected: splitRouting('7', '8', 50) };
    expect(decideNext(at50, at50.expected, { ...quiet, [GUARD]: 'ALARM' }).action).toBe('roll-back');
    const promoted = { ...at50, step: 5, weight: 100, approved: true, expected: only('8') };
    expect(decideNext(promoted, promoted.expected, { ...quiet, [GUARD]: 'ALARM' }).action).toBe('roll-back');
  });

  test('INSUFFICIENT_DATA passes, as CodeDeploy treats it', () => {
    const decision = decideNext(started(), only('7'), {
      [GUARD]: 'INSUFFICIENT_DATA',
      [NEW_ERRORS]: 'INSUFFICIENT_DATA',
    });
    expect(decision.action).toBe('shift');
  });

  test('an alarm CloudWatch does not have rolls back: the rollout must not go on blind', () => {
    const decision = decideNext(started(), only('7'), { [GUARD]: 'OK' });
    expect(decision).toMatchObject({
      action: 'roll-back',
      reason: { code: 'ALARM_MISSING', alarms: [NEW_ERRORS] },
    });
  });

  test('drift: an alias that is not what the controller wrote stops it, before any alarm is looked at', () => {
    const at5 = { ...started(), step: 2, weight: 5, expected: splitRouting('7', '8', 5) };
    const decision = decideNext(at5, only('9'), { ...quiet, [GUARD]: 'ALARM' });
    expect(decision).toEqual({
      action: 'drifted',
      expected: splitRouting('7', '8', 5),
      observed: only('9'),
      detail: `${request.functionName}:live routes 9 (100 %); the rollout last wrote 7 (95 %) + 8 (5 %)`,
    });
    // Another weight is drift too, and so is a change before the first shift.
    expect(decideNext(at5, splitRouting('7', '8', 10), quiet).action).toBe('drifted');
    expect(decideNext(started(), splitRouting('7', '8', 1), quiet).action).toBe('drifted');
  });

  test("weights are compared to a thousandth of a percent: Lambda's doubles are not drift", () => {
    const at1 = { ...started(), step: 1, weight: 1, expected: splitRouting('7', '8', 1) };
    expect(decideNext(at1, { functionVersion: '7', weights: { '8': 1.0000000001 } }, quiet).action).toBe(
      'shift',
    );
  });
});

describe('planRollback', () => {
  const at10 = { ...started(), step: 3, weight: 10, expected: splitRouting('7', '8', 10) };

  test('the alias as the controller left it: write the original version alone', () => {
    expect(planRollback(at10, splitRouting('7', '8', 10))).toEqual({ action: 'write', routing: only('7') });
  });

  test('already on the original version alone (a retried roll-back): nothing to write', () => {
    expect(planRollback(at10, only('7'))).toEqual({ action: 'done' });
  });

  test('changed by someone else: left as it is', () => {
    expect(planRollback(at10, only('9'))).toMatchObject({ action: 'drifted' });
  });
});
