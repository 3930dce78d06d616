import { compareVersions, type Version } from './version';

/** A JSON value as stored: what `PUT /kv/{key}` was given, unchanged. */
export type SettingValue = null | boolean | number | string | readonly SettingValue[] | SettingMap;
export interface SettingMap {
  readonly [name: string]: SettingValue;
}

/** One version of one key, as each replica holds it. */
export interface Setting {
  readonly key: string;
  readonly value: SettingValue;
  readonly version: Version;
  readonly updatedAt: string;
}

/** What one replica answered for a key: its setting, or nothing (it never saw the key). */
export interface ReplicaReading {
  readonly replica: string;
  readonly setting: Setting | undefined;
}

/** The newest setting among `readings`; `undefined` when none of them holds the key. */
export function newestOf(readings: readonly ReplicaReading[]): Setting | undefined {
  let newest: Setting | undefined;
  for (const { setting } of readings) {
    if (
      setting !== undefined &&
      (newest === undefined || compareVersions(setting.version, newest.version) > 0)
    ) {
      newest = setting;
    }
  }
  return newest;
}

/** The replicas among `readings` that hold an older version of the key than `newest`, or none. */
export function staleReplicas(readings: readonly ReplicaReading[], newest: Setting): readonly string[] {
  return readings
    .filter(({ setting }) => setting === undefined || compareVersions(setting.version, newest.version) < 0)
    .map(({ replica }) => replica);
}
