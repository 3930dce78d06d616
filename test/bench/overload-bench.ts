/**
 * `npm run bench:overload`: what the local cloud does when asked for far more than its machine holds.
 * The real app (`cdk.json`), 16 clients placing 300 orchestrated orders as fast as `POST /orders`
 * answers (an open loop: every saga under way at once), then the wait until every saga has ended.
 *
 * It prints how the orders were answered (any 5xx is a failure of the system, none is expected), how
 * long placing and finishing took, how the sagas ended, the local machine's queue, and the peak
 * resident memory of the local cloud (this process: every Lambda environment is one of its threads)
 * and of DynamoDB Local's JVM, measured by the system (`VmHWM`). A fresh process, so the peak is this
 * run's alone.
 *
 * Every request carries an ID token, as the API requires: a staff member creates the products, and each
 * client is one of a few customers (client c is customer c mod `CUSTOMERS`), all signed in on the users
 * stack's pool before the clock starts.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { LocalCloud } from 'cdk-local-cloud';
import {
  LOCAL_STAGE_CONTEXT,
  PROJECT_DIR,
  apiAs,
  placeOrderExecutionArn,
  placeOrderMachineArn,
  signedInStaffAndCustomers,
  type JsonAnswer,
} from '../support/shop-cloud';
import type { SignedInUser } from '../../infra/ops/shop-users';

const ORDERS = Number(process.env.BENCH_OVERLOAD_ORDERS ?? 300);
const CLIENTS = 16;
const PRODUCTS = 16;
const CUSTOMERS = 4;
const DEADLINE_MS = 15 * 60_000;

interface Machine {
  readonly invocations: {
    readonly maxRunning: number;
    readonly peakRunning: number;
    readonly peakQueued: number;
    readonly longestWaitMs: number;
    readonly waited: number;
    readonly reclaimed: number;
    readonly environments: number;
    readonly memoryBudgetMb: number;
  };
  readonly memory: {
    readonly localCloud: { readonly rssMb: number; readonly peakRssMb: number };
    readonly dynamoDbLocal?: { readonly rssMb: number; readonly peakRssMb: number };
  };
}

/** `user` sends `POST path` with their ID token and a fresh `Idempotency-Key`. */
async function post(cloud: LocalCloud, user: SignedInUser, path: string, body: unknown): Promise<JsonAnswer> {
  return apiAs(cloud, user)('POST', path, { body, headers: { 'Idempotency-Key': randomUUID() } });
}

async function machine(cloud: LocalCloud): Promise<Machine> {
  return (await (await fetch(`${cloud.apiUrl}/_local/machine`)).json()) as Machine;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const cloud = await LocalCloud.start({
    projectDir: PROJECT_DIR,
    port: 0,
    edgePort: 0,
    context: LOCAL_STAGE_CONTEXT,
    log: () => undefined,
  });
  try {
    const idle = await machine(cloud);
    const { staff, customers } = await signedInStaffAndCustomers(cloud, {
      tag: 'overload',
      customers: CUSTOMERS,
    });
    const products: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const created = await post(cloud, staff, '/products', {
        name: `Overload item ${i}`,
        priceCents: 1_500,
        currency: 'USD',
        stock: 1_000_000,
      });
      if (created.status !== 201) throw new Error(`POST /products answered ${created.status}`);
      products.push(String((created.body as { productId: string }).productId));
    }

    // Act: 16 clients (4 customers), each placing its next order as soon as the last was answered.
    const answers = new Map<number, number>();
    const orderIds: string[] = [];
    const started = performance.now();
    let next = 0;
    const client = async (customer: SignedInUser): Promise<void> => {
      for (let i = next++; i < ORDERS; i = next++) {
        const answer = await post(cloud, customer, '/orders', {
          items: [{ productId: products[i % PRODUCTS], quantity: 1 }],
          payment: { method: 'card', token: 'tok_visa' },
        });
        answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
        if (answer.status === 202) orderIds.push(String((answer.body as { orderId: string }).orderId));
      }
    };
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) => {
        const customer = customers[c % customers.length];
        if (customer === undefined) throw new Error('no customer signed in');
        return client(customer);
      }),
    );
    const placedMs = performance.now() - started;

    const machineArn = placeOrderMachineArn(cloud);
    const executionOf = (orderId: string): string => placeOrderExecutionArn(machineArn, orderId);
    let statuses = new Map<string, number>();
    for (;;) {
      statuses = new Map();
      for (const orderId of orderIds) {
        const status = cloud.stepFunctions.execution(executionOf(orderId))?.status ?? 'NOT STARTED';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      const unfinished = (statuses.get('RUNNING') ?? 0) + (statuses.get('NOT STARTED') ?? 0);
      if (unfinished === 0 || performance.now() - started > DEADLINE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const endedMs = performance.now() - started;
    const after = await machine(cloud);

    const tally = (counts: ReadonlyMap<unknown, number>): string =>
      [...counts].map(([key, count]) => `${String(key)} × ${count}`).join(', ');
    const { invocations, memory } = after;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`,
      `Budgets: ${invocations.maxRunning} invocations running at once, ${invocations.memoryBudgetMb} MiB of environments`,
      '',
      '| measure | value |',
      '|---|---|',
      `| ${ORDERS} orders from ${CLIENTS} clients, as fast as POST /orders answers | answers: ${tally(answers)} |`,
      `| all placed after | ${(placedMs / 1000).toFixed(1)} s (${(ORDERS / (placedMs / 1000)).toFixed(1)} orders/s) |`,
      `| every saga ended after | ${(endedMs / 1000).toFixed(1)} s — ${tally(statuses)} |`,
      `| local machine | peak ${invocations.peakRunning} running, ${invocations.peakQueued} queued; ${invocations.waited} invocations waited, the longest ${(invocations.longestWaitMs / 1000).toFixed(1)} s; ${invocations.environments} environments at the end, ${invocations.reclaimed} reclaimed |`,
      `| peak RSS, local cloud (this process, every environment included) | ${memory.localCloud.peakRssMb} MiB (${idle.memory.localCloud.rssMb} MiB idle after start) |`,
      `| peak RSS, DynamoDB Local JVM | ${memory.dynamoDbLocal?.peakRssMb ?? '?'} MiB |`,
      `| peak RSS, the two peaks added (goal < 4 GiB) | ${memory.localCloud.peakRssMb + (memory.dynamoDbLocal?.peakRssMb ?? 0)} MiB |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const failed = [...answers.keys()].some((status) => status >= 500) || statuses.has('RUNNING');
    if (failed) process.exitCode = 1;
  } finally {
    await cloud.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
