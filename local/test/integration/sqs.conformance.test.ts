/**
 * The local SQS against AWS-recorded answers (`../shared/conformance/sqs-cases.json`, beside the repository;
 * its format is in AWS-RECORDED-CASES.md there). Every case runs through the local cloud's edge endpoint
 * twice, as clients send it: as a raw AWS JSON 1.0 request, checked on the wire (status, `__type`,
 * `message`, `x-amzn-query-error`), and through `@aws-sdk/client-sqs`, checked as the SDK reports it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as sqsSdk from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  TagQueueCommand,
  UntagQueueCommand,
  type ChangeMessageVisibilityBatchCommandInput,
  type ChangeMessageVisibilityCommandInput,
  type CreateQueueCommandInput,
  type DeleteMessageBatchCommandInput,
  type DeleteMessageCommandInput,
  type DeleteQueueCommandInput,
  type GetQueueAttributesCommandInput,
  type GetQueueUrlCommandInput,
  type ListQueueTagsCommandInput,
  type PurgeQueueCommandInput,
  type ReceiveMessageCommandInput,
  type SendMessageBatchCommandInput,
  type SendMessageCommandInput,
  type SetQueueAttributesCommandInput,
  type TagQueueCommandInput,
  type UntagQueueCommandInput,
} from '@aws-sdk/client-sqs';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';
import { sendRaw } from '../support/raw-http';
import { CONFORMANCE_DIR, differences, matchesPattern } from '../support/recorded-cases';

/** Beside the repository (`../shared/conformance/`), never copied into it. */
const CASES_FILE = path.join(CONFORMANCE_DIR, 'sqs-cases.json');
const CASE_COUNT = 71;

/**
 * Cases the local SQS answers differently from AWS on purpose, each with the reason it cannot match.
 * The suite fails if one of them starts passing, or if any other case fails.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

// ---------------------------------------------------------------------------------------------------
// The cases

type Json = Record<string, unknown>;

interface ActionStep {
  readonly action: string;
  readonly request: Json;
  /** `queueUrl`, or `<variable> (<path in the response>)`. */
  readonly saveAs?: string;
  /** `success`, or `success (same QueueUrl)`. */
  readonly expect?: string;
}

/** A setup step described only in words: the suite carries out what it says (see NOTE_STEPS). */
interface NoteStep {
  readonly note: string;
}

type SetupStep = ActionStep | NoteStep;

type Expectation =
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code: string;
      readonly type: string;
      readonly jsonType: string;
      /** The recorded message, or a pattern where the recording masked part of it. */
      readonly message: { readonly exact: string } | { readonly pattern: string };
    }
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly response: unknown;
      /** The recording kept only `Messages[0]` of the ReceiveMessage answer. */
      readonly firstMessageOnly: boolean;
    }
  | { readonly kind: 'codeOrMessageContains'; readonly text: string }
  | { readonly kind: 'codeContains'; readonly text: string; readonly statuses: readonly number[] }
  | { readonly kind: 'codeAndMessageTemplate'; readonly code: string; readonly template: string }
  | {
      readonly kind: 'partialBatch';
      readonly failed: readonly Json[];
      readonly successfulCount: number;
    };

