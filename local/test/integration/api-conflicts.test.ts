/**
 * A template API Gateway refuses fails the start, as its stack's deployment fails on AWS: the second
 * stack's `/users` under the API's root (`test/fixtures/conflicting-routes-app.ts`).
 */
import { startFixtureCloud } from '../support/fixture-cloud';

describe('a REST API resource API Gateway refuses', () => {
  test("fails the start on the later stack's resource, in CloudFormation's words", async () => {
    // Prepare
    const options = {
      appCommand: 'npx tsx test/fixtures/conflicting-routes-app.ts',
      defaultApiName: 'routes-fixture-api',
    };

    // Act
    const starting = startFixtureCloud(options);

    // Assess
    await expect(starting).rejects.toThrow(
      /^RoutesFixtureUsers: Resource SharedApiusers\w+ \(AWS::ApiGateway::Resource\) failed: Another resource with the same parent already has this name: users \(Service: ApiGateway, Status Code: 409\) \[REST API [a-z0-9]{10}: \/users was created by RoutesFixtureApi\/Apiusers\w+\]$/,
    );
  }, 120_000);
});
