/**
 * `npm run bench:dynamodb-front` (in `local/`): what the DynamoDB front costs the functions' calls.
 * One DynamoDB Local, one table, the same SDK client three ways, side by side in alternating rounds:
 *
 *  1. direct to DynamoDB Local (what the functions did before the front);
 *  2. through the front with no table fault set (the body is streamed on unread);
 *  3. through the front with a fault set on another table (every body is read and parsed, none struck).
 *
 * Each round times `PutItem` and `GetItem` one after another (latency, not throughput), then `PutItem`
 * at concurrency 16.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbFront } from '../src/dynamodb/dynamodb-front';
import { startDynamoDbLocal } from '../src/dynamodb/dynamodb-local';
import { FaultRegistry } from '../src/faults/fault-registry';
import { latencies, percentile, throughput } from '../src/measure';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 4_000);
const CONCURRENCY = 16;
const TABLE = 'front-bench';
const OTHER_TABLE = 'front-bench-other';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

type Path = 'direct' | 'front' | 'front, fault elsewhere';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoDbLocal();
  const faults = new FaultRegistry();
  const front = await startDynamoDbFront({ dynamoDbEndpoint: dynamo.endpoint, faults });
  const clients: Readonly<Record<'direct' | 'front', DynamoDBClient>> = {
    direct: new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
    front: new DynamoDBClient({ endpoint: front.url, region: 'us-east-1', credentials }),
  };
  try {
    for (const table of [TABLE, OTHER_TABLE]) {
      await clients.direct.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
    let written = 0;
    const putItem = (client: DynamoDBClient) => async () => {
      await client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: `item-${written++}` }, payload: { S: 'x' } },
        }),
      );
    };
    const getItem = (client: DynamoDBClient) => async () => {
      await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'item-1' } } }));
    };
    // DynamoDB Local's JIT, and both clients' connections.
    for (const client of Object.values(clients)) {
      await throughput(WARM_UP, CONCURRENCY, putItem(client));
      await throughput(WARM_UP / 4, CONCURRENCY, getItem(client));
    }

    const paths: readonly Path[] = ['direct', 'front', 'front, fault elsewhere'];
    const samples = new Map(
      paths.map((path) => [path, { put: [] as number[], get: [] as number[], tput: [] as number[] }]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of paths) {
        faults.clear();
        if (path === 'front, fault elsewhere') {
          // Reads and writes of OTHER_TABLE are struck; the bench table's are read, parsed and passed on.
          faults.add({ kind: 'table-write-failure', target: { tableName: OTHER_TABLE }, probability: 1 });
          faults.add({ kind: 'table-read-failure', target: { tableName: OTHER_TABLE }, probability: 1 });
        }
        const client = path === 'direct' ? clients.direct : clients.front;
        const measured = samples.get(path);
        if (measured === undefined) continue;
        measured.put.push(...(await latencies(SAMPLES, putItem(client))));
        measured.get.push(...(await latencies(SAMPLES, getItem(client))));
        measured.tput.push(await throughput(SAMPLES * 2, CONCURRENCY, putItem(client)));
      }
    }
    faults.clear();

    const row = (label: string, sorted: readonly number[]): string =>
      `${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(3)} ms   p90 ${percentile(sorted, 90).toFixed(3)} ms   ` +
      `p99 ${percentile(sorted, 99).toFixed(3)} ms   mean ${(sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(3)} ms`;
    console.log(
      `DynamoDB front overhead: ${ROUNDS} rounds × ${SAMPLES} sequential calls per path and operation`,
    );
    const direct = samples.get('direct');
    for (const path of paths) {
      const measured = samples.get(path);
      if (measured === undefined || direct === undefined) continue;
      measured.put.sort((a, b) => a - b);
      measured.get.sort((a, b) => a - b);
      console.log(row(`PutItem, ${path}`, measured.put));
      console.log(row(`GetItem, ${path}`, measured.get));
      const meanTput = measured.tput.reduce((a, b) => a + b, 0) / measured.tput.length;
      console.log(`${`PutItem ×${CONCURRENCY}, ${path}`.padEnd(34)} ${meanTput.toFixed(0)} writes/s`);
    }
    for (const path of paths.slice(1)) {
      const measured = samples.get(path);
      if (measured === undefined || direct === undefined) continue;
      const extra = (operation: 'put' | 'get') =>
        ((percentile(measured[operation], 50) - percentile(direct[operation], 50)) * 1000).toFixed(0);
      console.log(
        `${path}: +${extra('put')} µs (PutItem p50), +${extra('get')} µs (GetItem p50) over direct`,
      );
    }
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await front.close();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
