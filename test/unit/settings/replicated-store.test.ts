import { InMemoryReplica } from '../../../functions/settings/adapters/in-memory-replica';
import {
  ReadQuorumError,
  SettingNotFoundError,
  ValueTooLargeError,
  WriteQuorumError,
} from '../../../functions/settings/application/errors';
import {
  makeReadSetting,
  type ReadSettingDependencies,
} from '../../../functions/settings/application/read-setting';
import { makeRepairLateReplica } from '../../../functions/settings/application/repair-late-replica';
import { makeSweepReplicas } from '../../../functions/settings/application/sweep-replicas';
import { makeWriteSetting } from '../../../functions/settings/application/write-setting';
import type { Setting } from '../../../functions/settings/domain/setting';
import { MAX_VALUE_BYTES } from '../../../functions/settings/domain/setting-key';
import type { LateReplicaRepair } from '../../../functions/settings/ports/repair-queue';
import { STORE_METRICS, type StoreMetric } from '../../../functions/settings/ports/store-metrics';
import { silentLogger } from '../../../shared/observability/app-logger';

/** Three in-memory replicas, the store's use cases over them at N = 3, W = 2, R = 2, and what they counted. */
function store(options: { readonly pickReplica?: ReadSettingDependencies['pickReplica'] } = {}) {
  const replicas = [
    new InMemoryReplica('replica-1'),
    new InMemoryReplica('replica-2'),
    new InMemoryReplica('replica-3'),
  ];
  const counted = new Map<StoreMetric, number>();
  const count = (metric: StoreMetric, value = 1): void => {
    counted.set(metric, (counted.get(metric) ?? 0) + value);
  };
  const queued: LateReplicaRepair[] = [];
  let writeId = 0;
  const write = makeWriteSetting({
    replicas,
    readQuorum: 2,
    writeQuorum: 2,
    newWriteId: () => `W${String((writeId += 1)).padStart(4, '0')}`,
    now: () => new Date('2026-12-07T10:00:00Z'),
    count,
    logger: silentLogger,
  });
  const read = makeReadSetting({
    replicas,
    readQuorum: 2,
    repairQueue: { send: async (repair) => void queued.push(repair) },
    lateReplicaGraceMs: 20,
    count,
    logger: silentLogger,
    ...(options.pickReplica ? { pickReplica: options.pickReplica } : {}),
  });
  const sweep = makeSweepReplicas({ replicas, count, logger: silentLogger });
  const repairLate = makeRepairLateReplica({ replicas, count });
  const versionsOf = (key: string): (number | undefined)[] =>
    replicas.map((replica) => replica.settings.get(key)?.version.counter);
  return { replicas, counted, queued, write, read, sweep, repairLate, versionsOf };
}

