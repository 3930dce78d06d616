/** The settings API's answers, for its clients (the e2e suite, other contexts' tests). */
import type { SettingValue } from '../domain/setting';

/** `GET /kv/{key}`. */
export interface SettingResponse {
  readonly key: string;
  readonly value: SettingValue;
  /** Grows by one per write of the key. */
  readonly version: number;
  /** The write that made this version; breaks a tie between two writes of the same `version`. */
  readonly writer: string;
  readonly updatedAt: string;
}

/** `PUT /kv/{key}`. */
export interface WrittenSettingResponse {
  readonly key: string;
  readonly version: number;
  readonly writer: string;
}

export type { SettingValue };
