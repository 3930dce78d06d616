import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceFunction } from '../../infra/constructs/service-function';

const entry = 'functions/platform/handlers/health.handler.ts';

describe('ServiceFunction', () => {
  test('applies the house defaults: Node.js 22, ARM64, active tracing, JSON logs, Powertools env', () => {
    // Prepare
    const stack = new Stack(new App(), 'S');
    // Act
    new ServiceFunction(stack, 'Fn', { entry, service: 'orders' });
    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 10,
      MemorySize: 256,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'orders',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('passes timeout, reserved concurrency and extra environment through', () => {
    const stack = new Stack(new App(), 'S');
    new ServiceFunction(stack, 'Fn', {
      entry,
      service: 'payments',
      timeout: Duration.seconds(3),
      reservedConcurrentExecutions: 5,
      environment: { TABLE: 'ledger' },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 3,
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ TABLE: 'ledger', POWERTOOLS_SERVICE_NAME: 'payments' }) },
    });
  });

  test.each([
    [{ service: 'Orders' }, /kebab-case/],
    [{ service: 'orders', reservedConcurrentExecutions: -1 }, /reservedConcurrentExecutions/],
  ])('rejects invalid props %p', (props, message) => {
    const stack = new Stack(new App(), 'S');
    expect(() => new ServiceFunction(stack, 'Fn', { entry, ...props })).toThrow(message);
  });
});
