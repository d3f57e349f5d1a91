import { lessonMarkdown } from "./lesson-markdown.ts";
import type { QuizQuestion } from "./quiz.ts";

/** The quiz questions of a lesson page, in order. */
export function extractQuiz(markdown: string): QuizQuestion[] {
  return lessonMarkdown
    .parse(markdown, {})
    .filter((token) => token.type === "dy_quiz" && token.meta)
    .map((token) => token.meta as QuizQuestion);
}

/** Whether a step has something to pass before Next: a verify script or a quiz. */
export function stepHasCheck(step: { verify?: string; markdown: string }): boolean {
  return Boolean(step.verify) || extractQuiz(step.markdown).length > 0;
}
