/**
 * CloudFormation's read API through the AWS SDK's own CloudFormation client, over HTTP: what the client
 * sends (AWS Query) and parses (XML) is the contract. The stacks are templates resolved as the local cloud
 * resolves them, so the expected physical ids and outputs come from the resolver, not from the API.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  paginateDescribeStacks,
  paginateListExports,
  paginateListStackResources,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import {
  CLOUDFORMATION_PAGE_SIZE,
  CloudFormationStacks,
  type LoadedStack,
} from '../../../src/cloudformation/cloudformation-stacks';
import { serveQueryProtocol } from '../../../src/http/query-protocol';
import { resolveStack, type ResolvedStack } from '../../../src/template/resolve-stack';
import type { CfnTemplate } from '../../../src/template/template-types';
import { localClientConfig } from '../../../src/testing/client-config';
import { sendRaw } from '../../support/raw-http';
import { refusal } from '../../support/refusal';

const CREATED_AT = new Date('2026-12-07T10:00:00.000Z');
const ODD_TEXT = 'a & b <c> "d" \'e\'\r\n\tü 🎉';

const SHARED: CfnTemplate = {
  Description: 'Shared <bus> & "exports"',
  Resources: { Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shared-bus' } } },
  Outputs: {
    BusName: { Value: { Ref: 'Bus' }, Description: 'the bus', Export: { Name: 'shared-bus-name' } },
    OwnId: { Value: { Ref: 'AWS::StackId' } },
  },
};

const APP: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Token: { Type: 'String', Default: 'hunter2', NoEcho: true },
    Unused: { Type: 'String' },
  },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Resources: {
    Orders: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'orders' },
      Metadata: { 'aws:cdk:path': 'App/Orders/Resource' },
    },
    Worker: {
      Type: 'AWS::Lambda::Function',
      Properties: { Environment: { Variables: { BUS: { 'Fn::ImportValue': 'shared-bus-name' } } } },
    },
    Backups: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
  },
  Outputs: {
    TableName: { Value: { Ref: 'Orders' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-table' } } },
    Odd: { Value: ODD_TEXT, Description: ODD_TEXT },
  },
};

/** Resolves the stacks in order, each seeing the exports of those before it, as the local cloud does. */
function load(stacks: readonly (readonly [string, CfnTemplate])[]): LoadedStack[] {
  const exports = new Map<string, string>();
  return stacks.map(([stackName, template]) => {
    const resolved = resolveStack(stackName, template, { exports, sqsEndpoint: 'http://127.0.0.1:4566' });
    for (const [name, value] of Object.entries(resolved.exports)) exports.set(name, value);
    return { stackName, template, resolved };
  });
}

/** `count` stacks, each with one exported output and `resourcesEach` queues. */
function manyStacks(count: number, resourcesEach = 1): LoadedStack[] {
  return load(
    Array.from({ length: count }, (_, index) => {
      const resources = Object.fromEntries(
        Array.from({ length: resourcesEach }, (__, n) => [`Queue${n}`, { Type: 'AWS::SQS::Queue' }]),
      );
      const template: CfnTemplate = {
        Resources: resources,
        Outputs: { Url: { Value: { Ref: 'Queue0' }, Export: { Name: `export-${index}` } } },
      };
      return [`Stack${String(index).padStart(3, '0')}`, template] as const;
    }),
  );
}

let stacks: LoadedStack[];
let service: CloudFormationStacks;
let server: RunningServer;
let cloudFormation: CloudFormationClient;

