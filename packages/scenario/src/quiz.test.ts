import { describe, expect, it } from "vitest";
import { extractQuiz } from "./extract-quiz.ts";
import { checkQuiz } from "./quiz.ts";
import { renderMarkdown } from "./render-markdown.ts";

const QUIZ = [
  ">>Q1: Enter the exact string test<<",
  "=== test",
  "",
  ">>Q2: Enter the string containing test<<",
  "=~= test",
  "",
  ">>Q3: Multiple Choice <<",
  "[*] Correct",
  "[*] Also correct",
  "[ ] Incorrect",
  "",
  ">>Q4: Single Choice <<",
  "(*) Correct",
  "( ) Incorrect",
  "",
  "<pre>",
  ">>Q5: shown as syntax, not a question<<",
  "=== no",
  "</pre>",
].join("\n");

describe("quizzes", () => {
  it("reads Katacoda's four kinds of question, not the ones shown inside <pre>", () => {
    const questions = extractQuiz(QUIZ);
    expect(questions.map((q) => [q.id, q.kind])).toEqual([
      ["Q1", "exact"],
      ["Q2", "contains"],
      ["Q3", "multiple"],
      ["Q4", "single"],
    ]);
  });

  it("renders inputs without giving the answers away", () => {
    const html = renderMarkdown(QUIZ);
    expect(html).toContain('<fieldset class="dy-quiz" data-quiz="Q1" data-kind="exact">');
    expect(html).toContain('<input type="checkbox" name="Q3" value="1" />');
    expect(html).toContain('<input type="radio" name="Q4" value="0" />');
    expect(html).not.toMatch(/\[\*\]|\(\*\)|=== test|=~= test/);
    expect(html).toContain("&gt;&gt;Q5: shown as syntax");
  });

  it("checks answers: exact, contains (any case), every correct option and no wrong one", () => {
    const questions = extractQuiz(QUIZ);
    expect(checkQuiz(questions, { Q1: " test ", Q2: "a TEST here", Q3: [0, 1], Q4: [0] })).toEqual({
      Q1: true,
      Q2: true,
      Q3: true,
      Q4: true,
    });
    expect(checkQuiz(questions, { Q1: "Test", Q2: "nope", Q3: [0], Q4: [1] })).toEqual({
      Q1: false,
      Q2: false,
      Q3: false,
      Q4: false,
    });
    expect(checkQuiz(questions, { Q3: [0, 1, 2] }).Q3).toBe(false);
    expect(checkQuiz(questions, {})).toEqual({ Q1: false, Q2: false, Q3: false, Q4: false });
  });

  it("reads a question right after a line of text, and never shows an unreadable one's answers", () => {
    const html = renderMarkdown("Answer this:\n>>Q1: Name?<<\n=== secret\n\n>>Q2: Broken<<\n=== a\n[*] b");
    expect(extractQuiz("Answer this:\n>>Q1: Name?<<\n=== secret").map((q) => q.id)).toEqual(["Q1"]);
    expect(html).toContain('data-quiz="Q1"');
    expect(html).toContain("could not be read");
    expect(html).not.toMatch(/secret|=== a|\[\*\]/);
  });

  it("keeps hostile HTML out of questions and drops inputs of other types", () => {
    const html = renderMarkdown(
      '>>Q1: <img src=x onerror=alert(1)><<\n=== a\n\n<input type="submit"><input type="password">',
    );
    expect(html).not.toMatch(/<img|type="submit"|type="password"/);
    expect(html).toContain("<legend>&lt;img src=x onerror=alert(1)&gt;</legend>");
  });
});
