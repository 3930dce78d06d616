import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { LIVE_ALIAS } from '../../infra/constructs/service-function';
import { TRAFFIC_HOOK_SMOKE_REQUESTS_ENV } from '../../functions/operations/contracts/traffic-hook';
import { SYNTHETIC_CHECK_PARAMETER_ENV } from '../../functions/operations/config';
import { SYNTHETIC_CHECK_PARAMETER_NAME } from '../../functions/operations/contracts/synthetic-check';

type Json = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties: Json;
}

const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const templates = app.node.children
  .filter((child): child is Stack => child instanceof Stack)
  .map((stack) => ({ stack: stack.stackName, template: Template.fromStack(stack).toJSON() }));

/** Every resource of `type` in the app, with its stack, its logical id and that stack's resources. */
function everywhere(
  type: string,
): { where: string; resource: Resource; resources: Record<string, Resource> }[] {
  return templates.flatMap(({ stack, template }) => {
    const resources = (template['Resources'] ?? {}) as Record<string, Resource>;
    return Object.entries(resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({ where: `${stack}/${id}`, resource, resources }));
  });
}

/**
 * What a reference to a function names: an alias of the same stack (`Ref`), another stack's alias (an
 * import of its `Ref`), or a function. Anything that names a function directly bypasses rollouts.
 */
function namesAnAlias(reference: unknown, resources: Record<string, Resource>): boolean {
  const json = JSON.stringify(reference);
  const refs = [...json.matchAll(/\{"Ref":"(\w+)"\}/g)].map((match) => match[1] ?? '');
  const imports = [...json.matchAll(/"Fn::ImportValue":"[^"]*ExportsOutputRef(\w+)"/g)].map(
    (m) => m[1] ?? '',
  );
  const functionsNamed = [...json.matchAll(/"Fn::GetAtt":\["(\w+)","Arn"\]/g)]
    .map((match) => match[1] ?? '')
    .filter((id) => resources[id]?.Type === 'AWS::Lambda::Function');
  const aliases = refs.filter((id) => resources[id]?.Type === 'AWS::Lambda::Alias');
  return functionsNamed.length === 0 && (aliases.length > 0 || imports.some((id) => /Live\w*$/.test(id)));
}

