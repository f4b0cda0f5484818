import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ActivityEvent, ActivityKind } from "../../executor/activity.js";
import { layoutDag } from "../../report/dagView.js";
import { layoutGantt } from "../../report/ganttView.js";
import { binWidth, summarizePrices } from "../../report/priceView.js";
import { scheduleBlock } from "../../scheduler/index.js";
import { accessSetsArbitrary } from "../scheduler/oracle.js";

describe("the DAG view", () => {
  const limits = fc.record({ maxStacks: fc.integer({ min: 1, max: 12 }), maxCells: fc.integer({ min: 1, max: 10 }), maxEdges: fc.integer({ min: 0, max: 200 }) });

  it("puts every transaction in exactly one cell, within the limits, in column order, with the critical path one point per stack", () => {
    fc.assert(
      fc.property(accessSetsArbitrary({ maxTxs: 60 }), limits, (sets, l) => {
        const s = scheduleBlock(sets, { pricing: false });
        const n = sets.txs.length;
        const fnOf = sets.txs.map((t) => t.index % 3);
        const view = layoutDag({
          columnOf: s.layout.columnOf,
          columnCount: s.layout.columnCount,
          gas: s.graph.gas,
          fnOf,
          criticalPath: s.criticalPath.txs,
          successorOffsets: s.graph.successorOffsets,
          successors: s.graph.successors,
          ...l,
        });
        expect(view.stacks.length).toBeLessThanOrEqual(l.maxStacks);
        expect(view.columns).toBe(s.layout.columnCount);
        let cells = 0;
        let covered = 0;
        view.stacks.forEach((stack, k) => {
          expect(stack.cells.length).toBeLessThanOrEqual(l.maxCells);
          expect(stack.firstColumn).toBe(k * view.columnsPerStack);
          expect(stack.cells.reduce((sum, c) => sum + c.count, 0)).toBe(stack.txs);
          expect(stack.txsPerCell).toBeLessThanOrEqual(view.txsPerCell);
          covered += stack.txs;
          cells += stack.cells.length;
        });
        expect(covered).toBe(n);
        // Each transaction's position is in its column's stack, and the cell counts match.
        const perCell = new Map<string, number>();
        for (let tx = 0; tx < n; tx++) {
          const stack = view.position[2 * tx]!;
          const cell = view.position[2 * tx + 1]!;
          expect(stack).toBe(Math.floor(s.layout.columnOf[tx]! / view.columnsPerStack));
          perCell.set(`${stack}/${cell}`, (perCell.get(`${stack}/${cell}`) ?? 0) + 1);
        }
        expect(perCell.size).toBe(cells);
        for (const [key, count] of perCell) {
          const [stack, cell] = key.split("/").map(Number);
          expect(view.stacks[stack!]!.cells[cell!]!.count).toBe(count);
        }
        // The critical path: one point per stack, stacks strictly increasing, on critical cells.
        const stacksOnPath = view.criticalPath.map(([st]) => st);
        for (let i = 1; i < stacksOnPath.length; i++) expect(stacksOnPath[i]!).toBeGreaterThan(stacksOnPath[i - 1]!);
        for (const [st, c] of view.criticalPath) expect(view.stacks[st]!.cells[c]!.critical).toBe(true);
        // Edges: all of them exactly when every transaction has its own cell and they are few enough.
        const detailed = view.columnsPerStack === 1 && view.txsPerCell === 1 && s.graph.edgeCount <= l.maxEdges;
        expect(view.edgesShown).toBe(detailed ? "all" : "critical-path");
        expect(view.edges.length).toBe(detailed ? s.graph.edgeCount : 0);
        for (const [from, to] of view.edges) expect(s.layout.columnOf[from]!).toBeLessThan(s.layout.columnOf[to]!);
      }),
      { numRuns: 150 },
    );
  });

  it("shrinks a 10,000-transaction chain to the stack limit", () => {
    const n = 10_000;
    const columnOf = Int32Array.from({ length: n }, (_, i) => i);
    const successorOffsets = Int32Array.from({ length: n + 1 }, (_, i) => Math.min(i, n - 1));
    const successors = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
    const view = layoutDag({ columnOf, columnCount: n, gas: new Float64Array(n).fill(1), fnOf: new Array(n).fill(0), criticalPath: Array.from(columnOf), successorOffsets, successors });
    expect(view.stacks).toHaveLength(200);
    expect(view.columnsPerStack).toBe(50);
    expect(view.txsPerCell).toBe(2);
    expect(view.edges).toHaveLength(0);
    expect(view.criticalPath).toHaveLength(200);
  });
});

