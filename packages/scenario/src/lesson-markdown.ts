import MarkdownIt from "markdown-it";
import { markdownActionsPlugin } from "./markdown-actions-plugin.ts";
import { quizPlugin } from "./quiz-plugin.ts";

/** The one markdown-it set-up for lessons: HTML allowed (sanitized after), links found, action markers and quizzes parsed. */
export const lessonMarkdown = new MarkdownIt({ html: true, linkify: true }).use(markdownActionsPlugin).use(quizPlugin);
