import { z } from "zod";

/** Katacoda `<course>-pathway.json`; `course_id` names a scenario directory under `<course>/`. */
export const katacodaPathwaySchema = z.looseObject({
  title: z.string().optional(),
  description: z.string().optional(),
  courses: z.array(
    z.looseObject({
      course_id: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      /** Borrows the scenario from another pathway (another course folder, or the repository's own scenarios). */
      pathway_id: z.string().optional(),
    }),
  ),
});

/** Killercoda `structure.json`; `path` is relative to the file's folder and may name a scenario or a course folder. */
export const killercodaStructureSchema = z.looseObject({
  title: z.string().optional(),
  description: z.string().optional(),
  items: z.array(z.looseObject({ path: z.string(), title: z.string().optional(), description: z.string().optional() })),
});