interface SqsCase {
  readonly index: number;
  readonly name: string;
  readonly action: string;
  readonly setup: readonly SetupStep[];
  readonly request: Json;
  readonly expectation: Expectation;
  /** The masked paths, as the shared `differences` spells them (`response.Messages.0.MessageId`). */
  readonly ignore: readonly string[];
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(record: Json, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new Error(`${where}: ${key} is not a string`);
  return value;
}

function record(parent: Json, key: string, where: string): Json {
  const value = parent[key];
  if (!isRecord(value)) throw new Error(`${where}: ${key} is not an object`);
  return value;
}

function toExpectation(expected: Json, where: string): Expectation {
  const status = typeof expected.httpStatus === 'number' ? expected.httpStatus : 200;
  if ('response' in expected) {
    const response = expected.response;
    return {
      kind: 'response',
      status,
      response,
      firstMessageOnly: isRecord(response) && 'Body' in response && !('Messages' in response),
    };
  }
  if (isRecord(expected.responsePartial)) {
    const partial = expected.responsePartial;
    const failed = Array.isArray(partial.Failed) ? partial.Failed.filter(isRecord) : [];
    const successfulCount = partial.SuccessfulCount;
    if (typeof successfulCount !== 'number') throw new Error(`${where}: no SuccessfulCount`);
    return { kind: 'partialBatch', failed, successfulCount };
  }
  const error = record(expected, 'error', where);
  if (typeof error.codeOrMessageContains === 'string') {
    return { kind: 'codeOrMessageContains', text: error.codeOrMessageContains };
  }
  if (typeof error.codeContains === 'string') {
    const statuses = Array.isArray(error.httpStatusIn)
      ? error.httpStatusIn.filter((value): value is number => typeof value === 'number')
      : [];
    return { kind: 'codeContains', text: error.codeContains, statuses };
  }
  if (typeof error.messageTemplate === 'string') {
    return {
      kind: 'codeAndMessageTemplate',
      code: text(error, 'code', where),
      template: error.messageTemplate,
    };
  }
  return {
    kind: 'error',
    status,
    code: text(error, 'code', where),
    type: text(error, 'type', where),
    jsonType: text(error, 'jsonType', where),
    message:
      typeof error.messagePattern === 'string'
        ? { pattern: error.messagePattern }
        : { exact: text(error, 'message', where) },
  };
}

function toSetupStep(step: unknown, where: string): SetupStep {
  if (!isRecord(step)) throw new Error(`${where}: a setup step is not an object`);
  if (typeof step.note === 'string' && step.action === undefined) return { note: step.note };
  return {
    action: text(step, 'action', where),
    request: record(step, 'request', where),
    ...(typeof step.saveAs === 'string' ? { saveAs: step.saveAs } : {}),
    ...(typeof step.expect === 'string' ? { expect: step.expect } : {}),
  };
}

function toCase(entry: unknown, index: number): SqsCase {
  if (!isRecord(entry)) throw new Error(`case ${index} is not an object`);
  const name = text(entry, 'name', `case ${index}`);
  const setup = Array.isArray(entry.setup) ? entry.setup : [];
  const ignore = Array.isArray(entry.ignore)
    ? entry.ignore.filter((p): p is string => typeof p === 'string')
    : [];
  return {
    index,
    name,
    action: text(entry, 'action', name),
    setup: setup.map((step) => toSetupStep(step, name)),
    request: record(entry, 'request', name),
    expectation: toExpectation(record(entry, 'expected', name), name),
    ignore: ignore.map((location) => location.replace(/\[(\d+)\]/g, '.$1')),
  };
}

function loadCases(): SqsCase[] {
  const parsed: unknown = JSON.parse(readFileSync(CASES_FILE, 'utf8'));
  if (!isRecord(parsed) || !Array.isArray(parsed.cases)) throw new Error('sqs-cases.json has no cases');
  return parsed.cases.map(toCase);
}

// ---------------------------------------------------------------------------------------------------
// Two clients: raw JSON 1.0 requests and the SDK

/** What came back, in the JSON view both clients share (binary values as base64). */
type Outcome =
  | { readonly ok: true; readonly status: number; readonly body: Json }
  | { readonly ok: false; readonly status: number; readonly error: ErrorView };

interface ErrorView {
  /** The query-compatible code: `x-amzn-query-error`'s first part, the SDK's `Code`. */
  readonly code: string | undefined;
  /** `Sender` or `Receiver`: the header's second part, the SDK's `Type`. */
  readonly type: string | undefined;
  /** The raw `__type` after its `#`, or the SDK error's `name`. */
  readonly name: string;
  readonly message: string;
}

interface Client {
  readonly label: 'raw JSON' | 'SDK';
  readonly tag: 'raw' | 'sdk';
  call(action: string, request: Json): Promise<Outcome>;
  /** What this client names an error AWS answered with `jsonType` and query code `code`. */
  errorName(jsonType: string, code: string): string;
  /** How a binary value travels in a request from this client. */
  binary(base64: string): unknown;
}

let cloud: LocalCloud;
let sdk: SQSClient;

const rawClient: Client = {
  label: 'raw JSON',
  tag: 'raw',
  async call(action, request) {
    const reply = await sendRaw({
      port: Number(new URL(cloud.edgeUrl).port),
      method: 'POST',
      path: '/',
      headers: {
        'x-amz-target': `AmazonSQS.${action}`,
        'content-type': 'application/x-amz-json-1.0',
      },
      body: JSON.stringify(request),
    });
    const body: unknown = reply.text === '' ? {} : JSON.parse(reply.text);
    if (!isRecord(body)) throw new Error(`${action} answered a body that is not an object: ${reply.text}`);
    if (reply.status < 300) return { ok: true, status: reply.status, body };
    const header = reply.headers['x-amzn-query-error'];
    const [code, type] = typeof header === 'string' ? header.split(';') : [];
    const errorType = typeof body.__type === 'string' ? body.__type : '';
    return {
      ok: false,
      status: reply.status,
      error: {
        code,
        type,
        name: errorType.slice(errorType.indexOf('#') + 1),
        message: typeof body.message === 'string' ? body.message : '',
      },
    };
  },
  errorName: (jsonType) => jsonType,
  binary: (base64) => base64,
};

type SdkCall = (input: Json) => Promise<object>;

/** The SDK commands the cases use; the case's request is the command's input (same member names). */
const SDK_CALLS: Readonly<Record<string, SdkCall>> = {
  CreateQueue: (input) => sdk.send(new CreateQueueCommand(input as unknown as CreateQueueCommandInput)),
  GetQueueUrl: (input) => sdk.send(new GetQueueUrlCommand(input as unknown as GetQueueUrlCommandInput)),
  DeleteQueue: (input) => sdk.send(new DeleteQueueCommand(input as unknown as DeleteQueueCommandInput)),
  GetQueueAttributes: (input) =>
    sdk.send(new GetQueueAttributesCommand(input as unknown as GetQueueAttributesCommandInput)),
  SetQueueAttributes: (input) =>
    sdk.send(new SetQueueAttributesCommand(input as unknown as SetQueueAttributesCommandInput)),
  PurgeQueue: (input) => sdk.send(new PurgeQueueCommand(input as unknown as PurgeQueueCommandInput)),
  SendMessage: (input) => sdk.send(new SendMessageCommand(input as unknown as SendMessageCommandInput)),
  SendMessageBatch: (input) =>
    sdk.send(new SendMessageBatchCommand(input as unknown as SendMessageBatchCommandInput)),
  ReceiveMessage: (input) =>
    sdk.send(new ReceiveMessageCommand(input as unknown as ReceiveMessageCommandInput)),
  DeleteMessage: (input) => sdk.send(new DeleteMessageCommand(input as unknown as DeleteMessageCommandInput)),
  DeleteMessageBatch: (input) =>
    sdk.send(new DeleteMessageBatchCommand(input as unknown as DeleteMessageBatchCommandInput)),
  ChangeMessageVisibility: (input) =>
    sdk.send(new ChangeMessageVisibilityCommand(input as unknown as ChangeMessageVisibilityCommandInput)),
  ChangeMessageVisibilityBatch: (input) =>
    sdk.send(
      new ChangeMessageVisibilityBatchCommand(input as unknown as ChangeMessageVisibilityBatchCommandInput),
    ),
  TagQueue: (input) => sdk.send(new TagQueueCommand(input as unknown as TagQueueCommandInput)),
  UntagQueue: (input) => sdk.send(new UntagQueueCommand(input as unknown as UntagQueueCommandInput)),
  ListQueueTags: (input) => sdk.send(new ListQueueTagsCommand(input as unknown as ListQueueTagsCommandInput)),
};

/** The SDK's output as JSON: no `$metadata`, no undefined members, binary values as base64. */
function sdkOutputAsJson(output: object): Json {
  const json: unknown = JSON.parse(
    JSON.stringify(output, (key, value: unknown) => {
      if (key === '$metadata') return undefined;
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    }),
  );
  if (!isRecord(json)) throw new Error('the SDK returned an output that is not an object');
  return json;
}

function stringField(error: object, key: string): string | undefined {
  const value: unknown = Reflect.get(error, key);
  return typeof value === 'string' ? value : undefined;
}

const sdkClient: Client = {
  label: 'SDK',
  tag: 'sdk',
  async call(action, request) {
    const call = SDK_CALLS[action];
    if (!call) throw new Error(`no SDK command for ${action}`);
    try {
      const output = await call(request);
      return { ok: true, status: 200, body: sdkOutputAsJson(output) };
    } catch (error) {
      if (!(error instanceof SQSServiceException)) throw error;
      return {
        ok: false,
        status: error.$metadata.httpStatusCode ?? 0,
        error: {
          code: stringField(error, 'Code'),
          type: stringField(error, 'Type'),
          name: error.name,
          message: error.message,
        },
      };
    }
  },
  // The SDK names an error by its modelled class, found through the query code; an error SQS does not
  // model (InvalidParameterValue, MissingParameter) keeps the query code as its name.
  errorName(jsonType, code) {
    const modelled: unknown = Reflect.get(sqsSdk, jsonType);
    return typeof modelled === 'function' && modelled.prototype instanceof SQSServiceException
      ? jsonType
      : code;
  },
  binary: (base64) => Uint8Array.from(Buffer.from(base64, 'base64')),
};

// ---------------------------------------------------------------------------------------------------
// Running a case

/** Queue names unique to this run, so that a case never meets a queue of an earlier one. */
const RUN_ID = Date.now().toString(36);

type Variables = Map<string, string>;

function fill(template: string, variables: Variables): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = variables.get(name);
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return value;
  });
}