describe('the replicated settings store (N = 3, W = 2, R = 2)', () => {
  test('a write reaches every replica with the next version; a read answers it', async () => {
    // Prepare
    const { write, read, versionsOf } = store();

    // Act
    const first = await write('checkout.max-items', 10);
    const second = await write('checkout.max-items', { limit: 12, soft: true });
    const answer = await read('checkout.max-items');

    // Assess
    expect([first.version.counter, second.version.counter]).toEqual([1, 2]);
    expect(answer.setting).toMatchObject({ key: 'checkout.max-items', value: { limit: 12, soft: true } });
    expect(answer.setting.version).toEqual(second.version);
    expect(versionsOf('checkout.max-items')).toEqual([2, 2, 2]);
  });

  test('a replica refusing writes is left stale; a quorum read answers the newest and repairs it before answering', async () => {
    // Prepare
    const { replicas, write, read, versionsOf, counted } = store();
    await write('flag', 'old');
    replicas[0]!.writesRefused = true;
    await write('flag', 'new');
    replicas[0]!.writesRefused = false;

    // Act
    const answer = await read('flag');

    // Assess
    expect(answer.setting.value).toBe('new');
    expect(versionsOf('flag')).toEqual([2, 2, 2]);
    expect(counted.get(STORE_METRICS.staleReplicasSeen)).toBe(1);
    expect(counted.get(STORE_METRICS.blockingRepairs)).toBe(1);
  });

  test('a replica late to the read gets its repair queued; the background repairer applies it once', async () => {
    // Prepare
    const { replicas, write, read, repairLate, queued, counted, versionsOf } = store();
    await write('flag', 'old');
    replicas[2]!.writesRefused = true;
    await write('flag', 'new');
    replicas[2]!.writesRefused = false;
    const release = replicas[2]!.holdReads();

    // Act
    const answer = await read('flag');
    release();
    const outcomes = [await repairLate(queued[0]!), await repairLate(queued[0]!)];

    // Assess
    expect(answer.late).toEqual(['replica-3']);
    expect(queued).toEqual([{ replica: 'replica-3', setting: answer.setting }]);
    expect(outcomes).toEqual(['repaired', 'up-to-date']);
    expect(versionsOf('flag')).toEqual([2, 2, 2]);
    expect(counted.get(STORE_METRICS.backgroundRepairs)).toBe(1);
  });

  test('a replica answering just after the quorum, within the grace, is repaired in the read: nothing is queued', async () => {
    // Prepare
    const { replicas, write, read, queued, counted, versionsOf } = store();
    await write('flag', 'old');
    replicas[2]!.writesRefused = true;
    await write('flag', 'new');
    replicas[2]!.writesRefused = false;
    const release = replicas[2]!.holdReads();

    // Act
    const reading = read('flag');
    setImmediate(release);
    const answer = await reading;

    // Assess
    expect(answer.late).toEqual([]);
    expect(queued).toEqual([]);
    expect(versionsOf('flag')).toEqual([2, 2, 2]);
    expect(counted.get(STORE_METRICS.blockingRepairs)).toBe(1);
  });

  test('`one` reads a single replica and repairs nothing: a stale replica answers its old value', async () => {
    // Prepare
    const { replicas, write, read, versionsOf } = store({ pickReplica: (all) => all[1]! });
    await write('flag', 'old');
    replicas[1]!.writesRefused = true;
    await write('flag', 'new');
    replicas[1]!.writesRefused = false;

    // Act
    const answer = await read('flag', 'one');

    // Assess
    expect(answer.setting.value).toBe('old');
    expect(versionsOf('flag')).toEqual([2, 1, 2]);
  });

  test('an unknown key is SETTING_NOT_FOUND', async () => {
    const { read } = store();
    await expect(read('nobody-wrote-this')).rejects.toBeInstanceOf(SettingNotFoundError);
  });

  test('with two replicas down, a write is refused 503 and takes nothing anywhere; a read is refused too', async () => {
    // Prepare
    const { replicas, write, read, versionsOf, counted } = store();
    await write('flag', 'before');
    replicas[1]!.down = true;
    replicas[2]!.down = true;

    // Act
    const writing = write('flag', 'after');
    const reading = read('flag');

    // Assess
    await expect(writing).rejects.toBeInstanceOf(ReadQuorumError);
    await expect(reading).rejects.toBeInstanceOf(ReadQuorumError);
    expect(versionsOf('flag')).toEqual([1, 1, 1]);
    expect(counted.get(STORE_METRICS.readQuorumFailures)).toBe(1);
  });

  test('with two replicas refusing writes, the one that took the write has it taken back', async () => {
    // Prepare
    const { replicas, write, read, versionsOf } = store();
    await write('flag', 'before');
    replicas[1]!.writesRefused = true;
    replicas[2]!.writesRefused = true;

    // Act
    const writing = write('flag', 'after');

    // Assess
    await expect(writing).rejects.toBeInstanceOf(WriteQuorumError);
    await expect(writing).rejects.toMatchObject({ code: 'WRITE_QUORUM_NOT_REACHED' });
    expect(versionsOf('flag')).toEqual([1, 1, 1]);
    expect((await read('flag')).setting.value).toBe('before');
  });

  test('a new key below its write quorum is removed again from the replica that took it', async () => {
    // Prepare
    const { replicas, write, versionsOf } = store();
    replicas[0]!.writesRefused = true;
    replicas[1]!.writesRefused = true;

    // Act
    const writing = write('brand-new', true);

    // Assess
    await expect(writing).rejects.toBeInstanceOf(WriteQuorumError);
    expect(versionsOf('brand-new')).toEqual([undefined, undefined, undefined]);
  });

  test('two writers of the same version: every replica keeps the same winner, whatever the order', async () => {
    // Prepare
    const { replicas } = store();
    const a: Setting = { key: 'k', value: 'a', version: { counter: 3, writer: 'WA' }, updatedAt: 't' };
    const b: Setting = { key: 'k', value: 'b', version: { counter: 3, writer: 'WB' }, updatedAt: 't' };

    // Act
    const outcomes = [
      await replicas[0]!.write(a),
      await replicas[0]!.write(b),
      await replicas[1]!.write(b),
      await replicas[1]!.write(a),
    ];

    // Assess
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'superseded']);
    expect(replicas[0]!.settings.get('k')?.value).toBe('b');
    expect(replicas[1]!.settings.get('k')?.value).toBe('b');
  });

  test('a value larger than a setting may be is VALUE_TOO_LARGE', async () => {
    const { write } = store();
    await expect(write('big', 'x'.repeat(MAX_VALUE_BYTES))).rejects.toBeInstanceOf(ValueTooLargeError);
  });

  test('the sweep brings every replica to the newest version of every key, nobody reading', async () => {
    // Prepare
    const { replicas, write, sweep, versionsOf, counted } = store();
    replicas[2]!.writesRefused = true;
    for (const key of ['a', 'b', 'c', 'd', 'e']) await write(key, key);
    replicas[2]!.writesRefused = false;
    replicas[0]!.settings.delete('e');

    // Act
    const report = await sweep();
    const again = await sweep();

    // Assess
    expect(report).toEqual({ keys: 5, repairs: 6, unavailable: [] });
    expect(again.repairs).toBe(0);
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(versionsOf(key)).toEqual([1, 1, 1]);
    expect(counted.get(STORE_METRICS.sweepRepairs)).toBe(6);
  });

  test('the sweep repairs what it can when a replica is down, and names it', async () => {
    // Prepare
    const { replicas, write, sweep, versionsOf } = store();
    await write('a', 1);
    replicas[0]!.settings.delete('a');
    replicas[2]!.down = true;

    // Act
    const report = await sweep();

    // Assess
    expect(report).toEqual({ keys: 1, repairs: 1, unavailable: ['replica-3'] });
    expect(versionsOf('a').slice(0, 2)).toEqual([1, 1]);
  });
});
