import type { Setting } from '../domain/setting';
import type { SettingResponse, WrittenSettingResponse } from '../contracts';
import type { WrittenSetting } from '../application/write-setting';

export function toSettingResponse(setting: Setting): SettingResponse {
  return {
    key: setting.key,
    value: setting.value,
    version: setting.version.counter,
    writer: setting.version.writer,
    updatedAt: setting.updatedAt,
  };
}

export function toWrittenSettingResponse(written: WrittenSetting): WrittenSettingResponse {
  return { key: written.key, version: written.version.counter, writer: written.version.writer };
}