/** The case's value as a client sends it: templates filled, `$repeat` and `$base64` expanded. */
function materialize(
  value: unknown,
  variables: Variables | undefined,
  binary: (base64: string) => unknown,
): unknown {
  if (typeof value === 'string') return variables ? fill(value, variables) : value;
  if (Array.isArray(value)) return value.map((item) => materialize(item, variables, binary));
  if (!isRecord(value)) return value;
  if (typeof value.$repeat === 'string' && typeof value.count === 'number')
    return value.$repeat.repeat(value.count);
  if (typeof value.$base64 === 'string') return binary(value.$base64);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, materialize(item, variables, binary)]),
  );
}

function requestOf(value: Json, variables: Variables, client: Client): Json {
  const materialized = materialize(value, variables, (base64) => client.binary(base64));
  if (!isRecord(materialized)) throw new Error('a request is not an object');
  return materialized;
}

function at(value: unknown, location: string): unknown {
  let current = value;
  for (const part of location.split(/[.[\]]/).filter((segment) => segment !== '')) {
    current = Array.isArray(current) ? current[Number(part)] : isRecord(current) ? current[part] : undefined;
  }
  return current;
}

function summarize(outcome: Outcome): string {
  return outcome.ok
    ? `${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}`
    : `${outcome.status} ${outcome.error.name} (${outcome.error.code};${outcome.error.type}): ${outcome.error.message.slice(0, 300)}`;
}

