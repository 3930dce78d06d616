/**
 * EventBridge as AWS answers it: every case of `../shared/conformance/eventbridge-extra-cases.json`
 * (recorded against real AWS; its format and caveats are in `AWS-RECORDED-CASES.md` beside it), run on
 * the local cloud through its edge endpoint as a client would — the AWS SDK, a bus, rule and SQS queue of
 * the case's own — and compared as that document says.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type CreateEventBusCommandInput,
  type DeleteEventBusCommandInput,
  type DeleteRuleCommandInput,
  type DescribeEventBusCommandInput,
  type DescribeRuleCommandInput,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
  type PutRuleCommandInput,
  type PutTargetsCommandInput,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';
import { CONFORMANCE_DIR, differences, matchesPattern } from '../support/recorded-cases';

const CASES_FILE = path.join(CONFORMANCE_DIR, 'eventbridge-extra-cases.json');

/**
 * The cases the local cloud answers otherwise than the recording, and why it cannot match them. The test
 * asserts this list exactly: a case that starts passing must leave it, and no other case may fail.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'PutEvents.total_size_over_256KiB':
    'recorded in January 2025 under the 256 KB limit; AWS raised PutEvents to 1 MB on 29 January 2026, and ' +
    'the local cloud enforces the limit of today (the recorded error is asserted past 1 MiB below)',
};

/** How long a delivery may take to reach the case's queue. */
const DELIVERY_TIMEOUT_MS = 10_000;

const stepSchema = z.object({ action: z.string(), request: z.record(z.string(), z.unknown()) });
const caseSchema = z.object({
  name: z.string(),
  kind: z.enum(['putEvents', 'inputTransformer', 'api']),
  setup: z.array(stepSchema).default([]),
  action: z.string().default('PutEvents'),
  request: z.record(z.string(), z.unknown()),
  expected: z.record(z.string(), z.unknown()),
  ignore: z.array(z.string()).default([]),
});
const fileSchema = z.object({ meta: z.object({ count: z.number() }), cases: z.array(caseSchema) });
const expectedMessagesSchema = z.array(z.record(z.string(), z.unknown()));

type ConformanceCase = z.infer<typeof caseSchema>;
type Tree = Record<string, unknown>;

/** What a call answered: its status and output, or its status and error. */
type Answer =
  | { readonly httpStatus: number; readonly response: Tree }
  | { readonly httpStatus: number; readonly error: { readonly code: string; readonly message: string } };

const file = fileSchema.parse(JSON.parse(readFileSync(CASES_FILE, 'utf8')));
const cases = file.cases;
const run = randomUUID().slice(0, 8);
const outcomes = new Map<string, readonly string[]>();

let cloud: LocalCloud;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  // One attempt: the answer compared is the first one the edge gives.
  eventBridge = new EventBridgeClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  sqs = new SQSClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
}, 120_000);

