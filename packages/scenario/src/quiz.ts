/** A Katacoda quiz question: `>>Q1: question<<` followed directly by its answer lines. */
export interface TextQuestion {
  id: string;
  question: string;
  kind: "exact" | "contains";
  answer: string;
}
export interface ChoiceQuestion {
  id: string;
  question: string;
  kind: "multiple" | "single";
  options: { text: string; correct: boolean }[];
}
export type QuizQuestion = TextQuestion | ChoiceQuestion;

export const isTextQuestion = (q: QuizQuestion): q is TextQuestion => q.kind === "exact" || q.kind === "contains";

/** A learner's answers, by question id: text for `exact`/`contains`, chosen option indexes for the others. */
export type QuizAnswers = Record<string, string | number[]>;

const QUESTION = /^>>\s*(Q[\w-]*)\s*:\s*(.*?)\s*<<\s*$/;
const ANSWER = /^(===|=~=)\s?(.*)$/;
const OPTION = /^(\[[* ]\]|\([* ]\))\s?(.*)$/;

/** Reads one question from its lines (the question line, then answer lines); undefined when it is not one. */
export function parseQuizLines(lines: string[]): QuizQuestion | undefined {
  const head = QUESTION.exec(lines[0]?.trim() ?? "");
  if (!head) return undefined;
  const [, id = "", question = ""] = head;
  const body = lines.slice(1).map((l) => l.trim());
  const text = ANSWER.exec(body[0] ?? "");
  if (text && body.length === 1) {
    return { id, question, kind: text[1] === "===" ? "exact" : "contains", answer: text[2] ?? "" };
  }
  const options = body.map((l) => OPTION.exec(l));
  if (options.length === 0 || options.some((o) => !o)) return undefined;
  const single = options.every((o) => o?.[1]?.startsWith("("));
  const multiple = options.every((o) => o?.[1]?.startsWith("["));
  if (!single && !multiple) return undefined;
  return {
    id,
    question,
    kind: single ? "single" : "multiple",
    options: options.map((o) => ({ text: o?.[2] ?? "", correct: o?.[1]?.includes("*") ?? false })),
  };
}

/** Which questions the answers get right. Text is compared trimmed; `contains` ignores case. */
export function checkQuiz(questions: QuizQuestion[], answers: QuizAnswers): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (const q of questions) {
    const given = answers[q.id];
    if (isTextQuestion(q)) {
      const text = typeof given === "string" ? given.trim() : "";
      result[q.id] =
        q.kind === "exact" ? text === q.answer.trim() : text.toLowerCase().includes(q.answer.trim().toLowerCase());
    } else {
      const chosen = new Set(Array.isArray(given) ? given : []);
      result[q.id] = q.options.every((o, i) => o.correct === chosen.has(i));
    }
  }
  return result;
}