const resolvedOf = (name: string): ResolvedStack => {
  const stack = stacks.find((candidate) => candidate.stackName === name);
  if (stack === undefined) throw new Error(`no stack ${name}`);
  return stack.resolved;
};
const physicalIdOf = (stackName: string, logicalId: string): string => {
  const resource = resolvedOf(stackName).resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${stackName}/${logicalId}`);
  return resource.physicalId;
};
const use = (loaded: LoadedStack[]): void => {
  stacks = loaded;
  service = new CloudFormationStacks(loaded, { createdAt: CREATED_AT });
};

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveQueryProtocol([service], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  cloudFormation = new CloudFormationClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  use(
    load([
      ['Shared', SHARED],
      ['App', APP],
    ]),
  );
});

afterAll(async () => {
  cloudFormation?.destroy();
  await server?.close();
});

describe('DescribeStacks', () => {
  test('describes every stack, created and complete, with the id its template’s AWS::StackId resolves to', async () => {
    // Act
    const { Stacks, NextToken } = await cloudFormation.send(new DescribeStacksCommand({}));

    // Assess
    expect(Stacks?.map((stack) => stack.StackName)).toEqual(['Shared', 'App']);
    expect(NextToken).toBeUndefined();
    expect(Stacks?.[0]).toEqual({
      StackName: 'Shared',
      StackId: resolvedOf('Shared').outputs.OwnId,
      Description: SHARED.Description,
      CreationTime: CREATED_AT,
      LastUpdatedTime: CREATED_AT,
      RollbackConfiguration: {},
      StackStatus: 'CREATE_COMPLETE',
      DisableRollback: false,
      NotificationARNs: [],
      Outputs: [
        {
          OutputKey: 'BusName',
          OutputValue: physicalIdOf('Shared', 'Bus'),
          Description: 'the bus',
          ExportName: 'shared-bus-name',
        },
        { OutputKey: 'OwnId', OutputValue: resolvedOf('Shared').outputs.OwnId },
      ],
      Tags: [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    });
    expect(Stacks?.[0]?.StackId).toMatch(
      /^arn:aws:cloudformation:us-east-1:000000000000:stack\/Shared\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  test('reports the parameters’ values, a NoEcho one masked, and outputs with any characters', async () => {
    // Act
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'App' }));

    // Assess
    const app = Stacks?.[0];
    expect(app?.Parameters).toEqual([
      { ParameterKey: 'Stage', ParameterValue: 'dev' },
      { ParameterKey: 'Token', ParameterValue: '****' },
    ]);
    expect(app?.Description).toBeUndefined();
    expect(app?.Outputs).toEqual([
      {
        OutputKey: 'TableName',
        OutputValue: resolvedOf('App').outputs.TableName,
        ExportName: 'App-table',
      },
      // The carriage return arrives too: a parser would read a raw one as a line feed.
      { OutputKey: 'Odd', OutputValue: ODD_TEXT, Description: ODD_TEXT },
    ]);
  });

  test('finds a stack by its id as well as by its name', async () => {
    // Prepare
    const stackId = resolvedOf('Shared').outputs.OwnId;

    // Act
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));

    // Assess
    expect(Stacks?.map((stack) => stack.StackName)).toEqual(['Shared']);
  });

  test('refuses an unknown stack with ValidationError, 400', async () => {
    // Act
    const byName = await refusal(cloudFormation.send(new DescribeStacksCommand({ StackName: 'Nope' })));
    const byId = await refusal(
      cloudFormation.send(
        new DescribeStacksCommand({
          StackName:
            'arn:aws:cloudformation:us-east-1:000000000000:stack/Nope/00000000-0000-0000-0000-000000000000',
        }),
      ),
    );

    // Assess
    expect(byName).toEqual({
      name: 'ValidationError',
      message: 'Stack with id Nope does not exist',
      status: 400,
    });
    expect(byId.message).toBe(
      'Stack with id arn:aws:cloudformation:us-east-1:000000000000:stack/Nope/00000000-0000-0000-0000-000000000000 does not exist',
    );
  });

  test('pages beyond 100 stacks with NextToken', async () => {
    // Prepare
    use(manyStacks(CLOUDFORMATION_PAGE_SIZE + 1));

    // Act
    const first = await cloudFormation.send(new DescribeStacksCommand({}));
    const names: string[] = [];
    for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
      names.push(...(page.Stacks ?? []).map((stack) => stack.StackName ?? ''));
    }

    // Assess
    expect(first.Stacks).toHaveLength(CLOUDFORMATION_PAGE_SIZE);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(names).toEqual(stacks.map((stack) => stack.stackName));
  });

  test('refuses a NextToken it did not give', async () => {
    // Act
    const refused = await refusal(cloudFormation.send(new DescribeStacksCommand({ NextToken: 'bm9wZQ' })));

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationError', status: 400 });
  });
});

describe('ListStacks', () => {
  test('summarizes every stack, and filters by status', async () => {
    // Act
    const all = await cloudFormation.send(new ListStacksCommand({}));
    const complete = await cloudFormation.send(
      new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }),
    );
    const deleted = await cloudFormation.send(
      new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }),
    );
    const unfiltered = await cloudFormation.send(new ListStacksCommand({ StackStatusFilter: [] }));

    // Assess
    expect(all.StackSummaries?.[0]).toEqual({
      StackId: resolvedOf('Shared').outputs.OwnId,
      StackName: 'Shared',
      TemplateDescription: SHARED.Description,
      CreationTime: CREATED_AT,
      LastUpdatedTime: CREATED_AT,
      StackStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    });
    expect(complete.StackSummaries?.map((summary) => summary.StackName)).toEqual(['Shared', 'App']);
    expect(deleted.StackSummaries).toEqual([]);
    expect(unfiltered.StackSummaries).toHaveLength(2);
  });

  test('refuses a status CloudFormation does not have', async () => {
    // Act
    const refused = await refusal(
      cloudFormation.send(new ListStacksCommand({ StackStatusFilter: ['DONE' as StackStatus] })),
    );

    // Assess
    expect(refused.name).toBe('ValidationError');
    expect(refused.message).toContain("Value '[DONE]' at 'stackStatusFilter' failed to satisfy constraint");
  });
});

describe('ListExports', () => {
  test('lists every export with the stack that exports it', async () => {
    // Act
    const { Exports } = await cloudFormation.send(new ListExportsCommand({}));

    // Assess
    expect(Exports).toEqual([
      {
        ExportingStackId: resolvedOf('Shared').outputs.OwnId,
        Name: 'shared-bus-name',
        Value: resolvedOf('Shared').exports['shared-bus-name'],
      },
      {
        ExportingStackId: expect.stringMatching(/:stack\/App\//),
        Name: 'App-table',
        Value: physicalIdOf('App', 'Orders'),
      },
    ]);
  });

  test('pages beyond 100 exports', async () => {
    // Prepare
    use(manyStacks(CLOUDFORMATION_PAGE_SIZE + 5));

    // Act
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListExports({ client: cloudFormation }, {})) {
      pages += 1;
      names.push(...(page.Exports ?? []).map((entry) => entry.Name ?? ''));
    }

    // Assess
    expect(pages).toBe(2);
    expect(names).toEqual(stacks.flatMap((stack) => Object.keys(stack.resolved.exports)));
  });
});

describe('DescribeStackResources', () => {
  test('describes the resources that exist, with the physical ids the local cloud uses', async () => {
    // Act
    const { StackResources } = await cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: 'App' }),
    );

    // Assess
    expect(StackResources?.map((resource) => resource.LogicalResourceId)).toEqual(['Orders', 'Worker']);
    expect(StackResources?.[0]).toEqual({
      StackName: 'App',
      StackId: expect.stringMatching(/:stack\/App\//),
      LogicalResourceId: 'Orders',
      PhysicalResourceId: physicalIdOf('App', 'Orders'),
      ResourceType: 'AWS::DynamoDB::Table',
      Timestamp: CREATED_AT,
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    expect(StackResources?.[1]?.PhysicalResourceId).toBe(physicalIdOf('App', 'Worker'));
  });

  test('finds the stack of a physical id, and filters by logical id', async () => {
    // Act
    const { StackResources } = await cloudFormation.send(
      new DescribeStackResourcesCommand({
        PhysicalResourceId: physicalIdOf('App', 'Worker'),
        LogicalResourceId: 'Orders',
      }),
    );

    // Assess
    expect(StackResources?.map((r) => [r.StackName, r.LogicalResourceId])).toEqual([['App', 'Orders']]);
  });

  test('returns the first 100 resources only, as AWS does', async () => {
    // Prepare
    use(manyStacks(1, 120));

    // Act
    const { StackResources } = await cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: 'Stack000' }),
    );

    // Assess
    expect(StackResources).toHaveLength(100);
  });

  test.each([
    ['an unknown stack', { StackName: 'Nope' }, 'Stack with id Nope does not exist'],
    ['an unknown physical id', { PhysicalResourceId: 'nope' }, 'Stack for nope does not exist'],
    [
      'both a stack and a physical id',
      { StackName: 'App', PhysicalResourceId: 'orders' },
      'Cannot specify both',
    ],
    ['neither a stack nor a physical id', {}, 'Either StackName or PhysicalResourceId must be specified.'],
  ])('refuses %s with ValidationError', async (_case, input, message) => {
    // Act
    const refused = await refusal(cloudFormation.send(new DescribeStackResourcesCommand(input)));

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(refused.message).toContain(message);
  });
});

describe('DescribeStackResource', () => {
  test('describes one resource, with its template metadata', async () => {
    // Act
    const { StackResourceDetail } = await cloudFormation.send(
      new DescribeStackResourceCommand({ StackName: 'App', LogicalResourceId: 'Orders' }),
    );

    // Assess
    expect(StackResourceDetail).toEqual({
      StackName: 'App',
      StackId: expect.stringMatching(/:stack\/App\//),
      LogicalResourceId: 'Orders',
      PhysicalResourceId: physicalIdOf('App', 'Orders'),
      ResourceType: 'AWS::DynamoDB::Table',
      LastUpdatedTimestamp: CREATED_AT,
      ResourceStatus: 'CREATE_COMPLETE',
      Metadata: JSON.stringify(APP.Resources.Orders?.Metadata),
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
  });

  test.each([
    [
      'a resource whose condition is false',
      'App',
      'Backups',
      'Resource Backups does not exist for stack App',
    ],
    ['an unknown stack', 'Nope', 'Orders', "Stack 'Nope' does not exist"],
  ])('refuses %s with ValidationError', async (_case, StackName, LogicalResourceId, message) => {
    // Act
    const refused = await refusal(
      cloudFormation.send(new DescribeStackResourceCommand({ StackName, LogicalResourceId })),
    );

    // Assess
    expect(refused).toEqual({ name: 'ValidationError', message, status: 400 });
  });
});

describe('ListStackResources', () => {
  test('summarizes a stack’s resources in pages of 100', async () => {
    // Prepare
    use(manyStacks(1, 150));

    // Act
    const first = await cloudFormation.send(new ListStackResourcesCommand({ StackName: 'Stack000' }));
    const ids: string[] = [];
    for await (const page of paginateListStackResources(
      { client: cloudFormation },
      { StackName: 'Stack000' },
    )) {
      ids.push(...(page.StackResourceSummaries ?? []).map((summary) => summary.PhysicalResourceId ?? ''));
    }

    // Assess
    expect(first.StackResourceSummaries).toHaveLength(100);
    expect(first.StackResourceSummaries?.[0]).toEqual({
      LogicalResourceId: 'Queue0',
      PhysicalResourceId: physicalIdOf('Stack000', 'Queue0'),
      ResourceType: 'AWS::SQS::Queue',
      LastUpdatedTimestamp: CREATED_AT,
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    expect(ids).toEqual(
      Object.values(resolvedOf('Stack000').resources).map((resource) => resource.physicalId),
    );
  });

  test('refuses an unknown stack, and a request without one', async () => {
    // Act
    const unknown = await refusal(cloudFormation.send(new ListStackResourcesCommand({ StackName: 'Nope' })));
    const missing = await refusal(
      cloudFormation.send(new ListStackResourcesCommand({ StackName: undefined as unknown as string })),
    );

    // Assess
    expect(unknown).toEqual({
      name: 'ValidationError',
      message: 'Stack with id Nope does not exist',
      status: 400,
    });
    expect(missing.message).toBe(
      "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('what is not emulated', () => {
  test.each([
    [
      'CreateStack',
      () => cloudFormation.send(new CreateStackCommand({ StackName: 'New', TemplateBody: '{}' })),
    ],
    [
      'UpdateStack',
      () => cloudFormation.send(new UpdateStackCommand({ StackName: 'App', UsePreviousTemplate: true })),
    ],
    ['DeleteStack', () => cloudFormation.send(new DeleteStackCommand({ StackName: 'App' }))],
  ])('refuses %s as read-only, naming what is implemented', async (action, call) => {
    // Act
    const refused = await refusal(call());

    // Assess
    expect(refused).toMatchObject({ name: 'InvalidAction', status: 400 });
    expect(refused.message).toContain(`read-only`);
    expect(refused.message).toContain(`does not implement ${action}`);
    expect(refused.message).toContain('DescribeStacks');
  });

  test('serves the AWS CLI’s unsigned requests (--no-sign-request) too', async () => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeStacks&Version=2010-05-15&StackName=Shared',
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(
      /^<DescribeStacksResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><DescribeStacksResult><Stacks><member>/,
    );
    expect(reply.text).toContain(`<StackId>${resolvedOf('Shared').outputs.OwnId ?? ''}</StackId>`);
  });
});
