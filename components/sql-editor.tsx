"use client";

import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap, completionStatus, type Completion, type CompletionContext, type CompletionResult, type CompletionSource } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, LanguageSupport, syntaxHighlighting, syntaxTree } from "@codemirror/language";
import { keywordCompletionSource, PostgreSQL, schemaCompletionSource, type SQLNamespace } from "@codemirror/lang-sql";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers, placeholder as placeholderText } from "@codemirror/view";
import { cn } from "@/components/ui/cn";

// The studio's SQL editor: CodeMirror 6 with SQL highlighting and completion from the project's
// schema (tables, their columns, `table.` or `alias.` → that table's columns, the columns of the
// tables a statement names, keywords). The editable element is `.cm-content`, a textbox carrying
// the aria-label and id, so it is found by role and label like any other field. The view is made
// once, in an effect (nothing of it runs on the server); typing never re-creates it, and a new
// `value` from outside replaces the document without echoing back through onChange.

export interface SqlSchema {
  tables: { name: string; columns: { name: string; type?: string }[] }[];
}

export interface SqlEditorHandle {
  focus(): void;
  getValue(): string;
}

export interface SqlEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** Tables and columns offered by completion. */
  schema?: SqlSchema;
  /** Ctrl/Cmd+Enter. */
  onRun?: () => void;
  /** Ctrl/Cmd+S (the browser's own save is suppressed). */
  onSave?: () => void;
  /** Escape leaves the editor (it loses focus), then this is called. With completions open, Escape only closes them. */
  onEscape?: () => void;
  readOnly?: boolean;
  ariaLabel: string;
  /** Set on the editable element. */
  id?: string;
  placeholder?: string;
  /** Height grows with the text between these many lines (defaults 6 and 24). */
  minLines?: number;
  maxLines?: number;
  /** A fixed CSS height instead (e.g. "20rem"); the text scrolls inside. */
  height?: string;
  className?: string;
  ref?: Ref<SqlEditorHandle>;
}

const LINE_HEIGHT_REM = 1.25;
// Vertical padding of .cm-content (4px top and bottom).
const CONTENT_PADDING_PX = 8;

const theme = EditorView.theme(
  {
    "&": { fontSize: "0.75rem", backgroundColor: "#ffffff", color: "#0f172a" },
    "&.cm-focused": { outline: "none" },
    ".cm-content:focus-visible": { outline: "none" },
    ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: `${LINE_HEIGHT_REM}rem`, overflow: "auto" },
    ".cm-content": { padding: "4px 0", caretColor: "#0f172a" },
    ".cm-line": { padding: "0 8px" },
    ".cm-gutters": { backgroundColor: "#f8fafc", color: "#94a3b8", borderRight: "1px solid #e2e8f0" },
    ".cm-lineNumbers .cm-gutterElement": { padding: "0 6px 0 8px", minWidth: "2.25rem" },
    ".cm-activeLine": { backgroundColor: "#effaf866" },
    ".cm-activeLineGutter": { backgroundColor: "#effaf8", color: "#136a61" },
    "&.cm-focused .cm-matchingBracket": { backgroundColor: "#d7f2ee", outline: "1px solid #1f9e8f" },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "#ffe4e6" },
    ".cm-selectionBackground, &.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "#d7f2ee" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "#0f172a" },
    ".cm-placeholder": { color: "#94a3b8" },
    ".cm-tooltip": { border: "1px solid #e2e8f0", borderRadius: "6px", backgroundColor: "#ffffff", boxShadow: "0 4px 12px rgb(15 23 42 / 0.08)", overflow: "hidden" },
    ".cm-tooltip.cm-tooltip-autocomplete > ul": { fontFamily: "var(--font-mono)", fontSize: "0.75rem", maxHeight: "14rem" },
    ".cm-tooltip.cm-tooltip-autocomplete > ul > li": { padding: "2px 8px", lineHeight: "1.25rem" },
    ".cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "#effaf8", color: "#136a61" },
    ".cm-completionDetail": { color: "#94a3b8", fontStyle: "normal", marginLeft: "0.75rem" },
    ".cm-completionMatchedText": { textDecoration: "none", fontWeight: "600" },
  },
  { dark: false },
);

function heightTheme(minLines: number, maxLines: number, height: string | undefined): Extension {
  const lines = (n: number) => `calc(${n * LINE_HEIGHT_REM}rem + ${CONTENT_PADDING_PX}px)`;
  if (height) return EditorView.theme({ "&": { height }, ".cm-scroller": { height: "100%" } });
  return EditorView.theme({
    ".cm-content, .cm-gutter": { minHeight: lines(minLines) },
    ".cm-scroller": { maxHeight: lines(Math.max(minLines, maxLines)) },
  });
}