interface Run {
  readonly client: Client;
  readonly queueUrl: () => string;
  readonly variables: Variables;
}

/** Calls `action`; a failure is a broken setup, not a difference from AWS. */
async function succeed(run: Run, action: string, request: Json): Promise<Json> {
  const outcome = await run.client.call(action, request);
  if (!outcome.ok) throw new Error(`setup ${action} failed: ${summarize(outcome)}`);
  return outcome.body;
}

/** The steps described in words, carried out as they say. */
const NOTE_STEPS: Readonly<Record<string, (run: Run) => Promise<void>>> = {
  'send 20 messages (2 x SendMessageBatch of 10) and receive all 20 to obtain receipt handles': async (
    run,
  ) => {
    for (const batch of [0, 1]) {
      const entries = Array.from({ length: 10 }, (_, i) => ({
        Id: `m${batch * 10 + i}`,
        MessageBody: `message-${batch * 10 + i}`,
      }));
      await succeed(run, 'SendMessageBatch', { QueueUrl: run.queueUrl(), Entries: entries });
    }
    const handles: string[] = [];
    await eventually(
      async () => {
        const body = await succeed(run, 'ReceiveMessage', {
          QueueUrl: run.queueUrl(),
          MaxNumberOfMessages: 10,
        });
        const messages = Array.isArray(body.Messages) ? body.Messages.filter(isRecord) : [];
        for (const message of messages) handles.push(text(message, 'ReceiptHandle', 'ReceiveMessage'));
        return handles.length >= 20 ? true : undefined;
      },
      { what: 'all 20 messages received' },
    );
    handles.forEach((handle, i) => run.variables.set(`receiptHandle${i}`, handle));
  },
  // Waited for by watching the message become visible again, not by sleeping.
  'sleep 1 second (visibility timeout expires)': async (run) => {
    await eventually(
      async () => {
        const body = await succeed(run, 'GetQueueAttributes', {
          QueueUrl: run.queueUrl(),
          AttributeNames: ['ApproximateNumberOfMessages'],
        });
        return at(body, 'Attributes.ApproximateNumberOfMessages') === '1' ? true : undefined;
      },
      { what: 'the visibility timeout to expire' },
    );
  },
};

