import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, PROD_PROCESSOR_PARAMETERS } from '../../infra/app';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';

type Json = Record<string, unknown>;

function appAt(stage?: string, extra: Json = {}): App {
  const context: Json = { 'aws:cdk:bundling-stacks': [], ...extra };
  if (stage !== undefined) context[SETTINGS_CONTEXT_KEYS.stage] = stage;
  return buildApp(new App({ context }));
}

/** Each stage's app, synthesized once: its stacks' templates by stack name. */
const synthesized = new Map<string | undefined, { app: App; templates: Map<string, Template> }>();
function synthesizedAt(stage?: string): { app: App; templates: Map<string, Template> } {
  let app = synthesized.get(stage);
  if (app === undefined) {
    const built = appAt(stage);
    const stacks = built.node.children.filter((child): child is Stack => child instanceof Stack);
    app = {
      app: built,
      templates: new Map(stacks.map((stack) => [stack.stackName, Template.fromStack(stack)])),
    };
    synthesized.set(stage, app);
  }
  return app;
}
const templatesAt = (stage?: string): Map<string, Template> => synthesizedAt(stage).templates;

/** Every function of the app: its stack, and its environment. */
function functionsOf(stage?: string): { stack: string; variables: Json }[] {
  return [...templatesAt(stage)].flatMap(([stack, template]) =>
    Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => ({
      stack,
      variables: (((fn as { Properties: Json }).Properties['Environment'] as Json | undefined)?.[
        'Variables'
      ] ?? {}) as Json,
    })),
  );
}

describe('the app by stage (shop:stage)', () => {
  test.each([undefined, 'local', 'dev'])(
    '%s: the sandbox card processor is deployed, its two instances registered where payments discovers it',
    (stage) => {
      const templates = templatesAt(stage);
      expect([...templates.keys()]).toContain('ShopPaymentProvider');
      const charge = functionsOf(stage).find(
        (fn) => fn.stack === 'ShopPayments' && 'PROVIDER_SERVICE' in fn.variables,
      );
      expect(charge).toBeDefined();
      expect(charge?.variables).not.toHaveProperty('PROVIDER_API_KEY_PARAMETER');
      const instances = templates
        .get('ShopPaymentProvider')
        ?.findResources('AWS::ServiceDiscovery::Instance');
      expect(
        Object.values(instances ?? {}).map(
          (instance) => (instance as { Properties: Json }).Properties['InstanceId'],
        ),
      ).toEqual(['zone-a', 'zone-b']);
    },
  );

  test('prod: no sandbox processor, no function of it; payments calls the real one, with its key', () => {
    expect([...templatesAt('prod').keys()]).not.toContain('ShopPaymentProvider');
    const functions = functionsOf('prod');
    expect(functions.filter((fn) => fn.variables['POWERTOOLS_SERVICE_NAME'] === 'payment-provider')).toEqual(
      [],
    );
    const processorCallers = functions.filter((fn) => 'PROVIDER_SERVICE' in fn.variables);
    expect(processorCallers.length).toBeGreaterThan(0);
    for (const fn of processorCallers) {
      expect(fn.variables['PROVIDER_API_KEY_PARAMETER']).toBe(PROD_PROCESSOR_PARAMETERS.apiKey);
    }
    // Nothing of the sandbox is referenced: no import of its API's URL anywhere.
    for (const template of templatesAt('prod').values()) {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/ShopPaymentProvider/);
    }
  });

  test.each<[string | undefined, number[]]>([
    [undefined, []],
    ['dev', []],
    ['local', [5, 20]],
    ['prod', [5, 20]],
  ])('%s: the functions reserving concurrency (the payments bulkhead): %p', (stage, reservations) => {
    const reserved = [...templatesAt(stage).values()].flatMap((template) =>
      Object.values(template.findResources('AWS::Lambda::Function')).flatMap(
        (fn) =>
          ((fn as { Properties: Json }).Properties['ReservedConcurrentExecutions'] as number | undefined) ??
          [],
      ),
    );
    expect(reserved.sort((a, b) => a - b)).toEqual(reservations);
  });

  test('refuses an unknown stage, naming the key and the stages', () => {
    expect(() => appAt('staging')).toThrow(/Context shop:stage must be one of local, dev, prod/);
  });
});

describe('every stage', () => {
  test.each(['dev', 'prod'])(
    '%s: one stack, deployed last, owns the shop API’s deployment and stage; no other stack deploys it',
    (stage) => {
      const templates = templatesAt(stage);
      const deployments = [...templates].flatMap(([stack, template]) =>
        Object.values(template.findResources('AWS::ApiGateway::Deployment')).map((deployment) => ({
          stack,
          stageName: (deployment as { Properties: Json }).Properties['StageName'],
        })),
      );
      const stages = [...templates].flatMap(([stack, template]) =>
        Object.keys(template.findResources('AWS::ApiGateway::Stage')).map(() => stack),
      );
      // The sandbox processor's own API (not in prod) has a deployment and stage of its own.
      const shopDeployments = deployments.filter(({ stack }) => stack !== 'ShopPaymentProvider');
      expect(shopDeployments).toEqual([{ stack: 'ShopApiStage', stageName: undefined }]);
      expect(stages.filter((stack) => stack !== 'ShopPaymentProvider')).toEqual(['ShopApiStage']);
      // Deployed after every other stack of the shop: each may add routes.
      const assembly = synthesizedAt(stage).app.synth();
      const after = assembly.getStackByName('ShopApiStage').dependencies.map((artifact) => artifact.id);
      const others = assembly.stacks
        .map((stack) => stack.stackName)
        .filter((name) => name !== 'ShopApiStage' && name !== 'ShopPaymentProvider');
      expect(after).toEqual(expect.arrayContaining(others));
    },
  );

  test.each(['dev', 'prod'])('%s: every table of every stack has point-in-time recovery', (stage) => {
    const tables = [...templatesAt(stage)].flatMap(([stack, template]) =>
      Object.entries(template.findResources('AWS::DynamoDB::Table')).map(([id, table]) => ({
        table: `${stack}/${id}`,
        pitr: (
          (table as { Properties: Json }).Properties['PointInTimeRecoverySpecification'] as Json | undefined
        )?.['PointInTimeRecoveryEnabled'],
      })),
    );
    expect(tables.length).toBeGreaterThanOrEqual(10);
    expect(tables.filter((table) => table.pitr !== true)).toEqual([]);
  });
});

