import type { Setting } from '../domain/setting';
import { compareVersions } from '../domain/version';
import type { Replica, ReplicaPage, ReplicaWriteOutcome } from '../ports/replica';

/**
 * A replica in memory, for unit tests, with the DynamoDB replica's conditions. `down` makes every call
 * fail, `writesRefused` only the writes, as a storage node that is down or full would.
 */
export class InMemoryReplica implements Replica {
  readonly settings = new Map<string, Setting>();
  down = false;
  writesRefused = false;
  /** Resolves a read only when the returned promise of `holdReads()` is released. */
  private heldReads: Promise<void> | undefined;

  constructor(readonly name: string) {}

  /** Holds every read until the returned function is called: a slow node. */
  holdReads(): () => void {
    let release = (): void => {};
    this.heldReads = new Promise((resolve) => {
      release = () => {
        this.heldReads = undefined;
        resolve();
      };
    });
    return release;
  }

  async read(key: string): Promise<Setting | undefined> {
    if (this.heldReads) await this.heldReads;
    this.failIfDown();
    return this.settings.get(key);
  }

  async write(setting: Setting): Promise<ReplicaWriteOutcome> {
    this.failIfDown();
    if (this.writesRefused) throw new Error(`Replica ${this.name} refuses writes`);
    const held = this.settings.get(setting.key);
    if (held !== undefined && compareVersions(held.version, setting.version) >= 0) return 'superseded';
    this.settings.set(setting.key, setting);
    return 'applied';
  }

  async undo(written: Setting, previous: Setting | undefined): Promise<void> {
    this.failIfDown();
    const held = this.settings.get(written.key);
    if (held === undefined || compareVersions(held.version, written.version) !== 0) return;
    if (previous === undefined) this.settings.delete(written.key);
    else this.settings.set(written.key, previous);
  }

  async page(cursor?: string): Promise<ReplicaPage> {
    this.failIfDown();
    const pageSize = 2;
    const keys = [...this.settings.keys()].sort();
    const start = cursor === undefined ? 0 : Number(cursor);
    const settings = keys.slice(start, start + pageSize).flatMap((key) => this.settings.get(key) ?? []);
    const next = start + pageSize;
    return { settings, ...(next < keys.length ? { cursor: String(next) } : {}) };
  }

  private failIfDown(): void {
    if (this.down) throw new Error(`Replica ${this.name} is down`);
  }
}