/** The schema as lang-sql's namespace: each table with its columns (their type as detail). */
function toNamespace(schema: SqlSchema | undefined): SQLNamespace {
  const namespace: Record<string, SQLNamespace> = {};
  for (const table of schema?.tables ?? []) {
    namespace[table.name] = {
      self: { label: table.name, type: "class", detail: "table" },
      children: table.columns.map((c): Completion => ({ label: c.name, type: "property", detail: c.type?.toLowerCase() })),
    };
  }
  return namespace;
}

const SKIP_NODES = new Set(["String", "LineComment", "BlockComment", "QuotedIdentifier"]);

/** Columns of the tables the current statement names, offered without a `table.` prefix. */
function columnsInScope(schemaRef: { current: SqlSchema | undefined }) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[\p{L}_][\p{L}\p{N}_$]*/u);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    if (from > 0 && context.state.sliceDoc(from - 1, from) === ".") return null;
    if (SKIP_NODES.has(syntaxTree(context.state).resolveInner(context.pos, -1).name)) return null;
    const tables = schemaRef.current?.tables ?? [];
    if (tables.length === 0) return null;
    const text = statementAround(context.state.doc.toString(), context.pos).toLowerCase();
    const named = tables.filter((t) => new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(t.name.toLowerCase())}($|[^\\p{L}\\p{N}_])`, "u").test(text));
    if (named.length === 0) return null;
    const options: Completion[] = named.flatMap((t) => t.columns.map((c) => ({ label: c.name, type: "property", detail: named.length > 1 ? `${t.name}${c.type ? ` · ${c.type.toLowerCase()}` : ""}` : c.type?.toLowerCase(), boost: 1 })));
    return { from, options, validFor: /^[\p{L}\p{N}_$]*$/u };
  };
}

/**
 * Keywords that start with what was typed, from the second letter on (the dialect knows hundreds,
 * and fuzzy matching would bury the columns under them), never after a `.`, where only columns make sense.
 */
function keywordsByPrefix(): CompletionSource {
  const keywords = keywordCompletionSource(PostgreSQL, true);
  return async (context) => {
    const word = context.matchBefore(/[\p{L}\p{N}_$]*/u);
    const typed = word ? context.state.sliceDoc(word.from, context.pos) : "";
    if (word && word.from > 0 && context.state.sliceDoc(word.from - 1, word.from) === ".") return null;
    const result = await keywords(context);
    if (!result) return null;
    // One letter would list a hundred keywords over the columns: wait for two, unless asked (Ctrl+Space).
    if (typed.length < 2) return context.explicit ? result : null;
    const prefix = typed.toUpperCase();
    // No validFor: a shorter prefix (after a backspace) must ask again rather than reuse this narrower list.
    return { from: result.from, options: result.options.filter((o) => o.label.toUpperCase().startsWith(prefix)) };
  };
}

/** PostgreSQL syntax (the closest to DuckDB's) with completion from the schema, keywords and the columns in scope. */
function languageFor(schema: SqlSchema | undefined, schemaRef: { current: SqlSchema | undefined }): Extension {
  const data = PostgreSQL.language.data;
  return new LanguageSupport(PostgreSQL.language, [
    data.of({ autocomplete: schemaCompletionSource({ dialect: PostgreSQL, schema: toNamespace(schema) }) }),
    data.of({ autocomplete: keywordsByPrefix() }),
    data.of({ autocomplete: columnsInScope(schemaRef) }),
  ]);
}

/** The statement (between semicolons) around a position. */
function statementAround(text: string, pos: number): string {
  const start = text.lastIndexOf(";", pos - 1) + 1;
  const end = text.indexOf(";", pos);
  return text.slice(start, end === -1 ? text.length : end);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function SqlEditor({ value, onChange, schema, onRun, onSave, onEscape, readOnly = false, ariaLabel, id, placeholder, minLines = 6, maxLines = 24, height, className, ref }: SqlEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // The latest props, read by the view's handlers (which are made once).
  const latest = useRef({ onChange, onRun, onSave, onEscape });
  const schemaRef = useRef(schema);
  // What the editor last reported: a `value` equal to it is our own echo, never a replacement.
  const emitted = useRef(value);
  const compartments = useRef({ language: new Compartment(), readOnly: new Compartment(), attributes: new Compartment(), height: new Compartment(), placeholder: new Compartment() });
  // The configuration each new state is made with: the view's initial props, then the current ones.
  const config = useRef({ schema, readOnly, ariaLabel, id, placeholder, minLines, maxLines, height });
  const replaceDoc = useRef<((doc: string) => void) | null>(null);
  // Parents often pass a new but equal schema object on every render: only a real change reconfigures.
  const schemaKey = JSON.stringify(schema ?? null);

  useEffect(() => {
    latest.current = { onChange, onRun, onSave, onEscape };
  }, [onChange, onRun, onSave, onEscape]);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => viewRef.current?.focus(),
      getValue: () => viewRef.current?.state.doc.toString() ?? emitted.current,
    }),
    [],
  );

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const c = compartments.current;
    const makeState = (doc: string) => {
      const cfg = config.current;
      return EditorState.create({
        doc,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ icons: false }),
          highlightActiveLine(),
          EditorView.lineWrapping,
          Prec.highest(
            keymap.of([
              {
                key: "Mod-Enter",
                run: () => {
                  if (!latest.current.onRun) return false;
                  latest.current.onRun();
                  return true;
                },
              },
              {
                key: "Mod-s",
                preventDefault: true,
                run: () => {
                  latest.current.onSave?.();
                  return true;
                },
              },
            ]),
          ),
          Prec.highest(
            EditorView.domEventHandlers({
              keydown(event, view) {
                if (event.key !== "Escape" || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
                event.preventDefault();
                if (completionStatus(view.state) !== null) {
                  // Only the popup closes; the page must not treat this Escape as leaving the editor.
                  closeCompletion(view);
                  event.stopPropagation();
                  return true;
                }
                view.contentDOM.blur();
                latest.current.onEscape?.();
                return true;
              },
            }),
          ),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          c.language.of(languageFor(cfg.schema, schemaRef)),
          c.readOnly.of(EditorState.readOnly.of(cfg.readOnly)),
          c.attributes.of(EditorView.contentAttributes.of(contentAttributes(cfg.ariaLabel, cfg.id, cfg.readOnly))),
          c.height.of(heightTheme(cfg.minLines, cfg.maxLines, cfg.height)),
          c.placeholder.of(cfg.placeholder ? placeholderText(cfg.placeholder) : []),
          theme,
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            emitted.current = text;
            latest.current.onChange(text);
          }),
        ],
      });
    };
    const view = new EditorView({ state: makeState(emitted.current), parent: host });
    viewRef.current = view;
    replaceDoc.current = (doc: string) => {
      // A fresh state: the new text with its own undo history (undo never brings back another pair's SQL).
      const hadFocus = view.hasFocus;
      view.setState(makeState(doc));
      if (hadFocus) view.focus();
    };
    return () => {
      replaceDoc.current = null;
      viewRef.current = null;
      view.destroy();
    };
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view || value === emitted.current || value === view.state.doc.toString()) return;
    emitted.current = value;
    replaceDoc.current?.(value);
  }, [value]);

  useEffect(() => {
    config.current = { ...config.current, readOnly, ariaLabel, id, placeholder, minLines, maxLines, height };
    const view = viewRef.current;
    if (!view) return;
    const c = compartments.current;
    view.dispatch({
      effects: [
        c.readOnly.reconfigure(EditorState.readOnly.of(readOnly)),
        c.attributes.reconfigure(EditorView.contentAttributes.of(contentAttributes(ariaLabel, id, readOnly))),
        c.height.reconfigure(heightTheme(minLines, maxLines, height)),
        c.placeholder.reconfigure(placeholder ? placeholderText(placeholder) : []),
      ],
    });
  }, [readOnly, ariaLabel, id, placeholder, minLines, maxLines, height]);

  useEffect(() => {
    const next = JSON.parse(schemaKey) as SqlSchema | null;
    schemaRef.current = next ?? undefined;
    config.current = { ...config.current, schema: next ?? undefined };
    viewRef.current?.dispatch({ effects: compartments.current.language.reconfigure(languageFor(next ?? undefined, schemaRef)) });
  }, [schemaKey]);

  return (
    <div
      ref={hostRef}
      // Holds the editor's height before it mounts, so the page does not jump.
      style={{ minHeight: height ?? `calc(${minLines * LINE_HEIGHT_REM}rem + ${CONTENT_PADDING_PX + 2}px)` }}
      className={cn(
        "overflow-hidden rounded-md border border-slate-300 bg-white shadow-sm focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-100",
        readOnly && "bg-slate-50",
        className,
      )}
      data-sql-editor=""
    />
  );
}

function contentAttributes(ariaLabel: string, id: string | undefined, readOnly: boolean): Record<string, string> {
  return { "aria-label": ariaLabel, ...(id ? { id } : {}), ...(readOnly ? { "aria-readonly": "true" } : {}) };
}