describe('every trigger invokes a function through its live alias', () => {
  test('each function has one live alias, on the version this deployment published', () => {
    const functions = everywhere('AWS::Lambda::Function');
    const aliases = everywhere('AWS::Lambda::Alias');
    expect(functions.length).toBeGreaterThan(25);
    for (const { where, resources } of functions) {
      const id = where.split('/')[1] ?? '';
      const own = Object.values(resources).filter(
        (resource) =>
          resource.Type === 'AWS::Lambda::Alias' &&
          JSON.stringify(resource.Properties['FunctionName']) === JSON.stringify({ Ref: id }),
      );
      expect({ where, aliases: own.map((alias) => alias.Properties['Name']) }).toEqual({
        where,
        aliases: [LIVE_ALIAS],
      });
      const version = JSON.stringify(own[0]?.Properties['FunctionVersion']);
      expect({ where, version }).toEqual({
        where,
        version: expect.stringMatching(/CurrentVersion\w*","Version"/),
      });
    }
    expect(aliases).toHaveLength(functions.length);
  });

  test('API methods, rule targets, event source mappings, state machines and user pool triggers', () => {
    const offenders: string[] = [];
    const check = (where: string, reference: unknown, resources: Record<string, Resource>) => {
      if (reference !== undefined && !namesAnAlias(reference, resources)) offenders.push(where);
    };
    for (const { where, resource, resources } of everywhere('AWS::ApiGateway::Method')) {
      const integration = resource.Properties['Integration'] as Json | undefined;
      if (integration?.['Type'] === 'AWS_PROXY') check(where, integration['Uri'], resources);
    }
    for (const { where, resource, resources } of everywhere('AWS::Events::Rule')) {
      for (const target of (resource.Properties['Targets'] ?? []) as Json[]) {
        if (JSON.stringify(target['Arn']).includes('Function'))
          check(`${where} → ${String(target['Id'])}`, target['Arn'], resources);
      }
    }
    for (const { where, resource, resources } of everywhere('AWS::Lambda::EventSourceMapping')) {
      check(where, resource.Properties['FunctionName'], resources);
    }
    for (const { where, resource, resources } of everywhere('AWS::StepFunctions::StateMachine')) {
      const definition = JSON.stringify(resource.Properties['DefinitionString']);
      const functionsNamed = [...definition.matchAll(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g)]
        .map((match) => match[1] ?? '')
        .filter((id) => resources[id]?.Type === 'AWS::Lambda::Function');
      if (functionsNamed.length > 0) offenders.push(`${where}: ${functionsNamed.join(', ')}`);
    }
    for (const { where, resource, resources } of everywhere('AWS::Cognito::UserPool')) {
      for (const [trigger, reference] of Object.entries(
        (resource.Properties['LambdaConfig'] ?? {}) as Json,
      )) {
        check(`${where} ${trigger}`, reference, resources);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('a canary-delivered function', () => {
  const ordersTemplate = (context: Record<string, unknown>): Record<string, Resource> => {
    const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
    const stack = built.node.findChild('ShopOrders') as Stack;
    return (Template.fromStack(stack).toJSON()['Resources'] ?? {}) as Record<string, Resource>;
  };
  const createOrderAlias = (resources: Record<string, Resource>): Resource | undefined =>
    Object.entries(resources).find(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Alias' && id.startsWith('CreateOrderFunctionLive'),
    )?.[1];

  test('keeps live on the version the rollout tooling names, and still publishes the new one', () => {
    // Act
    const resources = ordersTemplate({ 'shop:liveVersions': '{"ShopOrders/CreateOrderFunction":"3"}' });

    // Assess
    expect(createOrderAlias(resources)?.Properties['FunctionVersion']).toBe('3');
    expect(
      Object.keys(resources).some(
        (id) =>
          id.startsWith('CreateOrderFunctionCurrentVersion') &&
          resources[id]?.Type === 'AWS::Lambda::Version',
      ),
    ).toBe(true);
    // Functions delivered all at once follow the new version whatever the context says.
    const others = Object.entries(resources).filter(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Alias' && !id.startsWith('CreateOrderFunctionLive'),
    );
    expect(
      others.every(([, alias]) => JSON.stringify(alias.Properties['FunctionVersion']).includes('Fn::GetAtt')),
    ).toBe(true);
  });

  test.each([
    [{ 'shop:liveVersions': '{"ShopOrders/CreateOrderFunction":"$LATEST"}' }, /is not a published version/],
    [{ 'shop:liveVersions': '[3]' }, /must map construct paths to versions/],
    [{ 'shop:injectedFailureRate': '1.5' }, /must be a number from 0 to 1/],
  ])('refuses the context %j', (context, message) => {
    expect(() => ordersTemplate(context)).toThrow(message);
  });
});

describe('blue/green delivery of the serving functions', () => {
  test('every function an API method invokes is deployed by CodeDeploy, but the canary', () => {
    const offenders: string[] = [];
    let blueGreen = 0;
    for (const { where, resource, resources } of everywhere('AWS::ApiGateway::Method')) {
      const integration = resource.Properties['Integration'] as Json | undefined;
      if (integration?.['Type'] !== 'AWS_PROXY') continue;
      const json = JSON.stringify(integration['Uri']);
      const aliasId = [...json.matchAll(/\{"Ref":"(\w+)"\}/g)]
        .map((match) => match[1] ?? '')
        .find((id) => resources[id]?.Type === 'AWS::Lambda::Alias');
      if (aliasId === undefined || aliasId.startsWith('CreateOrderFunction')) continue;
      const template = templates.find(({ template: t }) => (t['Resources'] as Json)[aliasId] !== undefined);
      const alias = ((template?.template['Resources'] ?? {}) as Record<string, Json>)[aliasId];
      const policy = (alias?.['UpdatePolicy'] as Json | undefined)?.['CodeDeployLambdaAliasUpdate'] as
        Json | undefined;
      if (policy?.['BeforeAllowTrafficHook'] === undefined || policy['AfterAllowTrafficHook'] === undefined) {
        offenders.push(where);
      } else {
        blueGreen += 1;
      }
    }
    expect(offenders).toEqual([]);
    // 25 API methods (GET /users/me/orders and /users/{userId}/orders share a function) but POST /orders.
    expect(blueGreen).toBeGreaterThanOrEqual(24);
  });

  test('each deployment group: all at once, the guard and the version’s own alarm, rolled back on its own', () => {
    const groups = everywhere('AWS::CodeDeploy::DeploymentGroup');
    expect(groups.length).toBeGreaterThanOrEqual(49);
    for (const { where, resource } of groups) {
      expect({ where, ...resource.Properties }).toMatchObject({
        where,
        DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
        AlarmConfiguration: { Enabled: true, Alarms: [expect.anything(), expect.anything()] },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: expect.arrayContaining([
            'DEPLOYMENT_FAILURE',
            'DEPLOYMENT_STOP_ON_REQUEST',
            'DEPLOYMENT_STOP_ON_ALARM',
          ]),
        },
      });
      const alarms = JSON.stringify((resource.Properties['AlarmConfiguration'] as Json)['Alarms']);
      expect({ where, alarms }).toEqual({
        where,
        alarms: expect.stringMatching(/MonitoringGuard\w+.*NewVersionErrors/),
      });
    }
  });
});

/** A hook's smoke requests as `[logical id of the function, request]`, from its `Fn::Join` of `Ref`s. */
function smokeRequestsOf(hook: Resource): { requests: Map<string, string>; approximateBytes: number } {
  const variables = ((hook.Properties['Environment'] as Json | undefined)?.['Variables'] ?? {}) as Json;
  const join = (variables[TRAFFIC_HOOK_SMOKE_REQUESTS_ENV] as { 'Fn::Join'?: [string, unknown[]] })[
    'Fn::Join'
  ];
  const parts = join?.[1] ?? [];
  const requests = new Map<string, string>();
  parts.forEach((part, index) => {
    const ref = (part as { Ref?: string }).Ref;
    const next = parts[index + 1];
    if (ref !== undefined && typeof next === 'string')
      requests.set(ref, /^","([\w-]+)"/.exec(next)?.[1] ?? '');
  });
  // Generated function names are at most 64 characters.
  const others = Object.entries(variables).filter(([name]) => name !== TRAFFIC_HOOK_SMOKE_REQUESTS_ENV);
  const approximateBytes =
    parts.reduce<number>((sum, part) => sum + (typeof part === 'string' ? part.length : 64), 0) +
    others.reduce((sum, [name, value]) => sum + name.length + JSON.stringify(value).length, 0);
  return { requests, approximateBytes };
}

describe('every serving function is delivered by CodeDeploy, smoke-tested by what reaches it', () => {
  test('all but the canary and the hooks themselves, each with the smoke request its trigger calls for', () => {
    const offenders: unknown[] = [];
    let delivered = 0;
    for (const { stack, template } of templates) {
      const resources = (template['Resources'] ?? {}) as Record<string, Resource>;
      const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
      const hooks = ofType('AWS::Lambda::Function').filter(([id]) => /TrafficHook/.test(id));
      if (ofType('AWS::Lambda::Function').length === 0) continue;
      const declared = hooks.map(([, hook]) => smokeRequestsOf(hook));
      // Lambda's limit on a function's environment is 4 KB.
      for (const { approximateBytes } of declared) {
        if (approximateBytes >= 4096) offenders.push({ stack, approximateBytes });
      }
      const requests = declared[0]?.requests ?? new Map<string, string>();
      const invokedBy = (type: string) =>
        ofType(type).map(([, resource]) => JSON.stringify(resource.Properties));
      const mappings = invokedBy('AWS::Lambda::EventSourceMapping');
      const methods = invokedBy('AWS::ApiGateway::Method');
      for (const [id] of ofType('AWS::Lambda::Function')) {
        if (hooks.some(([hookId]) => hookId === id) || id.startsWith('CreateOrderFunction')) continue;
        const aliasId = Object.entries(resources).find(
          ([, r]) =>
            r.Type === 'AWS::Lambda::Alias' &&
            JSON.stringify(r.Properties['FunctionName']) === JSON.stringify({ Ref: id }),
        )?.[0];
        const calls = (json: string) => aliasId !== undefined && json.includes(`"Ref":"${aliasId}"`);
        const expected = methods.some(calls)
          ? 'api-request'
          : mappings.some(calls)
            ? 'empty-batch'
            : 'startup-probe';
        const alias = resources[aliasId ?? ''] as (Resource & { UpdatePolicy?: Json }) | undefined;
        const policy = alias?.UpdatePolicy?.['CodeDeployLambdaAliasUpdate'];
        if (policy === undefined || requests.get(id) !== expected) {
          offenders.push({ where: `${stack}/${id}`, expected, declared: requests.get(id), policy });
        } else {
          delivered += 1;
        }
      }
      // Two hooks, reading the same declarations.
      expect({ stack, hooks: declared.length }).toEqual({ stack, hooks: 2 });
      expect(new Set(declared.map(({ requests: r }) => JSON.stringify([...r])))).toHaveProperty('size', 1);
    }
    expect(offenders).toEqual([]);
    expect(delivered).toBeGreaterThanOrEqual(49);
  });
});

describe("the after-traffic hooks of the order path's contexts", () => {
  const ORDER_PATH = ['ShopOrders', 'ShopInventory', 'ShopPayments', 'ShopAccounts'];

  test.each(templates.map(({ stack }) => stack).filter((stack) => stack !== 'ShopApiStage'))(
    '%s: a synthetic order as the customer of its parameter on the order path only, which its after-traffic hook alone may read',
    (stackName) => {
      const template = templates.find(({ stack }) => stack === stackName)?.template ?? {};
      const resources = (template['Resources'] ?? {}) as Record<string, Resource>;
      const hooks = Object.entries(resources).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && /TrafficHook/.test(id),
      );
      const parameterOf = (hook: Resource) =>
        (((hook.Properties['Environment'] as Json)['Variables'] ?? {}) as Json)[
          SYNTHETIC_CHECK_PARAMETER_ENV
        ];
      const readers = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .map((r) => JSON.stringify(r.Properties))
        .filter((policy) => policy.includes(':parameter/shop/synthetic-check'));
      const onPath = ORDER_PATH.includes(stackName);

      expect(
        hooks.map(([id, hook]) => ({
          hook: /After/.test(id) ? 'after' : 'before',
          parameter: parameterOf(hook),
        })),
      ).toEqual(
        hooks.length === 0
          ? []
          : expect.arrayContaining([
              { hook: 'after', parameter: onPath ? SYNTHETIC_CHECK_PARAMETER_NAME : undefined },
              { hook: 'before', parameter: undefined },
            ]),
      );
      expect(readers).toHaveLength(onPath ? 1 : 0);
      if (onPath) expect(readers[0]).toMatch(/AfterTrafficHook/);
    },
  );
});

test('on the local stage, only the orders context places synthetic orders', () => {
  const local = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], 'shop:stage': 'local' } }));
  const withParameter = local.node.children
    .filter((child): child is Stack => child instanceof Stack)
    .filter((stack) => {
      const resources = (Template.fromStack(stack).toJSON()['Resources'] ?? {}) as Record<string, Resource>;
      return Object.values(resources).some(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          JSON.stringify(r.Properties['Environment'] ?? {}).includes(SYNTHETIC_CHECK_PARAMETER_ENV),
      );
    })
    .map((stack) => stack.stackName);
  expect(withParameter).toEqual(['ShopOrders']);
});
