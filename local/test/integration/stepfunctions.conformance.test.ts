/**
 * The local Step Functions against 145 executions recorded on AWS (`../shared/conformance/sfn-cases.json`,
 * format in AWS-RECORDED-CASES.md): each case's definition is created on the edge endpoint as a client
 * would (`CreateStateMachine`), run with its input (`StartExecution`) and read back
 * (`DescribeExecution`); the status, output, error and cause must be AWS's.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';
import { CONFORMANCE_DIR, differences, matchesPattern } from '../support/recorded-cases';

interface SfnCase {
  readonly name: string;
  readonly definition: unknown;
  readonly input: unknown;
  readonly expected: {
    readonly status: string;
    readonly output?: unknown;
    readonly error?: string;
    readonly cause?: string;
    readonly causePattern?: string;
  };
  readonly ignore?: readonly string[];
}

/**
 * Cases the local cloud does not run as AWS does, each with the reason, and what it does instead. The
 * list is asserted exactly: a case that starts passing must leave it.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'context_object.input_path.$$':
    'InputPath "$$" (the whole Context Object as a state\'s input) is refused at CreateStateMachine ' +
    "(InvalidDefinition): the interpreter would hand its live context object, with the local cloud's own " +
    'keys, to the next state.',
};

const CASES = (
  JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, 'sfn-cases.json'), 'utf8')) as { cases: SfnCase[] }
).cases;
const ROLE_ARN = 'arn:aws:iam::000000000000:role/conformance';
/** Cases run at once: a few wait real seconds (Wait states, retries). */
const CONCURRENCY = 16;

let cloud: LocalCloud;
let sfn: SFNClient;

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  sfn = new SFNClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
}, 180_000);

afterAll(async () => {
  sfn?.destroy();
  await cloud?.stop();
});

/** What differs from AWS's recording, one line per difference; none when the case passes. */
async function runCase(testCase: SfnCase, index: number): Promise<string[]> {
  const name = `conformance-${index}-${Date.now()}`;
  let stateMachineArn: string | undefined;
  try {
    ({ stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify(testCase.definition),
        roleArn: ROLE_ARN,
      }),
    ));
  } catch (error) {
    return [`CreateStateMachine refused it: ${(error as Error).name}: ${(error as Error).message}`];
  }
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(testCase.input) }),
    );
    const described = await eventually(
      async (): Promise<DescribeExecutionCommandOutput | undefined> => {
        const answer = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return answer.status === 'RUNNING' ? undefined : answer;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: `the execution of ${testCase.name} to end` },
    );
    const actual: Record<string, unknown> = { status: described.status };
    if (described.output !== undefined) actual.output = JSON.parse(described.output) as unknown;
    if (described.error !== undefined) actual.error = described.error;
    if (described.cause !== undefined) actual.cause = described.cause;
    const { causePattern, ...expected } = testCase.expected;
    const found = differences(stripMasked(expected), actual, testCase.ignore ?? []);
    if (causePattern !== undefined && !matchesPattern(causePattern, described.cause)) {
      found.push(`cause: ${JSON.stringify(described.cause)} does not match /${causePattern}/`);
    }
    return found;
  } finally {
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
  }
}

/** `causeMasked` documents the recording; `causePattern` is what is compared. */
function stripMasked(expected: Record<string, unknown>): Record<string, unknown> {
  const { causeMasked: _masked, ...compared } = expected;
  return compared;
}

test('every AWS-recorded execution runs as on AWS, but the known differences', async () => {
  // Act
  const outcomes: { readonly name: string; readonly differences: string[] }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let index = next++; index < CASES.length; index = next++) {
        const testCase = CASES[index];
        if (testCase === undefined) continue;
        outcomes.push({ name: testCase.name, differences: await runCase(testCase, index) });
      }
    }),
  );

  // Assess
  const failing = outcomes.filter((outcome) => outcome.differences.length > 0);
  const passing = outcomes.length - failing.length;
  console.log(
    `Step Functions conformance: ${passing}/${CASES.length} AWS-recorded cases pass; ` +
      `known differences: ${Object.keys(KNOWN_DIFFERENCES).join(', ') || 'none'}`,
  );
  expect(outcomes).toHaveLength(CASES.length);
  expect(
    Object.fromEntries(
      failing
        .filter((outcome) => !(outcome.name in KNOWN_DIFFERENCES))
        .map((outcome) => [outcome.name, outcome.differences]),
    ),
  ).toEqual({});
  expect(failing.map((outcome) => outcome.name).sort()).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
  expect(failing.length).toBeLessThanOrEqual(Math.floor(CASES.length * 0.05));
}, 300_000);

test('the known difference is a clear refusal, not a wrong answer', async () => {
  const [refused] = CASES.filter((testCase) => testCase.name === 'context_object.input_path.$$');
  if (refused === undefined) throw new Error('the case is no longer in the file');
  await expect(
    sfn.send(
      new CreateStateMachineCommand({
        name: `refused-${Date.now()}`,
        definition: JSON.stringify(refused.definition),
        roleArn: ROLE_ARN,
      }),
    ),
  ).rejects.toMatchObject({
    name: 'InvalidDefinition',
    message: expect.stringContaining('InputPath $$, a whole Context Object') as unknown,
  });
});
