import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, PROD_PROCESSOR_PARAMETERS } from '../../infra/app';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';

type Json = Record<string, unknown>;

function appAt(stage?: string): App {
  const context: Json = { 'aws:cdk:bundling-stacks': [] };
  if (stage !== undefined) context[SETTINGS_CONTEXT_KEYS.stage] = stage;
  return buildApp(new App({ context }));
}

/** Each stage's app, synthesized once: its stacks' templates by stack name. */
const synthesized = new Map<string | undefined, Map<string, Template>>();
function templatesAt(stage?: string): Map<string, Template> {
  let templates = synthesized.get(stage);
  if (templates === undefined) {
    const stacks = appAt(stage).node.children.filter((child): child is Stack => child instanceof Stack);
    templates = new Map(stacks.map((stack) => [stack.stackName, Template.fromStack(stack)]));
    synthesized.set(stage, templates);
  }
  return templates;
}

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
    '%s: the sandbox card processor is deployed and payments calls it',
    (stage) => {
      expect([...templatesAt(stage).keys()]).toContain('ShopPaymentProvider');
      const charge = functionsOf(stage).find(
        (fn) => fn.stack === 'ShopPayments' && 'PROVIDER_API_URL' in fn.variables,
      );
      expect(charge?.variables).not.toHaveProperty('PROVIDER_API_KEY_PARAMETER');
    },
  );

  test('prod: no sandbox processor, no function of it; payments calls the real one, with its key', () => {
    expect([...templatesAt('prod').keys()]).not.toContain('ShopPaymentProvider');
    const functions = functionsOf('prod');
    expect(functions.filter((fn) => fn.variables['POWERTOOLS_SERVICE_NAME'] === 'payment-provider')).toEqual(
      [],
    );
    const processorCallers = functions.filter((fn) => 'PROVIDER_API_URL' in fn.variables);
    expect(processorCallers.length).toBeGreaterThan(0);
    for (const fn of processorCallers) {
      expect(fn.variables['PROVIDER_API_KEY_PARAMETER']).toBe(PROD_PROCESSOR_PARAMETERS.apiKey);
    }
    // Nothing of the sandbox is referenced: no import of its API's URL anywhere.
    for (const template of templatesAt('prod').values()) {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/ShopPaymentProvider/);
    }
  });

  test('refuses an unknown stage, naming the key and the stages', () => {
    expect(() => appAt('staging')).toThrow(/Context shop:stage must be one of local, dev, prod/);
  });
});

describe('every stage', () => {
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
