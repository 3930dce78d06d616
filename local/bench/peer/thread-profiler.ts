/**
 * Samples the CPU of this process's main thread and of every worker thread in it, between `start()`
 * and `stop()`, through the inspector (the `--cpu-prof` profiler, without its whole-life scope — and
 * workers started with `execArgv: []` are reached too).
 */
import * as fs from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import * as path from 'node:path';

export interface ThreadProfile {
  /** `main`, or the worker's inspector title (`[worker 3] …`). */
  readonly thread: string;
  readonly isWorker: boolean;
  readonly profile: Profiler.Profile;
}

interface WorkerReply {
  readonly id: number;
  readonly result?: { readonly profile?: Profiler.Profile };
  readonly error?: { readonly message: string };
}

/**
 * V8's default. Every isolate has a sampling thread of its own: with 32 workers, a finer interval would
 * mostly measure the profiler.
 */
const SAMPLING_INTERVAL_US = 1_000;

export class ThreadProfiler {
  private readonly session = new Session();
  private readonly workers = new Map<string, string>();
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();
  private nextId = 1;

  async start(): Promise<void> {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', ({ params }) => {
      this.workers.set(params.sessionId, params.workerInfo.title);
      void this.startWorker(params.sessionId);
    });
    this.session.on('NodeWorker.detachedFromWorker', ({ params }) => {
      this.workers.delete(params.sessionId);
    });
    this.session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      const reply = JSON.parse(params.message) as Partial<WorkerReply>;
      if (typeof reply.id !== 'number') return;
      this.waiting.get(reply.id)?.(reply as WorkerReply);
      this.waiting.delete(reply.id);
    });
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await this.post('Profiler.start');
    // Attaches to the workers already running (and to those started later).
    await this.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await Promise.all([...this.workers.keys()].map((sessionId) => this.startWorker(sessionId)));
  }

  async stop(): Promise<ThreadProfile[]> {
    const { profile } = (await this.post('Profiler.stop')) as Profiler.StopReturnType;
    const profiles: ThreadProfile[] = [{ thread: 'main', isWorker: false, profile }];
    const fromWorkers = await Promise.all(
      [...this.workers].map(async ([sessionId, title]) => {
        const reply = await this.toWorker(sessionId, 'Profiler.stop');
        return reply.result?.profile
          ? [{ thread: title, isWorker: true, profile: reply.result.profile }]
          : [];
      }),
    );
    profiles.push(...fromWorkers.flat());
    await this.post('NodeWorker.disable');
    this.session.disconnect();
    return profiles;
  }

  private async startWorker(sessionId: string): Promise<void> {
    await this.toWorker(sessionId, 'Profiler.enable');
    await this.toWorker(sessionId, 'Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await this.toWorker(sessionId, 'Profiler.start');
  }

  private toWorker(sessionId: string, method: string, params: object = {}): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.session.post('NodeWorker.sendMessageToWorker', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
  }

  private post(method: string, params: object = {}): Promise<object> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params, (error, result) => (error ? reject(error) : resolve(result ?? {})));
    });
  }
}

/** Environment of a process that loads `profiler-preload`: where its profiles go, and their name. */
export const PROFILE_DIR_VARIABLE = 'PEER_PROFILE_DIR';
export const PROFILE_LABEL_VARIABLE = 'PEER_PROFILE_LABEL';

/** What `profiler-preload` writes once sampling has begun, and once the profiles are on disk. */
export const markerFile = (dir: string, label: string, state: 'started' | 'written'): string =>
  path.join(dir, `${label}.${state}`);

/** Writes each thread's profile as `<label>.<thread>.cpuprofile` (loadable in Chrome DevTools). */
export function writeProfiles(dir: string, label: string, profiles: readonly ThreadProfile[]): void {
  fs.mkdirSync(dir, { recursive: true });
  profiles.forEach(({ thread, profile }, index) => {
    const name = thread === 'main' ? 'main' : `worker-${index}`;
    fs.writeFileSync(path.join(dir, `${label}.${name}.cpuprofile`), JSON.stringify(profile));
  });
}

/** Reads back what `writeProfiles` wrote for `label`. */
export function readProfiles(dir: string, label: string): ThreadProfile[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.startsWith(`${label}.`) && file.endsWith('.cpuprofile'))
    .map((file) => {
      const thread = file.slice(label.length + 1, -'.cpuprofile'.length);
      const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profiler.Profile;
      return { thread, isWorker: thread !== 'main', profile };
    });
}
