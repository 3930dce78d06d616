import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { ContextTable } from '../../infra/constructs/context-table';
import type { AccountsStack } from '../../infra/stacks/accounts-stack';
import type { UsersStack } from '../../infra/stacks/users-stack';
import { actionsGrantedTo, expectNoDeploymentOfItsOwn, unbundledApp } from './construct-test-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown };

describe('AccountsStack (in the app, on the platform API, behind the users authorizer)', () => {
  const app = buildApp(unbundledApp());
  const stack = app.node.findChild('ShopAccounts') as AccountsStack;
  const users = app.node.findChild('ShopUsers') as UsersStack;
  const template = Template.fromStack(stack);
  const resources = template.toJSON()['Resources'] as Resources;
  const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const importedApiId = {
    'Fn::ImportValue': Match.stringLikeRegexp('^ShopPlatform:ExportsOutputRefShopApi'),
  };
  const accountsTableId = logicalIdOf(stack.accountsTable);
  const idempotencyTableId = logicalIdOf(stack.idempotencyTable);

  /** Every `dynamodb:` action of the role, as `<action> <table>` (`accounts`, `idempotency` or `other`). */
  function tableGrantsOf(rolePrefix: string): string[] {
    const grants = new Set<string>();
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const roles = JSON.stringify(policy['Properties']['Roles']);
      if (!roles.includes(`"${rolePrefix}`)) continue;
      for (const statement of policy['Properties']['PolicyDocument']['Statement'] as Statement[]) {
        const target = JSON.stringify(statement.Resource);
        const table = target.includes(accountsTableId)
          ? 'accounts'
          : target.includes(idempotencyTableId)
            ? 'idempotency'
            : 'other';
        for (const action of [statement.Action].flat()) {
          if (action.startsWith('dynamodb:')) grants.add(`${action} ${table}`);
        }
      }
    }
    return [...grants].sort();
  }

  test('keeps accounts in a context table (pk/sk, on demand, point-in-time recovery, retained), with no stream', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    expect(stack.accountsTable).toBeInstanceOf(ContextTable);
    expect(resources[accountsTableId]?.Properties).not.toHaveProperty('StreamSpecification');
    expect(resources[accountsTableId]?.Properties).not.toHaveProperty('GlobalSecondaryIndexes');
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  test('keeps Idempotency-Key records as the other contexts do: partition key id, TTL on expiration', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      },
    });
    // The inventory stack's table, built inline, has the same properties.
    const inventory = Template.fromStack(app.node.findChild('ShopInventory') as Stack);
    const inventoryTable = Object.entries(inventory.findResources('AWS::DynamoDB::Table')).find(([id]) =>
      id.startsWith('IdempotencyTable'),
    )?.[1];
    expect(resources[idempotencyTableId]).toEqual(inventoryTable);
  });

  test('gives the queries GetItem and Query on the accounts table, nothing else', () => {
    for (const role of ['GetAccountFunctionServiceRole', 'ListTransactionsFunctionServiceRole']) {
      expect(tableGrantsOf(role)).toEqual(['dynamodb:GetItem accounts', 'dynamodb:Query accounts']);
      expect(actionsGrantedTo(template, role)).toEqual([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  test('gives deposits and transfers GetItem, PutItem and UpdateItem on the accounts table, and Idempotency-Key records', () => {
    for (const role of ['DepositMoneyFunctionServiceRole', 'TransferMoneyFunctionServiceRole']) {
      const grants = tableGrantsOf(role);
      expect(grants.filter((grant) => grant.endsWith(' accounts'))).toEqual([
        'dynamodb:GetItem accounts',
        'dynamodb:PutItem accounts',
        'dynamodb:UpdateItem accounts',
      ]);
      expect(grants.filter((grant) => grant.endsWith(' other'))).toEqual([]);
      expect(grants).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem idempotency',
          'dynamodb:PutItem idempotency',
          'dynamodb:UpdateItem idempotency',
          'dynamodb:DeleteItem idempotency',
        ]),
      );
    }
  });

  test('gives opening an account its one conditional PutItem on the accounts table, and Idempotency-Key records', () => {
    const grants = tableGrantsOf('OpenAccountFunctionServiceRole');
    expect(grants.filter((grant) => grant.endsWith(' accounts'))).toEqual(['dynamodb:PutItem accounts']);
    expect(grants.filter((grant) => grant.endsWith(' other'))).toEqual([]);
    expect(grants).toEqual(
      expect.arrayContaining(['dynamodb:PutItem idempotency', 'dynamodb:DeleteItem idempotency']),
    );
  });

  test("gives the payments context's function GetItem, PutItem and UpdateItem on the accounts table alone", () => {
    const role = 'AccountPaymentsFunctionServiceRole';
    expect(tableGrantsOf(role)).toEqual([
      'dynamodb:GetItem accounts',
      'dynamodb:PutItem accounts',
      'dynamodb:UpdateItem accounts',
    ]);
    expect(actionsGrantedTo(template, role)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(resources[logicalIdOf(stack.accountPaymentsFunction)]?.Properties['Timeout']).toBe(5);
  });

  test("lets the payments context's charge and refund functions, and its saga consumer, invoke it, and no one else", () => {
    const payments = app.node.findChild('ShopPayments') as Stack;
    const invokers = Object.entries(Template.fromStack(payments).findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy).includes('lambda:InvokeFunction'))
      .map(([, policy]) => JSON.stringify(policy['Properties']['Roles']))
      // Blue/green delivery's roles invoke the stack's own API functions and hooks, not this one.
      .filter((roles) => !roles.includes('BlueGreen'));
    expect(invokers).toHaveLength(3);
    expect(invokers.join()).toMatch(/ChargePaymentFunctionServiceRole/);
    expect(invokers.join()).toMatch(/RefundPaymentFunctionServiceRole/);
    expect(invokers.join()).toMatch(/OrderSagaConsumerFunctionServiceRole/);
    // No resource policy opens it to anyone (an API, a bus, a service principal).
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack.accountPaymentsFunction), 'Arn'] } },
      0,
    );
  });

  test('names the tables each function uses, and the idempotency table to the commands only', () => {
    const functions = {
      open: stack.openAccountFunction,
      get: stack.getAccountFunction,
      deposit: stack.depositMoneyFunction,
      transfer: stack.transferMoneyFunction,
      list: stack.listTransactionsFunction,
    };
    const variablesOf = (fn: (typeof functions)[keyof typeof functions]): Record<string, unknown> =>
      (resources[logicalIdOf(fn)]?.Properties['Environment'] as { Variables: Record<string, unknown> })
        .Variables;
    for (const fn of Object.values(functions)) {
      expect(variablesOf(fn)).toMatchObject({
        ACCOUNTS_TABLE: { Ref: accountsTableId },
        POWERTOOLS_SERVICE_NAME: 'accounts',
      });
    }
    for (const fn of [functions.open, functions.deposit, functions.transfer]) {
      expect(variablesOf(fn)).toMatchObject({ IDEMPOTENCY_TABLE: { Ref: idempotencyTableId } });
    }
    for (const fn of [functions.get, functions.list]) {
      expect(variablesOf(fn)).not.toHaveProperty('IDEMPOTENCY_TABLE');
    }
  });

  test("gives deposits and transfers 25 s for their retries of lost races inside API Gateway's 29 s; the others the default", () => {
    const timeoutOf = (fn: AccountsStack['openAccountFunction']): unknown =>
      resources[logicalIdOf(fn)]?.Properties['Timeout'];
    expect(timeoutOf(stack.depositMoneyFunction)).toBe(25);
    expect(timeoutOf(stack.transferMoneyFunction)).toBe(25);
    expect(timeoutOf(stack.openAccountFunction)).toBe(10);
    expect(timeoutOf(stack.getAccountFunction)).toBe(10);
    expect(timeoutOf(stack.listTransactionsFunction)).toBe(10);
  });

  test("serves its five routes on the shared API, each behind the users stack's Cognito authorizer", () => {
    // Prepare
    const routes = [
      ['POST', '/accounts', stack.openAccountFunction],
      ['GET', '/accounts/{accountId}', stack.getAccountFunction],
      ['POST', '/accounts/{accountId}/deposits', stack.depositMoneyFunction],
      ['POST', '/transfers', stack.transferMoneyFunction],
      ['GET', '/accounts/{accountId}/transactions', stack.listTransactionsFunction],
    ] as const;
    const usersAuthorizerId = users.getLogicalId(users.authorizer.node.defaultChild as CfnElement);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));

    // Assess: every method is a Lambda proxy behind the authorizer, imported from the users stack.
    expect(methods).toHaveLength(routes.length);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      RestApiId: importedApiId,
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: {
        'Fn::ImportValue': Match.stringLikeRegexp(`^ShopUsers:ExportsOutputRef${usersAuthorizerId}`),
      },
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    for (const [method, path, fn] of routes) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        Integration: Match.objectLike({
          Uri: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: logicalIdOf(fn.live) }])]),
          }),
        }),
      });
      // API Gateway may invoke the function's live alias for this route only (any stage; path parameters as `*`).
      template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { Ref: logicalIdOf(fn.live) },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: {
          'Fn::Join': ['', Match.arrayWith([`/*/${method}${path.replace('{accountId}', '*')}`])],
        },
      });
    }
    const pathParts = Object.values(template.findResources('AWS::ApiGateway::Resource'))
      .map((resource) => resource['Properties']['PathPart'])
      .sort();
    expect(pathParts).toEqual(['accounts', 'deposits', 'transactions', 'transfers', '{accountId}']);
  });

  test('leaves the deployment of its routes to the API stage stack', () => {
    expectNoDeploymentOfItsOwn(template);
  });

  test('deploys after inventory and before payments, which invoke it, and the API stage: one API change at a time', () => {
    // Prepare
    const inventory = app.node.findChild('ShopInventory') as Stack;
    const platform = app.node.findChild('ShopPlatform') as Stack;
    // Assess: the chain users → inventory → accounts → payments → orders, never two API changes at once.
    expect(stack.dependencies).toEqual(expect.arrayContaining([inventory, users, platform]));
    const stackIds = app.node.children
      .filter((child): child is Stack => 'dependencies' in child)
      .map((child) => child.node.id);
    const dependents = stackIds.filter((id) =>
      (app.node.findChild(id) as Stack).dependencies.some((dependency) => dependency === stack),
    );
    expect(dependents.sort()).toEqual(['ShopApiStage', 'ShopPayments']);
  });

  test('outputs the accounts table name', () => {
    template.hasOutput('AccountsTableName', { Value: { Ref: accountsTableId } });
  });
});