async function runSetupStep(run: Run, step: SetupStep): Promise<void> {
  if ('note' in step) {
    const carryOut = NOTE_STEPS[step.note];
    if (!carryOut) throw new Error(`no setup implements the note "${step.note}"`);
    await carryOut(run);
    return;
  }
  const body = await succeed(run, step.action, requestOf(step.request, run.variables, run.client));
  if (step.saveAs !== undefined) {
    const [, variable, location] = /^(\w+)(?: \((.+)\))?$/.exec(step.saveAs) ?? [];
    if (!variable) throw new Error(`cannot read saveAs "${step.saveAs}"`);
    const value = at(body, location ?? (variable === 'queueUrl' ? 'QueueUrl' : variable));
    if (typeof value !== 'string') throw new Error(`setup ${step.action} returned no ${step.saveAs}`);
    run.variables.set(variable, value);
  }
  if (step.expect?.includes('same QueueUrl') && body.QueueUrl !== run.variables.get('queueUrl')) {
    throw new Error(`setup ${step.action} returned another QueueUrl: ${String(body.QueueUrl)}`);
  }
}

function errorOf(outcome: Outcome): ErrorView | string {
  return outcome.ok ? `expected an error, got ${summarize(outcome)}` : outcome.error;
}

async function check(sqsCase: SqsCase, run: Run, request: Json, outcome: Outcome): Promise<string[]> {
  const expectation = sqsCase.expectation;
  switch (expectation.kind) {
    case 'response': {
      if (!outcome.ok) return [`expected ${expectation.status}, got ${summarize(outcome)}`];
      const statusMismatch = outcome.status === expectation.status ? [] : [`status ${outcome.status}`];
      const actual = expectation.firstMessageOnly ? at(outcome.body, 'Messages[0]') : outcome.body;
      const expected = materialize(expectation.response, undefined, (base64) => base64);
      return [...statusMismatch, ...differences(expected, actual, sqsCase.ignore, 'response')];
    }
    case 'error': {
      const error = errorOf(outcome);
      if (typeof error === 'string') return [error];
      const name = run.client.errorName(expectation.jsonType, expectation.code);
      const message = expectation.message;
      const messageMatches =
        'exact' in message ? error.message === message.exact : matchesPattern(message.pattern, error.message);
      return [
        ...(outcome.status === expectation.status
          ? []
          : [`status: expected ${expectation.status}, got ${outcome.status}`]),
        ...(error.name === name ? [] : [`error name: expected ${name}, got ${error.name}`]),
        ...(error.code === expectation.code ? [] : [`code: expected ${expectation.code}, got ${error.code}`]),
        ...(error.type === expectation.type ? [] : [`type: expected ${expectation.type}, got ${error.type}`]),
        ...(messageMatches
          ? []
          : [`message: expected ${JSON.stringify(message)}, got ${JSON.stringify(error.message)}`]),
      ];
    }
    case 'codeOrMessageContains': {
      const error = errorOf(outcome);
      if (typeof error === 'string') return [error];
      const found = [error.code ?? '', error.name, error.message].some((part) =>
        part.includes(expectation.text),
      );
      return found ? [] : [`expected ${expectation.text} in the error, got ${summarize(outcome)}`];
    }
    case 'codeContains': {
      const error = errorOf(outcome);
      if (typeof error === 'string') return [error];
      return [
        ...(expectation.statuses.includes(outcome.status) ? [] : [`status ${outcome.status}`]),
        ...([error.code ?? '', error.name].some((part) => part.includes(expectation.text))
          ? []
          : [`expected a code containing ${expectation.text}, got ${summarize(outcome)}`]),
      ];
    }
    case 'codeAndMessageTemplate': {
      const error = errorOf(outcome);
      if (typeof error === 'string') return [error];
      const message = fill(expectation.template, run.variables);
      return [
        ...(error.code === expectation.code ? [] : [`code: expected ${expectation.code}, got ${error.code}`]),
        ...(error.message === message ? [] : [`message: expected ${message}, got ${error.message}`]),
      ];
    }
    case 'partialBatch':
      return checkPartialBatch(expectation, run, request, outcome);
  }
}

