import type { MarkdownIt, StateBlock } from "markdown-it";
import { isTextQuestion, parseQuizLines, type QuizQuestion } from "./quiz.ts";

/**
 * Katacoda quizzes as markdown blocks. The question's answers never reach the page: the browser shows inputs, the
 * server checks what the learner chose (`checkQuiz`).
 */
export function quizPlugin(md: MarkdownIt): void {
  // Before blockquote: `>>Q1: …<<` would otherwise read as a quote.
  md.block.ruler.before(
    "blockquote",
    "dy_quiz",
    (state: StateBlock, startLine, endLine, silent) => {
      const lineText = (n: number) =>
        state.src.slice((state.bMarks[n] ?? 0) + (state.tShift[n] ?? 0), state.eMarks[n] ?? 0);
      if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4 || !lineText(startLine).startsWith(">>")) return false;
      let next = startLine + 1;
      while (next < endLine && !state.isEmpty(next) && !lineText(next).startsWith(">>")) next++;
      const lines = [];
      for (let n = startLine; n < next; n++) lines.push(lineText(n));
      if (!/^>>\s*Q[\w-]*\s*:/.test(lines[0] ?? "")) return false;
      if (silent) return true;
      // A question line is always taken: one that cannot be read must not fall back to text showing its answers.
      const token = state.push("dy_quiz", "fieldset", 0);
      token.meta = parseQuizLines(lines) ?? null;
      token.map = [startLine, next];
      token.block = true;
      state.line = next;
      return true;
    },
    // A question may follow a line of text directly, as Katacoda's own examples do.
    { alt: ["paragraph", "reference", "blockquote", "list"] },
  );

  md.renderer.rules.dy_quiz = (tokens, idx) => {
    const question = tokens[idx]?.meta as QuizQuestion | null;
    if (!question) return `<p class="dy-quiz-error">This quiz question could not be read.</p>\n`;
    return renderQuestion(question, md.utils.escapeHtml);
  };
}

function renderQuestion(q: QuizQuestion, esc: (s: string) => string): string {
  const id = esc(q.id);
  const legend = `<legend>${esc(q.question)}</legend>`;
  if (isTextQuestion(q)) {
    return `<fieldset class="dy-quiz" data-quiz="${id}" data-kind="${q.kind}">${legend}<input type="text" name="${id}" aria-label="${esc(q.question)}" /></fieldset>\n`;
  }
  const type = q.kind === "single" ? "radio" : "checkbox";
  const options = q.options
    .map((o, i) => `<label><input type="${type}" name="${id}" value="${i}" /> ${esc(o.text)}</label>`)
    .join("");
  return `<fieldset class="dy-quiz" data-quiz="${id}" data-kind="${q.kind}">${legend}${options}</fieldset>\n`;
}
