import { z } from "zod";

/** Katacoda sometimes wrote booleans as strings. */
const flag = z.union([z.boolean(), z.enum(["true", "false"])]).transform((value) => value === true || value === "true");
const port = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const pageFields = {
  title: z.string().optional(),
  text: z.string().optional(),
  background: z.string().optional(),
  foreground: z.string().optional(),
  /** Old spelling of `background`. */
  courseData: z.string().optional(),
  /** Old spelling of `foreground`. */
  code: z.string().optional(),
  credits: z.string().optional(),
};

const stepFields = {
  ...pageFields,
  verify: z.string().optional(),
  answer: z.string().optional(),
  hint: z.string().optional(),
  solve: z.string().optional(),
};

export const pageSchema = z.looseObject(pageFields);
export const stepSchema = z.looseObject(stepFields);
export const PAGE_FIELDS: readonly string[] = Object.keys(pageFields);
export const STEP_FIELDS: readonly string[] = Object.keys(stepFields);

const assetSchema = z.looseObject({ file: z.string(), target: z.string(), chmod: z.string().optional() });

const detailsFields = {
  intro: pageSchema.optional(),
  steps: z.array(stepSchema).optional(),
  finish: pageSchema.optional(),
  assets: z.record(z.string(), z.array(assetSchema)).optional(),
};
export const DETAILS_FIELDS: readonly string[] = Object.keys(detailsFields);

const environmentSchema = z.looseObject({
  uilayout: z.string().optional(),
  showide: flag.optional(),
  uieditorpath: z.string().optional(),
  hideintro: flag.optional(),
  hidefinish: flag.optional(),
  showdashboard: flag.optional(),
  terminals: z
    .array(z.looseObject({ name: z.string(), target: z.string().optional(), command: z.string().optional() }))
    .optional(),
  dashboards: z
    .array(z.looseObject({ name: z.string(), port: port.optional(), href: z.string().optional() }))
    .optional(),
});

const rootFields = {
  title: z.string().optional(),
  description: z.string().optional(),
  difficulty: z.string().optional(),
  time: z.string().optional(),
  /** `challenge@0.8` / `challenge@1.0` mark a challenge. */
  type: z.string().optional(),
  details: z.looseObject(detailsFields).optional(),
  environment: environmentSchema.optional(),
  backend: z
    .looseObject({
      imageid: z.string().optional(),
      dockerimage: z.string().optional(),
      /** Dockyard: the images its nested Docker engines pull, which an admin preloads into the registry mirror. */
      images: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/, "an image reference such as redis:7.0"))
        .optional(),
    })
    .optional(),
  interface: z.looseObject({ layout: z.string().optional() }).optional(),
};

/** Rare root fields seen in published scenarios: accepted without a warning. */
const RARE_ROOT_FIELDS = ["icon", "private", "noindex", "files", "events", "pathwayTitle", "id", "asyncFiles"];
export const ROOT_FIELDS: readonly string[] = [...Object.keys(rootFields), ...RARE_ROOT_FIELDS];

/** `index.json` of a Katacoda or Killercoda scenario. Unknown fields pass through; the parser warns about them. */
export const indexJsonSchema = z.looseObject(rootFields);
export type IndexJson = z.infer<typeof indexJsonSchema>;
