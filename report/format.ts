/**
 * Text in the report page: escaping for HTML and attributes, and the few number formats the page
 * uses, so that every figure reads the same wherever it appears.
 */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON safe inside `<script type="application/json">`: `<` is escaped so that no string in the
 * data can close the script element, and U+2028/2029 so that the text is also valid JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

export function formatRatio(x: number): string {
  return `${x.toFixed(2)}×`;
}

export function formatGas(gas: number): string {
  if (gas >= 1e9) return `${(gas / 1e9).toFixed(2)} Ggas`;
  if (gas >= 1e6) return `${(gas / 1e6).toFixed(2)} Mgas`;
  if (gas >= 1e3) return `${(gas / 1e3).toFixed(1)} kgas`;
  return `${Math.round(gas)} gas`;
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** An integer with thin-space thousands separators (10 000). */
export function formatCount(n: number): string {
  return groupDigits(Math.round(n).toString());
}

/** A decimal string (a bigint amount) with thin-space thousands separators. */
export function groupDigits(decimal: string): string {
  return decimal.replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
}

/** A long hex string shortened to its ends: 0x8286c7…26ee7af. */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= 2 + 2 * keep + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** A location with its long hex parts (addresses, hashes) shortened: 0x0000…0001/balance/0x01c3…f210. */
export function shortLocation(location: string): string {
  return location.replace(/0x[0-9a-fA-F]{16,}/g, (hex) => shortHex(hex, 4));
}

/** Round for embedding: the page never needs more than microsecond or 4-digit precision. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
