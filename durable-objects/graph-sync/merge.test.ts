/** The pure settlement rules: three-way merge, last-writer-wins ordering, JSON merge patch, HLC clocks. */
import { describe, expect, it } from "vitest";
import { formatHlc, HlcClock, parseHlc } from "../../shared/graph-sync/hlc";
import { canonicalJson, localIsLater, mergePatch, settle, threeWayMerge } from "./merge";

describe("threeWayMerge", () => {
  it("takes each side's own changes and the base for the rest", () => {
    const base = { name: "Hall", floor: 0, attributes: { paint: "white", lights: 2 } };
    const local = { name: "Hall", floor: 1, attributes: { paint: "white", lights: 3 } };
    const remote = { name: "Entrance", floor: 0, attributes: { paint: "blue", lights: 2 } };
    expect(threeWayMerge(base, local, remote, true)).toEqual({
      content: { name: "Entrance", floor: 1, attributes: { paint: "blue", lights: 3 } },
      clashes: [],
    });
  });

  it("keeps a field one side removed removed, and one side added added", () => {
    const base = { name: "A", description: "x" };
    expect(threeWayMerge(base, { name: "A" }, { name: "A", description: "x", area_m2: 4 }, false).content).toEqual({
      name: "A",
      area_m2: 4,
    });
  });

  it("gives a field both changed to the later writer and reports it", () => {
    const { content, clashes } = threeWayMerge({ name: "A" }, { name: "B" }, { name: "C" }, false);
    expect(content).toEqual({ name: "C" });
    expect(clashes).toEqual([{ path: "name", local: "B", remote: "C", winner: "remote" }]);
  });

  it("treats arrays as whole values and merges without a base as if every field were new", () => {
    const { clashes } = threeWayMerge({ tags: ["a"] }, { tags: ["a", "b"] }, { tags: ["c"] }, true);
    expect(clashes[0]?.path).toBe("tags");
    expect(threeWayMerge(null, { name: "X", a: 1 }, { name: "X", b: 2 }, true).content).toEqual({
      name: "X",
      a: 1,
      b: 2,
    });
  });

  it("is the same whichever side is local, given the same winner", () => {
    const base = { name: "A", x: 1, y: 1 };
    const left = { name: "L", x: 2, y: 1 };
    const right = { name: "R", x: 1, y: 3 };
    expect(canonicalJson(threeWayMerge(base, left, right, true).content)).toBe(
      canonicalJson(threeWayMerge(base, right, left, false).content),
    );
  });
});

describe("settle", () => {
  const side = (version: string, hlc: string, content: Record<string, unknown> | null) => ({
    version,
    hlc,
    deleted: content === null,
    content,
  });

  it("orders writes by HLC, then by version id", () => {
    expect(localIsLater(side("a", "2", {}), side("b", "1", {}))).toBe(true);
    expect(localIsLater(side("a", "1", {}), side("b", "1", {}))).toBe(false);
  });

  it("lww keeps the later write whole; merge falls back to it when one side deletes", () => {
    const local = side("l", "2", { name: "L" });
    const remote = side("r", "1", null);
    expect(settle("lww", null, local, remote)).toMatchObject({
      deleted: false,
      content: { name: "L" },
      winner: "local",
    });
    expect(settle("merge", null, local, remote)).toMatchObject({ deleted: false, winner: "local", hlc: "2" });
    expect(settle("merge", null, side("l", "0", null), remote)).toMatchObject({ deleted: true, winner: "both" });
  });
});

describe("mergePatch", () => {
  it("follows RFC 7396", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: 4 }, e: [1] })).toEqual({
      b: { c: 4, d: 3 },
      e: [1],
    });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
  });
});

describe("HlcClock", () => {
  it("ticks monotonically even when wall time stands still or goes back", () => {
    let now = 1000;
    const clock = new HlcClock("dev", () => now);
    const first = clock.tick();
    const second = clock.tick();
    now = 500;
    const third = clock.tick();
    expect(first < second && second < third).toBe(true);
    expect(parseHlc(third)).toEqual({ wall: 1000, counter: 2, node: "dev" });
  });

  it("orders its next tick after any clock it received", () => {
    const clock = new HlcClock("a", () => 1000);
    const remote = formatHlc({ wall: 5000, counter: 7, node: "b" });
    clock.receive(remote);
    expect(clock.tick() > remote).toBe(true);
    expect(parseHlc("garbage")).toBeNull();
  });
});
