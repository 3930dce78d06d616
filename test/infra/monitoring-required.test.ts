import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { SynthesisMessageLevel, type SynthesisMessage } from 'aws-cdk-lib/cx-api';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { buildApp } from '../../infra/app';
import { STAGES, type Stage } from '../../infra/app-settings';
import { MonitoringRequired } from '../../infra/aspects/monitoring-required';
import { ContextMonitoring } from '../../infra/constructs/context-monitoring';

const NO_ALARM = /has no alarm on any of its metrics/;

/** A stack with one of each resource the aspect requires alarms on, none of them alarmed yet. */
function unmonitoredStack(): {
  app: App;
  stack: Stack;
  fn: lambda.Function;
  queue: sqs.Queue;
  api: apigateway.RestApi;
  stateMachine: sfn.StateMachine;
} {
  const app = new App();
  Aspects.of(app).add(new MonitoringRequired());
  const stack = new Stack(app, 'Careless');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  const queue = new sqs.Queue(stack, 'Queue');
  const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'careless-api' });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const stateMachine = new sfn.StateMachine(stack, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
  });
  return { app, stack, fn, queue, api, stateMachine };
}

function isNoAlarm(message: SynthesisMessage): boolean {
  return message.level === SynthesisMessageLevel.ERROR && NO_ALARM.test(String(message.entry.data));
}

/** The resources of `stack` the aspect found unalarmed, from a new synthesis of its app. */
function errorsOf(stack: Stack): string[] {
  const assembly = (stack.node.root as App).synth({ force: true });
  return assembly
    .getStackArtifact(stack.artifactId)
    .messages.filter(isNoAlarm)
    .map((message) => message.id);
}

describe('MonitoringRequired (no deploy without monitoring)', () => {
  test('fails the synthesis of an unalarmed function, queue, API stage and state machine', () => {
    // Prepare
    const { stack } = unmonitoredStack();
    // Act, Assess
    expect(errorsOf(stack).sort()).toEqual([
      '/Careless/Api/DeploymentStage.prod/Resource',
      '/Careless/Fn/Resource',
      '/Careless/Queue/Resource',
      '/Careless/StateMachine/Resource',
    ]);
  });

  test('passes once every resource has an alarm on one of its metrics', () => {
    // Prepare
    const { stack, fn, queue, api, stateMachine } = unmonitoredStack();
    const monitoring = new ContextMonitoring(stack, 'Monitoring', { service: 'careless' });
    // Act
    monitoring.monitorFunction(fn);
    monitoring.monitorWorkQueue(queue, 'Work for nobody');
    monitoring.monitorApiStage({ apiName: api.restApiName, stageName: api.deploymentStage.stageName });
    monitoring.monitorStateMachine(stateMachine);
    // Assess
    expect(errorsOf(stack)).toEqual([]);
  });

  test('counts an alarm in another stack, on a metric of the resource, and names it by path', () => {
    // Prepare: the alarm lives elsewhere; only the function has one.
    const { app, stack, fn } = unmonitoredStack();
    const elsewhere = new Stack(app, 'Elsewhere');
    fn.metricErrors().createAlarm(elsewhere, 'FnErrors', { threshold: 1, evaluationPeriods: 1 });
    // Act, Assess
    expect(errorsOf(stack)).not.toContain('/Careless/Fn/Resource');
    expect(errorsOf(stack)).toContain('/Careless/Queue/Resource');
    expect(errorsOf(elsewhere)).toEqual([]);
  });

  test('lets a resource go without an alarm when it says why, and only then', () => {
    // Prepare
    const { stack, fn, queue } = unmonitoredStack();
    // Act
    MonitoringRequired.exempt(fn, 'A demonstration function nobody calls: nothing to watch.');
    // Assess
    expect(errorsOf(stack)).not.toContain('/Careless/Fn/Resource');
    expect(() => MonitoringRequired.exempt(queue, 'because')).toThrow(/say why the resource needs no alarm/);
  });

  test.each(STAGES)('%s: every resource of the app has an alarm', (stage: Stage) => {
    // Prepare
    const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], 'shop:stage': stage } }));
    // Act: one synthesis of the whole app, read for every stack.
    const stacks = app.synth().stacks;
    // Assess
    expect(stacks.length).toBeGreaterThan(8);
    expect(
      stacks.flatMap((artifact) => artifact.messages.filter(isNoAlarm).map((message) => message.id)),
    ).toEqual([]);
  });
});
