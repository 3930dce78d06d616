import * as z from 'zod';
import { SETTING_KEY_PATTERN } from '../domain/setting-key';
import type { SettingValue } from '../domain/setting';

/** Strict request schemas of the settings API: an unknown field or query parameter is a 400. */

export const SettingPath = z.strictObject({
  key: z.string().regex(SETTING_KEY_PATTERN, {
    error: 'must be 1 to 128 letters, digits, ".", "_", "-" or ":"',
  }),
});

export const GetSettingQuery = z.strictObject({
  /** `one` reads a single replica, without read repair: what a store without quorum reads answers. */
  consistency: z.enum(['quorum', 'one']).optional(),
});

export const NoQuery = z.strictObject({});

const settingValue: z.ZodType<SettingValue> = z.json();

export const PutSettingBody = z.strictObject({ value: settingValue });
