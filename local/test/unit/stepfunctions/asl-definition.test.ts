import {
  inspectDefinition,
  NO_TASK_TIMEOUT_SECONDS,
  parseDefinition,
  prepareForLibrary,
  UnsupportedDefinitionError,
  type AslObject,
} from '../../../src/stepfunctions/asl-definition';
import { classifyTaskResource } from '../../../src/stepfunctions/task-resource';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:reserve';

function unsupportedFeatures(definition: AslObject, type?: 'STANDARD' | 'EXPRESS'): readonly string[] {
  try {
    inspectDefinition('orders-saga', definition, type);
  } catch (error) {
    if (error instanceof UnsupportedDefinitionError) return error.features;
    throw error;
  }
  return [];
}

describe('parseDefinition', () => {
  it('applies DefinitionSubstitutions to ${name} placeholders and leaves unknown ones alone', () => {
    // Prepare
    const text = JSON.stringify({
      StartAt: 'Reserve',
      States: {
        Reserve: { Type: 'Task', Resource: '${ReserveArn}', TimeoutSeconds: 5, End: true },
        Note: { Type: 'Pass', Result: '${Unknown}', End: true },
      },
    });

    // Act
    const definition = parseDefinition('orders-saga', text, { ReserveArn: FUNCTION_ARN });

    // Assess
    expect(definition.States).toEqual({
      Reserve: { Type: 'Task', Resource: FUNCTION_ARN, TimeoutSeconds: 5, End: true },
      Note: { Type: 'Pass', Result: '${Unknown}', End: true },
    });
  });

  it('rejects text that is not a definition, naming the machine', () => {
    expect(() => parseDefinition('orders-saga', '{"States": {}}')).toThrow(
      /State machine orders-saga has an invalid definition: it needs StartAt and States/,
    );
    expect(() => parseDefinition('orders-saga', 'not json')).toThrow(/orders-saga.*not JSON/);
  });
});

describe('inspectDefinition', () => {
  it('refuses a JSONata definition with a message naming the machine and the feature', () => {
    // Prepare
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Done',
      States: { Done: { Type: 'Pass', Output: '{% $states.input %}', End: true } },
    };

    // Act
    const act = () => inspectDefinition('orders-saga', definition);

    // Assess
    expect(act).toThrow(UnsupportedDefinitionError);
    expect(act).toThrow(
      'State machine orders-saga uses what the local cloud cannot run faithfully, so it is not started: ' +
        'QueryLanguage JSONata (top level).',
    );
  });

  it('names every unsupported feature with its state, nested states included', () => {
    // Prepare
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Price',
              States: { Price: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } },
            },
            {
              StartAt: 'Remember',
              States: { Remember: { Type: 'Pass', Assign: { total: 1 }, End: true } },
            },
          ],
          Next: 'Items',
        },
        Items: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Ship',
            States: { Ship: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } },
          },
          Next: 'Choose',
        },
        Choose: {
          Type: 'Choice',
          Choices: [{ Variable: '$.x', IsPresent: true, Assign: { y: 1 }, Next: 'Wait' }],
          Default: 'Wait',
        },
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: FUNCTION_ARN },
          End: true,
        },
      },
    };

    // Act
    const features = unsupportedFeatures(definition);

    // Assess
    expect(features).toEqual([
      `QueryLanguage JSONata (state 'Price')`,
      `Assign, i.e. variables (state 'Remember')`,
      `Distributed Map (state 'Items')`,
      `Task resource arn:aws:states:::sns:publish (state 'Ship'), which has no local integration`,
      `Assign, i.e. variables (state 'Choose')`,
      `.waitForTaskToken without $$.Task.Token in Parameters (state 'Wait')`,
    ]);
  });

  it('refuses callbacks on an EXPRESS machine, as AWS does', () => {
    const definition = {
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
          Parameters: { Entries: [{ Detail: { 'token.$': '$$.Task.Token' }, DetailType: 'x', Source: 'y' }] },
          End: true,
        },
      },
    };
    expect(unsupportedFeatures(definition, 'STANDARD')).toEqual([]);
    expect(unsupportedFeatures(definition, 'EXPRESS')).toEqual([
      `.waitForTaskToken on an EXPRESS state machine (state 'Approve')`,
    ]);
  });

  it('lists the Task states with their integration, timeout and heartbeat', () => {
    // Prepare
    const definition = {
      StartAt: 'Reserve',
      States: {
        Reserve: { Type: 'Task', Resource: FUNCTION_ARN, Next: 'Approve' },
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: FUNCTION_ARN, Payload: { 'token.$': '$$.Task.Token' } },
          TimeoutSeconds: 30,
          HeartbeatSeconds: 10,
          End: true,
        },
      },
    };

    // Act
    const { tasks } = inspectDefinition('orders-saga', definition);

    // Assess
    expect([...tasks.values()]).toEqual([
      {
        name: 'Reserve',
        resource: FUNCTION_ARN,
        integration: { kind: 'function', service: 'lambda', action: 'invoke', pattern: 'request-response' },
      },
      {
        name: 'Approve',
        resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        integration: { kind: 'integration', service: 'lambda', action: 'invoke', pattern: 'callback' },
        timeoutSeconds: 30,
        heartbeatSeconds: 10,
      },
    ]);
  });
});

