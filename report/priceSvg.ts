/**
 * The fee multiplier histogram as inline SVG: one bar per bin, the contended transactions stacked
 * on the conflict-free ones, and a line at ×1 (the base fee).
 */
import type { PriceView } from "./priceView.js";
import { escapeHtml, formatCount } from "./format.js";
import { CONTENDED_COLOR, FREE_COLOR } from "./palette.js";

export const PRICE_SVG = { width: 560, height: 230, left: 44, right: 10, top: 22, bottom: 36 } as const;

export function renderPriceSvg(view: PriceView): string {
  const g = PRICE_SVG;
  const bins = view.bins;
  const out: string[] = [];
  out.push(`<svg id="price-svg" class="chart" viewBox="0 0 ${g.width} ${g.height}" width="100%" role="img" aria-label="histogram of fee multipliers">`);
  if (bins.length === 0) {
    out.push(`<text x="${g.width / 2}" y="${g.height / 2}" text-anchor="middle">no transactions</text></svg>`);
    return out.join("");
  }
  const plotW = g.width - g.left - g.right;
  const plotH = g.height - g.top - g.bottom;
  let most = 1;
  for (const b of bins) most = Math.max(most, b.count);
  const low = bins[0]!.from;
  const high = bins[bins.length - 1]!.to;
  const x = (m: number) => g.left + ((m - low) / (high - low)) * plotW;
  const y = (count: number) => g.top + plotH - (count / most) * plotH;

  out.push(`<g class="axis">`);
  for (const f of [0, 0.5, 1]) {
    const count = Math.round(most * f);
    out.push(`<line class="gridline" x1="${g.left}" x2="${g.width - g.right}" y1="${y(count).toFixed(1)}" y2="${y(count).toFixed(1)}"/>`);
    out.push(`<text x="${g.left - 6}" y="${(y(count) + 4).toFixed(1)}" text-anchor="end">${formatCount(count)}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(bins.length / 8));
  bins.forEach((b, i) => {
    if (i % labelEvery === 0) out.push(`<text x="${x(b.from).toFixed(1)}" y="${g.height - g.bottom + 16}" text-anchor="middle">×${b.from}</text>`);
  });
  out.push(`<text x="${x(high).toFixed(1)}" y="${g.height - g.bottom + 16}" text-anchor="end">×${high}</text>`);
  out.push(`<text class="axis-title" x="${g.left + plotW / 2}" y="${g.height - 4}" text-anchor="middle">fee multiplier (× base fee × gas)</text>`);
  out.push(`</g>`);

  out.push(`<g class="bins">`);
  for (const b of bins) {
    const bx = x(b.from) + 1;
    const bw = Math.max(1, x(b.to) - x(b.from) - 2);
    const free = b.count - b.contended;
    const tip = `×${b.from}–${b.to}: ${formatCount(b.count)} txs, ${formatCount(b.contended)} contended`;
    out.push(`<g class="bin" data-tip="${escapeHtml(tip)}">`);
    out.push(`<rect x="${bx.toFixed(1)}" y="${g.top}" width="${bw.toFixed(1)}" height="${plotH}" fill="transparent"/>`);
    if (free > 0) out.push(`<rect x="${bx.toFixed(1)}" y="${y(free).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(free)).toFixed(1)}" fill="${FREE_COLOR}"/>`);
    if (b.contended > 0) out.push(`<rect x="${bx.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(free) - y(b.count)).toFixed(1)}" fill="${CONTENDED_COLOR}"/>`);
    out.push(`</g>`);
  }
  out.push(`</g>`);
  if (low <= 1 && high >= 1) {
    out.push(`<line class="base-line" x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${g.top - 18}" y2="${g.top + plotH}"/>`);
    // Above the bars: the bins just above ×1 are usually the tallest.
    out.push(`<text class="base-label" x="${(x(1) + 3).toFixed(1)}" y="${g.top - 8}">×1 = base fee</text>`);
  }
  out.push(`</svg>`);
  return out.join("");
}
