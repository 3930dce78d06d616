/** Stand-ins for the local CodeDeploy's ports and clock: they record what the engine asks of them. */
import type {
  AliasRouting,
  AlarmStates,
  CodeDeployEngine,
  DeploymentTimers,
  LambdaAliases,
} from '../../../src/codedeploy/codedeploy-engine';

/** A clock that moves only when told, firing what falls due in order of time (then of scheduling). */
export class ManualTimers implements DeploymentTimers {
  private nowMs: number;
  private sequence = 0;
  private readonly due: { at: number; order: number; fire: () => void; cancelled: boolean }[] = [];

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(delayMs: number, fire: () => void): { cancel(): void } {
    const entry = { at: this.nowMs + delayMs, order: this.sequence++, fire, cancelled: false };
    this.due.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = this.due
        .filter((entry) => !entry.cancelled && entry.at <= end)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (next === undefined) break;
      this.due.splice(this.due.indexOf(next), 1);
      this.nowMs = next.at;
      next.fire();
    }
    this.nowMs = end;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.due.filter((entry) => !entry.cancelled).length;
  }
}

/** One function's aliases, the routings set on them in order, and the hook invocations. */
export class FakeLambda implements LambdaAliases {
  readonly aliases = new Map<
    string,
    { functionVersion: string; additionalVersionWeights: Record<string, number> }
  >();
  readonly updates: AliasRouting[] = [];
  readonly hookInvocations: {
    functionName: string;
    event: { DeploymentId: string; LifecycleEventHookExecutionId: string };
  }[] = [];
  refuseHooks = false;

  constructor(functionName = 'orders', alias = 'live', version = '1') {
    this.aliases.set(`${functionName}:${alias}`, { functionVersion: version, additionalVersionWeights: {} });
  }

  getAlias(functionName: string, aliasName: string) {
    const alias = this.aliases.get(`${functionName}:${aliasName}`);
    if (alias === undefined) throw new Error(`Function not found: ${functionName}:${aliasName}`);
    return alias;
  }

  updateAlias(functionName: string, aliasName: string, routing: AliasRouting): void {
    this.getAlias(functionName, aliasName);
    this.updates.push(routing);
    this.aliases.set(`${functionName}:${aliasName}`, {
      functionVersion: routing.functionVersion,
      additionalVersionWeights: { ...routing.additionalVersionWeights },
    });
  }

  async invokeHook(functionName: string, event: unknown): Promise<void> {
    if (this.refuseHooks) throw new Error(`Function not found: ${functionName}`);
    this.hookInvocations.push({
      functionName,
      event: event as { DeploymentId: string; LifecycleEventHookExecutionId: string },
    });
  }

  /** The hook invocation of `functionName`, the last one. */
  lastHook(functionName: string): { DeploymentId: string; LifecycleEventHookExecutionId: string } {
    const invocation = this.hookInvocations
      .filter((candidate) => candidate.functionName === functionName)
      .at(-1);
    if (invocation === undefined) throw new Error(`${functionName} was not invoked`);
    return invocation.event;
  }
}

export class FakeAlarms implements AlarmStates {
  readonly states = new Map<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>();

  stateOf(alarmName: string): 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | undefined {
    return this.states.get(alarmName);
  }
}

/** A JSON AppSpec moving `orders:live` from version 1 to 2, with the hooks given. */
export function appSpec(hooks: { before?: string; after?: string } = {}): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        orders: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: 'orders', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' },
        },
      },
    ],
    Hooks: [
      ...(hooks.before === undefined ? [] : [{ BeforeAllowTraffic: hooks.before }]),
      ...(hooks.after === undefined ? [] : [{ AfterAllowTraffic: hooks.after }]),
    ],
  });
}

/** Calls the engine as the edge does, and answers the output as JSON data. */
export async function call(
  engine: CodeDeployEngine,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return (await engine.handle(operation, input)) as Record<string, unknown>;
}
