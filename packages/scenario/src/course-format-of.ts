import type { Course } from "./course.ts";

/**
 * Which kind of course file `file` names, or undefined when it is none. Katacoda's `profile-pathway.json` orders a
 * profile page (entries by `id`, no `course_id`): it is not a course.
 */
export function courseFormatOf(file: string): Course["format"] | undefined {
  const name = file.slice(file.lastIndexOf("/") + 1);
  if (name === "structure.json") return "killercoda-structure";
  if (name.endsWith("-pathway.json") && name !== "profile-pathway.json") return "katacoda-pathway";
  return undefined;
}
