import type { MarkdownIt, StateBlock } from "markdown-it";
import { isTextQuestion, parseQuizLines, type QuizQuestion } from "./quiz.ts";

/**
 * Katacoda quizzes as markdown blocks. The question's answers never reach the page: the browser shows inputs, the
 * server checks what the learner chose (`checkQuiz`).
 */
export function quizPlugin(md: MarkdownIt): void {
  // Before blockquote: `>>Q1: …<<` would otherwise read as a quote.
  md.block.ruler.before("blockquote", "dy_quiz", (state: StateBlock, startLine, endLine, silent) => {
    const lineText = (n: number) =>
      state.src.slice((state.bMarks[n] ?? 0) + (state.tShift[n] ?? 0), state.eMarks[n] ?? 0);
    if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4 || !lineText(startLine).startsWith(">>")) return false;
    let next = startLine + 1;
    while (next < endLine && !state.isEmpty(next) && !lineText(next).startsWith(">>")) next++;
    const lines = [];
    for (let n = startLine; n < next; n++) lines.push(lineText(n));
    const question = parseQuizLines(lines);
    if (!question) return false;
    if (silent) return true;
    const token = state.push("dy_quiz", "fieldset", 0);
    token.meta = question;
    token.map = [startLine, next];
    token.block = true;
    state.line = next;
    return true;
  });

  md.renderer.rules.dy_quiz = (tokens, idx) => renderQuestion(tokens[idx]?.meta as QuizQuestion, md.utils.escapeHtml);
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
