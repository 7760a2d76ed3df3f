// Keyboard shortcuts of the review workspace. Single keys (no modifier) act outside text fields and
// can be re-bound by each reviewer; the editor's modifier shortcuts (Ctrl+Enter run, Ctrl+S save,
// Ctrl+Shift+Enter save and next) are fixed. Bindings are kept in the browser (localStorage).

export const SHORTCUT_ACTIONS = ["next", "previous", "approve", "reject", "reopen", "editSql", "editQuestion", "run", "flag", "comment", "history", "help"] as const;
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number];
export type ShortcutMap = Record<ShortcutAction, string>;

export const DEFAULT_SHORTCUTS: ShortcutMap = {
  next: "j",
  previous: "k",
  approve: "a",
  reject: "r",
  reopen: "u",
  editSql: "e",
  editQuestion: "q",
  run: "x",
  flag: "f",
  comment: "c",
  history: "h",
  help: "?",
};

export const SHORTCUT_LABELS: Record<ShortcutAction, string> = {
  next: "next pair (also ↓)",
  previous: "previous pair (also ↑)",
  approve: "approve and go to the next",
  reject: "reject: pick a reason with 1–8, Enter for none",
  reopen: "reopen (back to pending)",
  editSql: "edit the SQL",
  editQuestion: "edit the question",
  run: "run the SQL",
  flag: "flags: toggle with 1–4",
  comment: "write a comment",
  history: "show or hide the history",
  help: "show or hide these shortcuts",
};

/** Fixed shortcuts shown in the cheat sheet beside the configurable ones. */
export const FIXED_SHORTCUTS: [string, string][] = [
  ["Ctrl+Enter", "run the SQL (in an editor)"],
  ["Ctrl+S", "save the edit"],
  ["Ctrl+Shift+Enter", "save the edit and go to the next pair"],
  ["Esc", "leave the editor, close a menu"],
];

const STORAGE_KEY = "sandpiper.review.shortcuts";

/** Keys that cannot be bound: they move focus, scroll or type in every field. */
const RESERVED = new Set(["Tab", "Enter", "Escape", " ", "Backspace", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

/** Why a key cannot be bound to an action in a map, or null when it can. */
export function bindingProblem(map: ShortcutMap, action: ShortcutAction, key: string): string | null {
  if (RESERVED.has(key)) return `“${key}” is used by the menus and cannot be a shortcut.`;
  if (key.length !== 1 && !/^F\d{1,2}$/.test(key)) return `“${key}” cannot be a shortcut: use a single letter or symbol, or an F-key.`;
  const taken = SHORTCUT_ACTIONS.find((a) => a !== action && map[a] === key);
  return taken ? `“${key}” is already the key for “${SHORTCUT_LABELS[taken]}”.` : null;
}

/** A stored map merged over the defaults; anything unreadable or conflicting falls back to the defaults. */
export function parseShortcuts(stored: string | null): ShortcutMap {
  if (!stored) return { ...DEFAULT_SHORTCUTS };
  try {
    const value = JSON.parse(stored) as Partial<Record<string, unknown>>;
    const map = { ...DEFAULT_SHORTCUTS };
    for (const action of SHORTCUT_ACTIONS) {
      const key = value[action];
      if (typeof key === "string" && bindingProblem({ ...map, [action]: "" }, action, key) === null) map[action] = key;
    }
    const keys = SHORTCUT_ACTIONS.map((a) => map[a]);
    return new Set(keys).size === keys.length ? map : { ...DEFAULT_SHORTCUTS };
  } catch {
    // Unreadable storage: the defaults, and the next change overwrites it.
    return { ...DEFAULT_SHORTCUTS };
  }
}

export function loadShortcuts(): ShortcutMap {
  if (typeof window === "undefined") return { ...DEFAULT_SHORTCUTS };
  return parseShortcuts(window.localStorage.getItem(STORAGE_KEY));
}

export function saveShortcuts(map: ShortcutMap): void {
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(map));
}

/** The action a key press means (arrows always move), or null. */
export function actionForKey(map: ShortcutMap, key: string): ShortcutAction | null {
  if (key === "ArrowDown") return "next";
  if (key === "ArrowUp") return "previous";
  return SHORTCUT_ACTIONS.find((a) => map[a] === key) ?? null;
}
