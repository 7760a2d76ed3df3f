import { describe, expect, it } from "vitest";
import { ACTIVE_GAP_CAP_MS, activeTimeMs, hoursLeft, percentOf, ratePerHour, readKappa } from "@/lib/review/progress";

const MIN = 60_000;

describe("activeTimeMs", () => {
  it("sums the gaps between consecutive actions", () => {
    expect(activeTimeMs([0, 2 * MIN, 5 * MIN, 6 * MIN])).toBe(6 * MIN);
  });

  it("caps each gap at ten minutes, so a break counts as ten minutes at most", () => {
    expect(ACTIVE_GAP_CAP_MS).toBe(10 * MIN);
    expect(activeTimeMs([0, 1 * MIN, 3 * 60 * MIN, 3 * 60 * MIN + 2 * MIN])).toBe(1 * MIN + 10 * MIN + 2 * MIN);
  });

  it("takes the actions in any order", () => {
    expect(activeTimeMs([5 * MIN, 0, 2 * MIN])).toBe(5 * MIN);
  });

  it("is zero for no action or a single one, and for actions at the same instant", () => {
    expect(activeTimeMs([])).toBe(0);
    expect(activeTimeMs([42])).toBe(0);
    expect(activeTimeMs([7, 7, 7])).toBe(0);
  });

  it("takes another cap", () => {
    expect(activeTimeMs([0, 5 * MIN, 6 * MIN], 2 * MIN)).toBe(3 * MIN);
  });
});

describe("ratePerHour and hoursLeft", () => {
  it("divides by the active hours", () => {
    expect(ratePerHour(30, 30 * MIN)).toBe(60);
    expect(ratePerHour(0, 30 * MIN)).toBe(0);
  });

  it("has no rate without active time", () => {
    expect(ratePerHour(5, 0)).toBeNull();
    // A few decisions within seconds give no rate rather than thousands an hour.
    expect(ratePerHour(4, 10_000)).toBeNull();
    expect(ratePerHour(5, 5 * MIN)).toBe(60);
  });

  it("estimates the hours left at the rate", () => {
    expect(hoursLeft(90, 60)).toBe(1.5);
    expect(hoursLeft(0, null)).toBe(0);
    expect(hoursLeft(10, null)).toBeNull();
    expect(hoursLeft(10, 0)).toBeNull();
  });
});

describe("readKappa", () => {
  it("reads Landis and Koch's bands", () => {
    expect(readKappa(null)).toBe("undefined");
    expect(readKappa(-0.1)).toBe("poor");
    expect(readKappa(0)).toBe("slight");
    expect(readKappa(0.2)).toBe("slight");
    expect(readKappa(0.35)).toBe("fair");
    expect(readKappa(0.6)).toBe("moderate");
    expect(readKappa(0.7)).toBe("substantial");
    expect(readKappa(0.81)).toBe("almost perfect");
    expect(readKappa(1)).toBe("almost perfect");
  });
});

describe("percentOf", () => {
  it("is a percentage, 0 of nothing", () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(3, 0)).toBe(0);
  });
});