describe('classifyTaskResource', () => {
  it.each([
    ['arn:aws:states:::lambda:invoke', 'lambda', 'invoke', 'request-response'],
    ['arn:aws:states:::events:putEvents.waitForTaskToken', 'events', 'putEvents', 'callback'],
    ['arn:aws:states:::sqs:sendMessage', 'sqs', 'sendMessage', 'request-response'],
    ['arn:aws:states:::dynamodb:updateItem', 'dynamodb', 'updateItem', 'request-response'],
  ])('runs %s', (resource, service, action, pattern) => {
    expect(classifyTaskResource(resource)).toEqual({ kind: 'integration', service, action, pattern });
  });

  it.each([
    'arn:aws:states:::dynamodb:putItem.waitForTaskToken',
    'arn:aws:states:::dynamodb:query',
    'arn:aws:states:::lambda:invoke.sync',
    'arn:aws:states:::aws-sdk:s3:getObject',
    'arn:aws:states:us-east-1:000000000000:activity:approve',
  ])('has no integration for %s', (resource) => {
    expect(classifyTaskResource(resource)).toBeUndefined();
  });
});

describe('prepareForLibrary', () => {
  it('gives a Task without a timeout one too long to matter, and keeps the ones set', () => {
    // Prepare
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: FUNCTION_ARN, Next: 'B' },
        B: { Type: 'Task', Resource: FUNCTION_ARN, TimeoutSeconds: 3, Next: 'C' },
        C: { Type: 'Task', Resource: FUNCTION_ARN, TimeoutSecondsPath: '$.timeout', End: true },
      },
    };

    // Act
    const prepared = prepareForLibrary(definition);

    // Assess
    const states = prepared.States as Record<string, AslObject>;
    expect(states.A?.TimeoutSeconds).toBe(NO_TASK_TIMEOUT_SECONDS);
    expect(states.B?.TimeoutSeconds).toBe(3);
    expect(states.C?.TimeoutSeconds).toBeUndefined();
    expect((definition.States.A as AslObject).TimeoutSeconds).toBeUndefined();
  });

  it('reads $$.Execution from the execution-wide key in paths, templates and choices, not in data', () => {
    // Prepare
    const definition = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Pass',
          Parameters: {
            'id.$': '$$.Execution.Id',
            'all.$': '$$.Execution',
            'text.$': "States.Format('{} {}', $$.Execution.Name, $$.ExecutionsElsewhere)",
            literal: '$$.Execution.Id',
            nested: [{ 'input.$': '$$.Execution.Input.order' }],
          },
          InputPath: '$$.Execution.Input',
          Next: 'B',
        },
        B: {
          Type: 'Choice',
          Choices: [
            { Not: { Variable: '$$.Execution.Name', StringEqualsPath: '$$.Execution.Id', Next: 'C' } },
          ],
          Default: 'C',
        },
        C: { Type: 'Pass', End: true },
      },
    };

    // Act
    const prepared = prepareForLibrary(definition);

    // Assess
    const states = prepared.States as Record<string, AslObject>;
    expect(states.A?.Parameters).toEqual({
      'id.$': '$$.LocalExecution.Id',
      'all.$': '$$.LocalExecution',
      'text.$': "States.Format('{} {}', $$.LocalExecution.Name, $$.ExecutionsElsewhere)",
      literal: '$$.Execution.Id',
      nested: [{ 'input.$': '$$.LocalExecution.Input.order' }],
    });
    expect(states.A?.InputPath).toBe('$$.LocalExecution.Input');
    expect(states.B?.Choices).toEqual([
      { Not: { Variable: '$$.LocalExecution.Name', StringEqualsPath: '$$.LocalExecution.Id', Next: 'C' } },
    ]);
  });
});
