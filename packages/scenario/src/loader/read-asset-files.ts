import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { matchAssetGlob } from "../match-asset-glob.ts";
import type { ScenarioAsset } from "../scenario.ts";
import { createDirLister } from "./create-dir-lister.ts";

/** A file to copy into a sandbox host: where it goes, its bytes and its mode. */
export interface AssetFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** More than this is not a lesson's assets: copying stops with an error. */
export const MAX_ASSET_BYTES = 20 * 1024 * 1024;

/** Where `~/dir` and relative targets land: the learner is root. */
const targetDir = (target: string) =>
  (target.replace(/^~(?=\/|$)/, "/root").replace(/\/+$/, "") || "/").replace(/^(?!\/)/, "/root/");

/** `chmod` as written in index.json: octal (`0755`, `777`) or symbolic (`+x`). */
function modeOf(chmod: string | undefined): number {
  if (!chmod) return 0o644;
  if (/^[0-7]{3,4}$/.test(chmod)) return Number.parseInt(chmod, 8);
  return /x/.test(chmod) ? 0o755 : 0o644;
}

/**
 * The files a scenario's `details.assets` copy to one sandbox host, read from its `assets/` folder (never outside
 * it). Katacoda's `client` is the learner's machine, which here is host01. A glob keeps each match's path below the
 * glob's fixed part, like Katacoda.
 */
export function readAssetFiles(scenarioDir: string, assets: ScenarioAsset[], host: string): AssetFile[] {
  const hosts = host === "host01" ? ["host01", "client"] : [host];
  const root = path.join(scenarioDir, "assets");
  const all = createDirLister(scenarioDir)("assets") ?? [];
  const files: AssetFile[] = [];
  let total = 0;
  for (const asset of assets.filter((a) => hosts.includes(a.host))) {
    const glob = asset.file
      .replace(/\\/g, "/")
      .replace(/\/{2,}/g, "/")
      .replace(/^(?:\.\/)+/, "");
    const star = glob.search(/[*?]/);
    const fixed = star < 0 ? glob.slice(0, glob.lastIndexOf("/") + 1) : glob.slice(0, glob.lastIndexOf("/", star) + 1);
    for (const file of matchAssetGlob(glob, all)) {
      total += statSync(path.join(root, file)).size;
      if (total > MAX_ASSET_BYTES) throw new Error(`The assets are larger than ${MAX_ASSET_BYTES / 1024 / 1024} MB.`);
      files.push({
        path: `${targetDir(asset.target)}/${file.slice(fixed.length)}`,
        content: readFileSync(path.join(root, file)),
        mode: modeOf(asset.chmod),
      });
    }
  }
  return files;
}
