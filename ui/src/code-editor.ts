// The hook editor's CodeMirror 6 view: JavaScript highlighting, and the server's compile
// (POST /hooks/compile, debounced by the linter) shown as a diagnostic at its line and column.
// Imported only by the editor page, with import(), so the first page stays small.
// The view lives in a shadow root: CodeMirror's generated styles are then constructed style
// sheets (adoptedStyleSheets), which the dashboard's CSP (style-src 'self', no inline <style>)
// allows; in the document itself they would be <style> elements, which it refuses.
import { javascript } from '@codemirror/lang-javascript';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';

/** A compile problem: 1-based line and column (as the API gives them), when known. */
export interface CompileProblem {
  message: string;
  line?: number;
  column?: number;
}

export interface CodeEditorOptions {
  doc: string;
  onChange: (source: string) => void;
  /** The server's verdict on a source: undefined when it compiles. */
  compile: (source: string) => Promise<CompileProblem | undefined>;
  /** Milliseconds of quiet before compiling (default 400). */
  delay?: number;
}

/** Where a 1-based line and column fall in the document (clamped to it). */
export function positionOf(view: EditorView, line?: number, column?: number): { from: number; to: number } {
  const doc = view.state.doc;
  if (line === undefined) return { from: 0, to: Math.min(doc.length, doc.line(1).to) };
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const from = Math.min(at.from + Math.max((column ?? 1) - 1, 0), at.to);
  // One character wide, or the rest of the line when at its end.
  return { from, to: from < at.to ? from + 1 : at.to };
}

// Syntax colours from the page's variables (style.css sets them per theme), so the editor
// follows light and dark without being rebuilt; basicSetup's default style is only a fallback.
const syntax = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier, tags.controlKeyword], color: 'var(--syn-keyword)' },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.definition(tags.variableName), tags.function(tags.variableName), tags.className], color: 'var(--syn-name)' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--syn-property)' },
  { tag: tags.invalid, color: 'var(--bad)' },
]);

// The page's colours (CSS variables inherit into the shadow root).
const theme = EditorView.theme({
  '&': { minHeight: '16rem', maxHeight: '32rem', fontSize: '13px', backgroundColor: 'var(--card)', color: 'var(--fg)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--card)', color: 'var(--muted)', borderColor: 'var(--line)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 10%, transparent)' },
  '.cm-tooltip': { backgroundColor: 'var(--card)', color: 'var(--fg)', borderColor: 'var(--line)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': { backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent)' },
  '.cm-matchingBracket': { backgroundColor: 'color-mix(in srgb, var(--ok) 25%, transparent)' },
});

export function createCodeEditor(host: HTMLElement, opts: CodeEditorOptions): EditorView {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const parent = document.createElement('div');
  root.append(parent);
  const compileLinter = linter(async (view): Promise<Diagnostic[]> => {
    const source = view.state.doc.toString();
    let problem: CompileProblem | undefined;
    try {
      problem = await opts.compile(source);
    } catch {
      return []; // The daemon did not answer: the save button will say why.
    }
    if (!problem || view.state.doc.toString() !== source) return [];
    const { from, to } = positionOf(view, problem.line, problem.column);
    return [{ from, to, severity: 'error', source: 'compile', message: problem.message }];
  }, { delay: opts.delay ?? 400 });
  return new EditorView({
    root,
    parent,
    doc: opts.doc,
    extensions: [
      basicSetup,
      theme,
      syntaxHighlighting(syntax),
      javascript({ typescript: false }),
      lintGutter(),
      compileLinter,
      EditorView.contentAttributes.of({ 'aria-label': 'Source', spellcheck: 'false' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) opts.onChange(u.state.doc.toString());
      }),
    ],
  });
}
