import { listen, type RunningServer, sendJson } from '../../../src/cloud/http-server';
import { EventBridgeEngine } from '../../../src/eventbridge/event-bus';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import { StepFunctionsEngine } from '../../../src/stepfunctions/step-functions-engine';
import { sendRaw } from '../../support/raw-http';
import { FakeLambda } from '../stepfunctions/fake-lambda';

const MiB = 1024 * 1024;

let server: RunningServer;
const sqs = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566' });
const eventBridge = new EventBridgeEngine({
  dispatcher: { deliver: async () => undefined, deliverToDeadLetter: async () => undefined },
});
const stepFunctions = new StepFunctionsEngine({ lambda: new FakeLambda({}) });

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (!(await serveJsonProtocol([sqs, eventBridge, stepFunctions], req, res))) {
      sendJson(res, 404, { message: 'no service' });
    }
  });
});

afterAll(async () => {
  await server.close();
  for (const engine of [sqs, eventBridge, stepFunctions]) engine.close();
});

/** A listing request (`{}`), padded with JSON whitespace to `bytes`. */
const listingOf = (bytes: number): string => '{}'.padEnd(bytes, ' ');

describe.each([
  ['SQS', 'AmazonSQS.ListQueues', 4 * MiB, 'com.amazonaws.sqs#RequestEntityTooLargeException'],
  ['EventBridge', 'AWSEvents.ListEventBuses', 4 * MiB, 'RequestEntityTooLargeException'],
  ['Step Functions', 'AWSStepFunctions.ListStateMachines', MiB, 'RequestEntityTooLargeException'],
])('the %s request body limit', (_service, target, limitBytes, errorType) => {
  const headers = { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' };
  const tooLarge = { __type: errorType, message: `The request body is larger than ${limitBytes} bytes.` };

  it(`serves a body of exactly ${limitBytes} bytes`, async () => {
    // Act
    const reply = await sendRaw({ port: server.port, method: 'POST', headers, body: listingOf(limitBytes) });

    // Assess
    expect(reply.status).toBe(200);
  });

  it('answers 413 with the AWS JSON error to a body one byte larger', async () => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      headers,
      body: listingOf(limitBytes + 1),
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual(tooLarge);
  });

  it('answers 413 to a body announced as 10 GB without waiting for it', async () => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      headers,
      announcedBytes: 10 * 1024 ** 3,
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual(tooLarge);
  });
});
