/**
 * What a key may be: 1 to 128 letters, digits and `.` `_` `-` `:`, so it is one path segment of
 * `/kv/{key}` without encoding, e.g. `checkout.max-items` or `flags:new-basket`.
 */
export const SETTING_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_KEY_LENGTH = 128;
/** A value's limit once serialized as JSON: a setting, not a document store. */
export const MAX_VALUE_BYTES = 16 * 1024;

export function isSettingKey(key: string): boolean {
  return SETTING_KEY_PATTERN.test(key);
}
