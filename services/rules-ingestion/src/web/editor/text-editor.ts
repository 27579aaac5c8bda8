/// <reference lib="dom" />
/**
 * The text view: CodeMirror 6 with the rules language's colours, its problems underlined as you type (the language's
 * own checker, in this page: no server round trip, no debounce), completion of the customer's fields and the
 * functions with their types and a line on each, and undo/redo (Ctrl/Cmd-Z, Ctrl/Cmd-Shift-Z or Ctrl-Y).
 */
import { autocompletion, closeBrackets, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic as LintDiagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { completionsAt, diagnose, type ExpressionRole } from '@backbone/rules-language';

/** The language's tokens, coloured: strings, numbers, keywords, names, operators. */
const rulesLanguage = StreamLanguage.define<null>({
  startState: () => null,
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return 'string';
    if (stream.match(/^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/)) return 'number';
    if (stream.match(/^(?:true|false|null|in)\b/)) return 'keyword';
    if (stream.match(/^[A-Za-z_]\w*(?=\s*\()/)) return 'function';
    if (stream.match(/^[A-Za-z_]\w*/)) return 'variableName';
    if (stream.match(/^(?:&&|\|\||==|!=|<=|>=|[<>!+\-*/?:])/)) return 'operator';
    stream.next();
    return null;
  },
});

const KIND_TO_TYPE = { field: 'property', function: 'function', variable: 'variable', keyword: 'keyword' } as const;

function complete(context: CompletionContext) {
  const text = context.state.doc.toString();
  const { from, options } = completionsAt(text, context.pos);
  // Offered unasked only where something is being typed (a word, or just after a dot).
  if (!context.explicit && from === context.pos && text[context.pos - 1] !== '.') return null;
  return {
    from,
    options: options.map((o) => ({ label: o.label, type: KIND_TO_TYPE[o.kind], detail: o.detail, info: o.info })),
  };
}

export interface TextEditor {
  view: EditorView;
  text(): string;
  /** Replaces the text (from the builder), as one step of undo history. */
  setText(text: string): void;
}

/** A CodeMirror editor for a condition or a score, telling `onChange` of every edit. */
export function createTextEditor(
  parent: HTMLElement,
  role: ExpressionRole,
  initial: string,
  onChange: (text: string) => void,
): TextEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        rulesLanguage,
        syntaxHighlighting(defaultHighlightStyle),
        bracketMatching(),
        closeBrackets(),
        EditorView.lineWrapping,
        autocompletion({ override: [complete] }),
        lintGutter(),
        // Checked on every change, at once: checking a 2 KB condition takes well under a millisecond.
        linter(
          (v): LintDiagnostic[] =>
            diagnose(v.state.doc.toString(), role).map((d) => ({ ...d, severity: 'error' as const })),
          { delay: 0 },
        ),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': role === 'condition' ? 'condition (when)' : 'score' }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (text) => {
      if (text !== view.state.doc.toString())
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
  };
}