afterAll(async () => {
  eventBridge?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

describe('EventBridge conformance on AWS-recorded cases', () => {
  it('reads all 53 recorded cases, each named once', () => {
    // Assess
    expect(cases).toHaveLength(file.meta.count);
    expect(cases).toHaveLength(53);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test.each(cases.map((c, index) => [c.name, c, index] as const))('%s', async (name, c, index) => {
    // Act
    const mismatches = await runCase(c, index).catch((error: unknown) => [
      `the case threw: ${String(error)}`,
    ]);
    outcomes.set(name, mismatches);

    // Assess
    if (name in KNOWN_DIFFERENCES) {
      // A known difference that passes must leave the list.
      expect(mismatches).not.toEqual([]);
    } else {
      expect(mismatches).toEqual([]);
    }
  });

  it('passes every case but the named known differences', () => {
    // Act
    const failing = [...outcomes].filter(([, mismatches]) => mismatches.length > 0).map(([name]) => name);
    console.log(`EventBridge conformance: ${cases.length - failing.length}/${cases.length} cases pass`);

    // Assess
    expect(outcomes.size).toBe(cases.length);
    expect(failing.sort()).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
  });

  it("answers the recorded size error once a request passes today's 1 MiB limit", async () => {
    // Prepare
    const detail = `{"payload": ["${'p'.repeat(1024 * 1024)}"]}`;
    const entry = { Source: 'core.update-account-command', DetailType: 'core.update-account-command' };

    // Act
    const within = await call('PutEvents', {
      Entries: [{ ...entry, Detail: detail.slice(0, 512 * 1024) + '"]}' }],
    });
    const over = await call('PutEvents', { Entries: [{ ...entry, Detail: detail }] });

    // Assess
    expect(within).toMatchObject({ httpStatus: 200, response: { FailedEntryCount: 0 } });
    expect(over).toEqual({
      httpStatus: 400,
      error: {
        code: 'ValidationException',
        message: 'Total size of the entries in the request is over the limit.',
      },
    });
  });
});

// ---- Running a case ---------------------------------------------------------------------------------

/** Runs the case and returns how the local cloud's answer differs from AWS's (nothing when it passes). */
async function runCase(c: ConformanceCase, index: number): Promise<string[]> {
  const resources = await CaseResources.create(c, index);
  for (const step of c.setup) {
    const answer = await call(step.action, resources.resolve(step.request));
    if ('error' in answer) {
      return [`setup ${step.action} failed: ${answer.error.code}: ${answer.error.message}`];
    }
  }
  const request = resources.resolve(c.request);
  const expected = c.expected;
  if ('delivered' in expected || 'deliveredByTarget' in expected) {
    return deliveryMismatches(c, expected, request, resources);
  }
  const answer = await call(c.action, request);
  return caseDifferences(expected, answer, c.ignore);
}

/** Puts the case's events, then compares what each target queue received. */
async function deliveryMismatches(
  c: ConformanceCase,
  expected: Tree,
  request: Tree,
  resources: CaseResources,
): Promise<string[]> {
  const answer = await call('PutEvents', request);
  if (!('response' in answer) || answer.response.FailedEntryCount !== 0) {
    return [`PutEvents did not accept the case's events: ${JSON.stringify(answer)}`];
  }
  const byQueue = Array.isArray(expected.delivered)
    ? { queue: expectedMessagesSchema.parse(expected.delivered) }
    : z.record(z.string(), expectedMessagesSchema).parse(expected.deliveredByTarget);
  const received: Record<string, Tree[]> = {};
  for (const [queue, messages] of Object.entries(byQueue)) {
    const queueUrl = resources.queueUrl(queue.replace(/^queue/, ''));
    const bodies =
      messages.length === 0
        ? await receivedBeforeSentinel(c, request, resources, queueUrl)
        : await receiveUntil(queueUrl, (all) => all.length >= messages.length);
    received[queue] = bodies.map((body, at) => messageAsRecorded(body, messages[at]));
  }
  const actual = Array.isArray(expected.delivered)
    ? { delivered: received.queue }
    : { deliveredByTarget: received };
  return caseDifferences(expected, actual, c.ignore);
}

/**
 * What the queue received of the case's event, which must be nothing: waiting for an absence has no
 * end, so a sentinel event is put after the case's, through the same rule and target, and waited for.
 * The local EventBridge shapes a target's input when the event is put and hands the target its events
 * in the order they were put; an SQS target enqueues at once. So when the sentinel has arrived, the
 * case's event has arrived before it or will never arrive; a last receive takes whatever the receive
 * that brought the sentinel left behind. Only the sentinel may be there.
 */
async function receivedBeforeSentinel(
  c: ConformanceCase,
  request: Tree,
  resources: CaseResources,
  queueUrl: string,
): Promise<string[]> {
  const marker = `sentinel-${randomUUID()}`;
  const sentinel = await call('PutEvents', { Entries: [sentinelEntry(c, request, resources, marker)] });
  if (!('response' in sentinel) || sentinel.response.FailedEntryCount !== 0) {
    throw new Error(`the sentinel event was not accepted: ${JSON.stringify(sentinel)}`);
  }
  const bodies = await receiveUntil(queueUrl, (all) => all.some((body) => body.includes(marker)));
  bodies.push(...(await receiveOnce(queueUrl)));
  return bodies.filter((body) => !body.includes(marker));
}

/**
 * The case's entry with every top-level detail member the rule's pattern does not name replaced by
 * `marker`: it matches the same rule, fills the target's template with plain strings, and shows in the
 * body the target receives.
 */
function sentinelEntry(c: ConformanceCase, request: Tree, resources: CaseResources, marker: string): Tree {
  const entries = z.array(z.record(z.string(), z.unknown())).length(1).parse(request.Entries);
  const putRule = c.setup.find((step) => step.action === 'PutRule');
  const pattern = z
    .object({ detail: z.record(z.string(), z.unknown()).default({}) })
    .parse(JSON.parse(z.string().parse(resources.resolve(putRule?.request ?? {}).EventPattern)));
  const entry = entries[0] ?? {};
  const detail = z.record(z.string(), z.unknown()).parse(JSON.parse(z.string().parse(entry.Detail)));
  const sentinelDetail = Object.fromEntries(
    Object.entries(detail).map(([key, value]) => [key, key in pattern.detail ? value : marker]),
  );
  return { ...entry, Detail: JSON.stringify(sentinelDetail) };
}

/** A received body in the form the recorded message gives: raw, and parsed where it is compared parsed. */
function messageAsRecorded(body: string, recorded: Tree | undefined): Tree {
  if (recorded === undefined || !('bodyJson' in recorded)) return { body };
  try {
    return { body, bodyJson: JSON.parse(body) as unknown };
  } catch {
    return { body, bodyJson: `<not JSON: ${body}>` };
  }
}

// ---- The case's resources -----------------------------------------------------------------------------

/** Fresh names and SQS queues for the `{{placeholders}}` of one case, unique to this run. */
class CaseResources {
  private constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly queues: ReadonlyMap<string, TargetQueue>,
  ) {}

  static async create(c: ConformanceCase, index: number): Promise<CaseResources> {
    const names = new Set(
      stringsIn([c.setup, c.request]).flatMap((text) =>
        [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''),
      ),
    );
    const prefix = `conformance-${run}-${index}`;
    const values = new Map<string, string>();
    const queues = new Map<string, TargetQueue>();
    for (const name of names) {
      const queue = /^queue(?:Arn|Url)(\d*)$/.exec(name);
      const longId = /^(\d+)\+ char id/.exec(name);
      if (queue) {
        const suffix = queue[1] ?? '';
        const created = queues.get(suffix) ?? (await createTargetQueue(`${prefix}-queue${suffix}`));
        queues.set(suffix, created);
        values.set(`queueArn${suffix}`, created.arn);
        values.set(`queueUrl${suffix}`, created.url);
      } else if (longId) {
        // Two UUIDs and a suffix, as the case suggests: 79 characters.
        const id = `${randomUUID()}-${randomUUID()}-extra`;
        if (id.length < Number(longId[1])) throw new Error(`${id} is shorter than {{${name}}} asks`);
        values.set(name, id);
      } else {
        const value = {
          eventBusName: `${prefix}-bus`,
          nonexistentBusName: `${prefix}-missing-bus`,
          ruleName: `${prefix}-rule`,
          targetId: `${prefix}-target`,
          targetId1: `${prefix}-target1`,
          targetId2: `${prefix}-target2`,
        }[name];
        if (value === undefined) throw new Error(`the case uses an unknown placeholder {{${name}}}`);
        values.set(name, value);
      }
    }
    return new CaseResources(values, queues);
  }

  /** The request with its placeholders filled and its `$concat` / `$repeat` strings built. */
  resolve(request: Tree): Tree {
    return z.record(z.string(), z.unknown()).parse(this.resolveValue(request));
  }

  queueUrl(suffix: string): string {
    const queue = this.queues.get(suffix);
    if (queue === undefined) throw new Error(`the case has no queue${suffix}`);
    return queue.url;
  }

  private resolveValue(value: unknown): unknown {
    if (typeof value === 'string') {
      return value.replace(PLACEHOLDER, (_whole, name: string) => {
        const filled = this.values.get(name);
        if (filled === undefined) throw new Error(`no value for {{${name}}}`);
        return filled;
      });
    }
    if (Array.isArray(value)) return value.map((item: unknown) => this.resolveValue(item));
    if (!isTree(value)) return value;
    if ('$concat' in value) {
      return z
        .array(z.unknown())
        .parse(value.$concat)
        .map((part) => z.string().parse(this.resolveValue(part)))
        .join('');
    }
    if ('$repeat' in value) {
      return z.string().parse(value.$repeat).repeat(z.number().parse(value.count));
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolveValue(item)]));
  }
}

const PLACEHOLDER = /\{\{([^{}]+)\}\}/g;

interface TargetQueue {
  readonly url: string;
  readonly arn: string;
}

/** Every string of a request, its keys' values at any depth. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item: unknown) => stringsIn(item));
  return isTree(value) ? Object.values(value).flatMap(stringsIn) : [];
}

/** A queue whose policy lets EventBridge send to it, as the recorded tests set theirs up. */
async function createTargetQueue(name: string): Promise<TargetQueue> {
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (url === undefined) throw new Error(`CreateQueue ${name} gave no QueueUrl`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${name} has no QueueArn`);
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: arn,
      },
    ],
  };
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }),
  );
  return { url, arn };
}

/** Receives (and deletes) what the queue holds until `enough` holds, or fails at the deadline. */
async function receiveUntil(
  queueUrl: string,
  enough: (bodies: readonly string[]) => boolean,
): Promise<string[]> {
  const bodies: string[] = [];
  return eventually(
    async () => {
      bodies.push(...(await receiveOnce(queueUrl)));
      return enough(bodies) ? bodies : undefined;
    },
    { timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 20, what: `the deliveries to ${queueUrl}` },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; received ${JSON.stringify(bodies)}`);
  });
}

