import { describe, expect, it } from "vitest";
import { actionForKey, bindingProblem, DEFAULT_SHORTCUTS, parseShortcuts } from "@/lib/review/shortcuts";

describe("review shortcuts", () => {
  it("maps the default keys and the arrows to actions", () => {
    expect(actionForKey(DEFAULT_SHORTCUTS, "a")).toBe("approve");
    expect(actionForKey(DEFAULT_SHORTCUTS, "ArrowDown")).toBe("next");
    expect(actionForKey(DEFAULT_SHORTCUTS, "ArrowUp")).toBe("previous");
    expect(actionForKey(DEFAULT_SHORTCUTS, "z")).toBeNull();
  });

  it("refuses keys taken by another action, reserved keys and long names", () => {
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "r")).toMatch(/already the key for “reject/);
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "1")).toMatch(/menus/);
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "Enter")).toMatch(/menus/);
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "Control")).toMatch(/single letter/);
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "y")).toBeNull();
    expect(bindingProblem(DEFAULT_SHORTCUTS, "approve", "a")).toBeNull();
  });

  it("reads a stored map over the defaults and drops what it cannot use", () => {
    expect(parseShortcuts(JSON.stringify({ approve: "y" })).approve).toBe("y");
    expect(parseShortcuts(JSON.stringify({ approve: "y" })).reject).toBe("r");
    expect(parseShortcuts(JSON.stringify({ approve: "Enter" })).approve).toBe("a");
    expect(parseShortcuts("{not json")).toEqual(DEFAULT_SHORTCUTS);
    expect(parseShortcuts(null)).toEqual(DEFAULT_SHORTCUTS);
    // Two actions on one key: the first keeps it, the second keeps its default.
    const clash = parseShortcuts(JSON.stringify({ approve: "y", reject: "y" }));
    expect([clash.approve, clash.reject]).toEqual(["y", "r"]);
  });
});