describe('production safeguards', () => {
  /** Every resource of `type` in the app at `stage`: `<stack>/<logical id>` and its template entry. */
  function resourcesAt(stage: string, type: string): { id: string; resource: Json }[] {
    return [...templatesAt(stage)].flatMap(([stack, template]) =>
      Object.entries(template.findResources(type)).map(([id, resource]) => ({
        id: `${stack}/${id}`,
        resource: resource as Json,
      })),
    );
  }
  const deadLetterQueues = (stage: string) =>
    resourcesAt(stage, 'AWS::SQS::Queue').filter(({ id }) => /DeadLetterQueue|ParkedSagas/.test(id));

  test('prod retains every dead-letter and parked-saga queue; dev leaves none behind', () => {
    const prod = deadLetterQueues('prod');
    // The outbox relays, the event consumers, the projection, saga starts, deadlines, parked sagas.
    expect(prod.length).toBeGreaterThanOrEqual(10);
    expect(prod.filter(({ resource }) => resource['DeletionPolicy'] !== 'Retain')).toEqual([]);
    expect(deadLetterQueues('dev').filter(({ resource }) => resource['DeletionPolicy'] !== 'Delete')).toEqual(
      [],
    );
  });

  test('prod protects every retained table from deletion (event stores, context tables, payments)', () => {
    const retained = resourcesAt('prod', 'AWS::DynamoDB::Table').filter(
      ({ resource }) => resource['DeletionPolicy'] === 'Retain',
    );
    expect(retained.map(({ id }) => id)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ShopOrders\/EventStore/),
        expect.stringMatching(/^ShopPayments\/PaymentsTable/),
      ]),
    );
    const unprotected = retained.filter(
      ({ resource }) => (resource['Properties'] as Json)['DeletionProtectionEnabled'] !== true,
    );
    expect(unprotected).toEqual([]);
    const protectedInDev = resourcesAt('dev', 'AWS::DynamoDB::Table').filter(
      ({ resource }) => (resource['Properties'] as Json)['DeletionProtectionEnabled'] === true,
    );
    expect(protectedInDev).toEqual([]);
  });
});

describe('copies of the app side by side (shop:name)', () => {
  /** Every name an account and Region hold once: stacks, buses, exports, SSM parameters, user pools. */
  function uniqueNames(name?: string): string[] {
    const context: Json = { 'aws:cdk:bundling-stacks': [] };
    if (name !== undefined) context[SETTINGS_CONTEXT_KEYS.name] = name;
    const stacks = buildApp(new App({ context })).node.children.filter(
      (child): child is Stack => child instanceof Stack,
    );
    return stacks.flatMap((stack) => {
      const template = Template.fromStack(stack).toJSON() as {
        Resources?: Record<string, { Type: string; Properties?: Json }>;
        Outputs?: Record<string, { Export?: { Name?: unknown } }>;
      };
      const resources = Object.values(template.Resources ?? {});
      const named = (type: string, property: string) =>
        resources
          .filter((resource) => resource.Type === type)
          .map((resource) => String(resource.Properties?.[property]));
      return [
        `stack ${stack.stackName}`,
        ...named('AWS::Events::EventBus', 'Name').map((bus) => `bus ${bus}`),
        ...named('AWS::SSM::Parameter', 'Name').map((parameter) => `parameter ${parameter}`),
        ...named('AWS::Cognito::UserPool', 'UserPoolName').map((pool) => `user pool ${pool}`),
        ...Object.values(template.Outputs ?? {}).flatMap((output) =>
          output.Export?.Name === undefined ? [] : [`export ${JSON.stringify(output.Export.Name)}`],
        ),
      ];
    });
  }

  test('the default copy is named shop: ShopOrders, the shop bus, /shop/saga-style', () => {
    expect(uniqueNames()).toEqual(
      expect.arrayContaining([
        'stack ShopOrders',
        'bus shop',
        'parameter /shop/saga-style',
        'user pool shop-users',
      ]),
    );
  });

  test('a copy named blue shares no unique name with the shop copy', () => {
    const shop = uniqueNames();
    const blue = uniqueNames('blue');
    expect(blue).toEqual(
      expect.arrayContaining([
        'stack BlueOrders',
        'bus blue',
        'parameter /blue/saga-style',
        'user pool blue-users',
      ]),
    );
    expect(blue.filter((name) => shop.includes(name))).toEqual([]);
    expect(blue.length).toBe(shop.length);
  });

  test('refuses a name that cannot make stack names', () => {
    expect(() => appAt(undefined, { [SETTINGS_CONTEXT_KEYS.name]: 'Blue_Shop' })).toThrow(
      /Context shop:name must be 1 to 20 lower-case letters, digits or dashes/,
    );
  });
});