async function receiveOnce(queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, at) => ({ Id: String(at), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return Messages.map((message) => message.Body ?? '');
}

// ---- Calls through the edge -----------------------------------------------------------------------------

/**
 * Sends one EventBridge call with the SDK. The SDK hides no status: `$metadata.httpStatusCode` is the
 * edge's, on an answer and on an error alike; the error's `name` is the code of the body's `__type`.
 */
async function call(action: string, request: Tree): Promise<Answer> {
  try {
    const { $metadata, ...response } = await send(action, request);
    return { httpStatus: $metadata.httpStatusCode ?? 0, response: plain(response) };
  } catch (error) {
    if (!(error instanceof EventBridgeServiceException)) throw error;
    return {
      httpStatus: error.$metadata.httpStatusCode ?? 0,
      error: { code: error.name, message: error.message },
    };
  }
}

function send(action: string, request: Tree): Promise<{ readonly $metadata: { httpStatusCode?: number } }> {
  switch (action) {
    case 'PutEvents':
      return eventBridge.send(new PutEventsCommand(putEventsInput(request)));
    case 'CreateEventBus':
      return eventBridge.send(new CreateEventBusCommand(asInput<CreateEventBusCommandInput>(request)));
    case 'DeleteEventBus':
      return eventBridge.send(new DeleteEventBusCommand(asInput<DeleteEventBusCommandInput>(request)));
    case 'DescribeEventBus':
      return eventBridge.send(new DescribeEventBusCommand(asInput<DescribeEventBusCommandInput>(request)));
    case 'PutRule':
      return eventBridge.send(new PutRuleCommand(asInput<PutRuleCommandInput>(request)));
    case 'DeleteRule':
      return eventBridge.send(new DeleteRuleCommand(asInput<DeleteRuleCommandInput>(request)));
    case 'DescribeRule':
      return eventBridge.send(new DescribeRuleCommand(asInput<DescribeRuleCommandInput>(request)));
    case 'PutTargets':
      return eventBridge.send(new PutTargetsCommand(asInput<PutTargetsCommandInput>(request)));
    default:
      throw new Error(`the suite does not send ${action}`);
  }
}

/** The recorded `Time` is what boto3 sent on the wire (epoch seconds); the SDK takes it as a `Date`. */
function putEventsInput(request: Tree): PutEventsCommandInput {
  const entries = z.array(z.record(z.string(), z.unknown())).parse(request.Entries);
  return {
    ...asInput<PutEventsCommandInput>(request),
    Entries: entries.map((entry) => ({
      ...asInput<PutEventsRequestEntry>(entry),
      ...(typeof entry.Time === 'number' ? { Time: new Date(entry.Time * 1000) } : {}),
    })),
  };
}

/** The recorded requests name their members as the API does, which is how the SDK's inputs name them. */
function asInput<T>(request: Tree): T {
  return request as unknown as T;
}

/** The SDK's output as JSON holds it: members it left `undefined` are absent. */
function plain(output: object): Tree {
  return z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(output)));
}

