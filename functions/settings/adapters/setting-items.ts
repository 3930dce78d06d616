/**
 * How a replica table holds settings: one item a key, in the context table layout (`pk`, `sk`).
 *
 * | pk            | sk        | attributes                                                          |
 * | ------------- | --------- | ------------------------------------------------------------------- |
 * | `KEY#<key>`   | `SETTING` | `key`, `valueJson`, `counter`, `writer`, `revision`, `updatedAt`    |
 *
 * The value is kept as its JSON text, so it comes back exactly as written (DynamoDB's number type would
 * turn `1.0` into `1` and refuse some doubles). `revision` is the version as a string that sorts as the
 * version does: the conditional writes compare it.
 */
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { Setting, SettingValue } from '../domain/setting';
import { revisionOf } from '../domain/version';

export const SETTING_SORT_KEY = 'SETTING';
const KEY_PREFIX = 'KEY#';

export function settingKey(key: string): { pk: string; sk: string } {
  return { pk: `${KEY_PREFIX}${key}`, sk: SETTING_SORT_KEY };
}

export function settingItem(setting: Setting): Record<string, NativeAttributeValue> {
  return {
    ...settingKey(setting.key),
    key: setting.key,
    valueJson: JSON.stringify(setting.value),
    counter: setting.version.counter,
    writer: setting.version.writer,
    revision: revisionOf(setting.version),
    updatedAt: setting.updatedAt,
  };
}

const SettingItem = z.object({
  key: z.string(),
  valueJson: z.string(),
  counter: z.number().int().positive(),
  writer: z.string(),
  updatedAt: z.string(),
});

const jsonValue: z.ZodType<SettingValue> = z.json();

/** The setting an item holds; throws on an item this layout did not write. */
export function settingFromItem(item: Record<string, unknown>): Setting {
  const parsed = SettingItem.parse(item);
  return {
    key: parsed.key,
    value: jsonValue.parse(JSON.parse(parsed.valueJson)),
    version: { counter: parsed.counter, writer: parsed.writer },
    updatedAt: parsed.updatedAt,
  };
}