/** A batch with some entries failed: the failures as asserted, and the other messages received afterwards. */
async function checkPartialBatch(
  expectation: Extract<Expectation, { kind: 'partialBatch' }>,
  run: Run,
  request: Json,
  outcome: Outcome,
): Promise<string[]> {
  if (!outcome.ok) return [`expected a partial success, got ${summarize(outcome)}`];
  const failed = Array.isArray(outcome.body.Failed) ? outcome.body.Failed.filter(isRecord) : [];
  const successful = Array.isArray(outcome.body.Successful) ? outcome.body.Successful : [];
  const mismatches = [
    ...(failed.length === expectation.failed.length ? [] : [`Failed: ${JSON.stringify(failed)}`]),
    ...expectation.failed.flatMap((entry, i) =>
      Object.entries(entry).flatMap(([key, value]) =>
        failed[i]?.[key] === value
          ? []
          : [`Failed[${i}].${key}: expected ${String(value)}, got ${String(failed[i]?.[key])}`],
      ),
    ),
    ...(successful.length === expectation.successfulCount ? [] : [`${successful.length} successful entries`]),
  ];
  const failedIds = new Set(failed.map((entry) => entry.Id));
  const entries = Array.isArray(request.Entries) ? request.Entries.filter(isRecord) : [];
  const expectedBodies = entries
    .filter((entry) => !failedIds.has(entry.Id))
    .map((entry) => entry.MessageBody);
  const bodies: unknown[] = [];
  await eventually(
    async () => {
      const body = await succeed(run, 'ReceiveMessage', {
        QueueUrl: run.queueUrl(),
        MaxNumberOfMessages: 10,
      });
      const messages = Array.isArray(body.Messages) ? body.Messages.filter(isRecord) : [];
      bodies.push(...messages.map((message) => message.Body));
      return bodies.length >= expectedBodies.length ? true : undefined;
    },
    { what: 'the messages of the successful entries' },
  );
  const sorted = (values: unknown[]) => values.map(String).sort();
  return [...mismatches, ...differences(sorted(expectedBodies), sorted(bodies), [], 'received bodies')];
}