// ---- Comparing as AWS-RECORDED-CASES.md says ---------------------------------------------------------------

/** Members whose recorded value is compared whole; the members around them only hold such members. */
const COMPARED_WHOLE = new Set(['httpStatus', 'response', 'code', 'message', 'body', 'bodyJson']);

/**
 * How `actual` differs from the recorded `expected`: values deep-equal (`differences`), the masked
 * `ignore` paths skipped but required present, `…Pattern` members matched as regexes against the raw
 * member they name, `…Masked` members (the masked originals) left out.
 */
function caseDifferences(expected: Tree, actual: object, ignore: readonly string[]): string[] {
  const found = plain(actual);
  // The file writes `delivered[0].bodyJson.id`; the comparison walks `delivered.0.bodyJson.id`.
  const masked = ignore.map((at) => at.replace(/\[(\d+)\]/g, '.$1'));
  const absent = masked.filter(
    (at) => valueAt(expected, at) !== undefined && valueAt(found, at) === undefined,
  );
  return [
    ...absent.map((at) => `${at}: AWS recorded a (masked) value, the local cloud none`),
    ...formDifferences(expected, found, masked, ''),
  ];
}

function formDifferences(
  expected: unknown,
  actual: unknown,
  masked: readonly string[],
  at: string,
): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${at}: expected ${expected.length} item(s), got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((item: unknown, i) => formDifferences(item, actual[i], masked, `${at}.${i}`));
  }
  if (!isTree(expected)) return differences(expected, actual, masked, at);
  if (!isTree(actual)) return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  return Object.entries(expected).flatMap(([key, value]) => {
    const where = at === '' ? key : `${at}.${key}`;
    if (key.endsWith('Masked')) return [];
    if (key.endsWith('Pattern')) {
      const member = key.slice(0, -'Pattern'.length);
      const text = actual[member];
      return matchesPattern(z.string().parse(value), typeof text === 'string' ? text : undefined)
        ? []
        : [`${where}: ${JSON.stringify(text)} does not match /${String(value)}/`];
    }
    return COMPARED_WHOLE.has(key)
      ? differences(value, actual[key], masked, where)
      : formDifferences(value, actual[key], masked, where);
  });
}

/** The value at a dot path (`delivered.0.bodyJson.id`), `undefined` when the path leads nowhere. */
function valueAt(root: Tree, at: string): unknown {
  return at
    .split('.')
    .reduce<unknown>(
      (node, step) => (isTree(node) || Array.isArray(node) ? (node as Tree)[step] : undefined),
      root,
    );
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