describe("the timeline view", () => {
  const kinds: ActivityKind[] = ["execution", "abort", "validation", "failed-validation"];
  const laneArb = fc.array(fc.record({ kind: fc.constantFrom(...kinds), tx: fc.nat(50), gap: fc.double({ min: 0, max: 2, noNaN: true }), length: fc.double({ min: 0, max: 3, noNaN: true }) }), { maxLength: 80 });

  function lane(specs: { kind: ActivityKind; tx: number; gap: number; length: number }[]): ActivityEvent[] {
    let t = 0;
    return specs.map((s) => {
      const startMs = t + s.gap;
      t = startMs + s.length;
      return { kind: s.kind, tx: s.tx, startMs, endMs: t };
    });
  }

  it("keeps every event and its time: merged bars add up, cover their events, and never overlap a bar of their kind", () => {
    fc.assert(
      fc.property(fc.array(laneArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 10, max: 2000 }), (lanes, detailLimit, resolution) => {
        const activity = { lanes: lanes.map((specs, i) => ({ thread: i + 1, label: `worker ${i + 1}`, events: lane(specs) })) };
        const view = layoutGantt({ activity, wallMs: 10, sequentialMs: 20, detailLimit, resolution });
        expect(view.lanes).toHaveLength(lanes.length);
        let lastEnd = 0;
        view.lanes.forEach((l, i) => {
          const events = activity.lanes[i]!.events;
          for (const e of events) lastEnd = Math.max(lastEnd, e.endMs);
          for (const k of kinds) {
            const ofKind = events.filter((e) => e.kind === k);
            const bars = l.bars.filter((b) => b.kind === k);
            expect(l.counts[k]).toBe(ofKind.length);
            expect(bars.reduce((sum, b) => sum + b.count, 0)).toBe(ofKind.length);
            if (events.length <= detailLimit) expect(bars).toHaveLength(ofKind.length);
            for (let b = 1; b < bars.length; b++) expect(bars[b]!.startMs).toBeGreaterThanOrEqual(bars[b - 1]!.endMs);
            for (const e of ofKind) expect(bars.some((b) => b.startMs <= e.startMs && e.endMs <= b.endMs)).toBe(true);
          }
          expect(l.busyMs).toBeCloseTo(events.reduce((sum, e) => sum + e.endMs - e.startMs, 0), 6);
        });
        expect(view.spanMs).toBeCloseTo(Math.max(20, lastEnd), 9);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the price view", () => {
  it("bins every quote once, groups every quote once, most expensive group first", () => {
    fc.assert(
      fc.property(accessSetsArbitrary({ maxTxs: 60 }), (sets) => {
        const s = scheduleBlock(sets, { baseFee: 10n });
        const quote = s.quote!;
        const view = summarizePrices({ quotes: quote.quotes, baseFee: 10n, flatFee: quote.flatFee, totalFee: quote.totalFee, fnName: (tx) => (tx % 2 === 0 ? "even" : "odd"), groupCount: 1000 });
        const n = sets.txs.length;
        expect(view.bins.reduce((sum, b) => sum + b.count, 0)).toBe(n);
        expect(view.bins.reduce((sum, b) => sum + b.contended, 0)).toBe(view.contended);
        expect(view.contended).toBe(quote.quotes.filter((q) => q.contendedGas > 0).length);
        for (const q of quote.quotes) {
          const bin = view.bins.filter((b) => b.from <= q.multiplier + 1e-9 && q.multiplier < b.to - 1e-9);
          expect(bin, `multiplier ${q.multiplier}`).toHaveLength(1);
        }
        expect(view.groups.reduce((sum, g) => sum + g.count, 0)).toBe(n);
        for (let g = 1; g < view.groups.length; g++) expect(view.groups[g]!.multiplier).toBeLessThanOrEqual(view.groups[g - 1]!.multiplier);
        expect(view.byCall.reduce((sum, c) => sum + c.count, 0)).toBe(n);
        // A block whose transactions all use no gas has no flat fee: the page shows 1×, not 0/0.
        expect(view.ratio).toBeCloseTo(quote.flatFee > 0n ? Number(quote.totalFee) / Number(quote.flatFee) : 1, 5);
      }),
      { numRuns: 150 },
    );
  });

  it("chooses round bin widths", () => {
    expect(binWidth(0.8, 2.5, 24)).toBe(0.1);
    expect(binWidth(1, 1, 24)).toBe(0.01);
    expect(binWidth(0.8, 8, 24)).toBe(0.5);
  });
});