/** Runs the case on a queue of its own; returns where the answer differs from AWS's (none: it passes). */
async function runCase(sqsCase: SqsCase, client: Client): Promise<string[]> {
  const variables: Variables = new Map([
    ['queueName', `conformance-${RUN_ID}-${sqsCase.index}-${client.tag}`],
  ]);
  const run: Run = {
    client,
    variables,
    queueUrl: () => {
      const url = variables.get('queueUrl');
      if (url === undefined) throw new Error('no queue was created yet');
      return url;
    },
  };
  try {
    for (const step of sqsCase.setup) await runSetupStep(run, step);
  } catch (error) {
    return [`setup: ${error instanceof Error ? error.message : String(error)}`];
  }
  const request = requestOf(sqsCase.request, variables, client);
  const outcome = await client.call(sqsCase.action, request);
  return check(sqsCase, run, request, outcome);
}

// ---------------------------------------------------------------------------------------------------
// The suite

const cases = loadCases();
const clients = [rawClient, sdkClient];
const results = new Map<string, Map<Client['label'], readonly string[]>>();

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  // One attempt, as the raw client makes: an answer is AWS's or not, never a retry's.
  sdk = new SQSClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
}, 120_000);

afterAll(async () => {
  sdk?.destroy();
  await cloud?.stop();
});

it(`holds all ${CASE_COUNT} AWS-recorded cases, each named once`, () => {
  // Assess
  expect(cases).toHaveLength(CASE_COUNT);
  expect(new Set(cases.map((c) => c.name)).size).toBe(CASE_COUNT);
  expect(Object.keys(KNOWN_DIFFERENCES).filter((name) => !cases.some((c) => c.name === name))).toEqual([]);
});

describe.each(clients)('SQS conformance over $label', (client) => {
  test.each(cases)('$name', async (sqsCase) => {
    // Act
    const mismatches = await runCase(sqsCase, client);

    // Assess
    const byClient = results.get(sqsCase.name) ?? new Map<Client['label'], readonly string[]>();
    byClient.set(client.label, mismatches);
    results.set(sqsCase.name, byClient);
    if (sqsCase.name in KNOWN_DIFFERENCES) expect(mismatches).not.toEqual([]);
    else expect(mismatches).toEqual([]);
  });
});

it('passes every case but the named known differences, through both clients', () => {
  // Prepare
  const passes = (name: string, label?: Client['label']): boolean =>
    clients
      .filter((client) => label === undefined || client.label === label)
      .every((client) => results.get(name)?.get(client.label)?.length === 0);
  const ran = cases.filter((c) => clients.every((client) => results.get(c.name)?.has(client.label)));

  // Act
  const passing = ran.filter((c) => passes(c.name));
  const failing = ran.filter((c) => !passes(c.name)).map((c) => c.name);
  const perClient = clients
    .map(
      (client) => `${client.label} ${ran.filter((c) => passes(c.name, client.label)).length}/${ran.length}`,
    )
    .join(', ');
  console.log(
    `SQS conformance: ${passing.length}/${ran.length} cases pass (raw JSON and SDK; ${perClient})` +
      failing
        .map(
          (name) =>
            `\n  differs: ${name}${KNOWN_DIFFERENCES[name] ? ` (known: ${KNOWN_DIFFERENCES[name]})` : ''}`,
        )
        .join(''),
  );

  // Assess
  expect(ran).toHaveLength(CASE_COUNT);
  expect(failing.sort()).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
});
