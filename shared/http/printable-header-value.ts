// Printable ASCII (space to tilde): what a client-chosen token may contain when it is echoed or stored.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** True when `value` is 1–`maxLength` printable ASCII characters and not only spaces. */
export function isPrintableHeaderValue(value: string, maxLength: number): boolean {
  return value.length <= maxLength && PRINTABLE_ASCII.test(value) && value.trim() !== '';
}
