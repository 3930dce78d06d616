import { StepFunctionsEngine } from '../../../src/stepfunctions/step-functions-engine';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { parseTraceHeader } from '../../../src/xray/trace-header';
import { TraceStore } from '../../../src/xray/trace-store';
import { FakeLambda } from './fake-lambda';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/machine';
const CALLER = 'Root=1-6b089993-596a79ab67906ad20977e1f1;Parent=53995c3f42cd8ad8;Sampled=1';
const definition = JSON.stringify({
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'work' },
      End: true,
    },
  },
});

async function runTraced(tracingEnabled: boolean) {
  const store = new TraceStore();
  const lambda = new FakeLambda({ work: async () => ({ done: true }) });
  const engine = new StepFunctionsEngine({ lambda, traceRecorder: new StoreTraceRecorder(store) });
  try {
    const { arn } = engine.createStateMachine({
      name: 'traced',
      definition,
      type: 'STANDARD',
      roleArn: ROLE_ARN,
      tracingEnabled,
    });
    const { executionArn } = await engine.startExecution(arn, { input: '{}', traceHeader: CALLER });
    await engine.execution(executionArn)?.done;
    return { segments: store.trace(parseTraceHeader(CALLER).root ?? ''), lambda };
  } finally {
    engine.close();
  }
}

describe('Step Functions executions in X-Ray', () => {
  test('a traced machine records its execution as a segment, parent of its tasks, continuing the caller', async () => {
    const { segments, lambda } = await runTraced(true);

    const execution = segments.find((segment) => segment.origin === 'AWS::StepFunctions::StateMachine');
    expect(execution).toMatchObject({ name: 'traced', parent_id: '53995c3f42cd8ad8' });
    expect(execution?.end_time).toBeDefined();
    expect(execution?.fault).toBeFalsy();
    const taskHeader = parseTraceHeader(lambda.callsOf('work')[0]?.options.traceHeader);
    expect(taskHeader.parent).toBe(execution?.id);
  });

  test('a machine without tracing records nothing and passes the caller’s header to its tasks', async () => {
    const { segments, lambda } = await runTraced(false);

    expect(segments).toEqual([]);
    expect(lambda.callsOf('work')[0]?.options.traceHeader).toBe(CALLER);
  });
});
