import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { dockyardError, err, ok, type Result } from "@dockyard/protocol";
import { z } from "zod";
import type { SshMachine, SshPools } from "./ssh-pools.ts";

/** Who holds a machine: one host of one session. */
export interface Holding {
  sessionId: string;
  /** The session's name for it: host01, host02, … */
  host: string;
  userId: string;
  scenario: string;
  created: string;
  workdir?: string;
}

/** A machine and what it is doing; free ones wait to be handed out. */
export type MachineStatus = { machine: SshMachine } & (
  | { state: "free" }
  | ({ state: "held" } & Holding)
  /** Given back; the admin's reset command runs (or ran when the gateway stopped, and runs again at boot). */
  | { state: "resetting"; since: string; sessionId: string }
  /** Its reset failed: out of the pool until a reset succeeds (`resetUnusable`, at boot). */
  | { state: "unusable"; since: string; error: string }
);

const record = z.discriminatedUnion("state", [
  z.object({
    state: z.literal("held"),
    sessionId: z.string(),
    host: z.string(),
    userId: z.string(),
    scenario: z.string(),
    created: z.string(),
    workdir: z.string().optional(),
  }),
  z.object({ state: z.literal("resetting"), since: z.string(), sessionId: z.string() }),
  z.object({ state: z.literal("unusable"), since: z.string(), error: z.string() }),
]);
const stateFile = z.object({ version: z.literal(1), machines: z.record(z.string(), record) });
type MachineRecord = z.infer<typeof record>;

const keyOf = (m: { pool: string; name: string }) => `${m.pool}/${m.name}`;

/**
 * Which session holds which machine of the ssh pools. Every change is written to a JSON file at once (written aside
 * and renamed), so a restarted gateway knows what it handed out and never hands a machine out twice. Free machines
 * are not in the file. Records of machines the admin took out of the pools file stay in it (not handed out), so one
 * that is put back is not taken for free before its reset. One gateway per file: two gateways sharing a pool would
 * each think its machines free.
 */
export class MachinePool {
  private readonly machines = new Map<string, SshMachine>();
  private readonly records = new Map<string, MachineRecord>();

  constructor(
    pools: SshPools,
    private readonly file: string,
  ) {
    for (const pool of pools.values()) for (const m of pool.machines) this.machines.set(keyOf(m), m);
    this.load();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new Error(`The ssh machine state ${this.file} cannot be read: ${(error as Error).message}`);
    }
    let parsed: ReturnType<typeof stateFile.safeParse>;
    try {
      parsed = stateFile.safeParse(JSON.parse(text));
    } catch (error) {
      throw new Error(`The ssh machine state ${this.file} is not JSON: ${(error as Error).message}`);
    }
    if (!parsed.success) throw new Error(`The ssh machine state ${this.file} is damaged: ${parsed.error.message}`);
    // Machines the admin took out of the pools file keep their records: put back, they come back as they were.
    for (const [key, value] of Object.entries(parsed.data.machines)) this.records.set(key, value);
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const body = { version: 1, machines: Object.fromEntries(this.records) };
    const aside = `${this.file}.${process.pid}.tmp`;
    writeFileSync(aside, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    renameSync(aside, this.file);
  }

  /**
   * Gives a session one free machine per host, from the pool each names, all or none (synchronously: two sessions
   * asking at once cannot take the same machine). Refused with LIMIT_REACHED when a pool has too few free.
   */
  take(hosts: { pool: string; holding: Holding }[]): Result<{ machine: SshMachine; holding: Holding }[]> {
    const sessionId = hosts[0]?.holding.sessionId;
    if (sessionId && this.session(sessionId)) {
      return err(dockyardError("CONFLICT", `Session ${sessionId} exists already.`));
    }
    const taken = new Set<string>();
    const picks: { machine: SshMachine; holding: Holding }[] = [];
    for (const { pool, holding } of hosts) {
      const machine = [...this.machines.values()].find(
        (m) => m.pool === pool && !this.records.has(keyOf(m)) && !taken.has(keyOf(m)),
      );
      if (!machine) {
        const all = this.status().filter((s) => s.machine.pool === pool);
        const count = (state: string) => all.filter((s) => s.state === state).length;
        const asked = hosts.filter((h) => h.pool === pool).length;
        return err({
          ...dockyardError(
            "LIMIT_REACHED",
            `No free machines in pool ${pool}: this lab needs ${asked}, ${count("free")} of ${all.length} are free (${count("held")} in use, ${count("resetting")} being reset, ${count("unusable")} unusable). Try again when one comes back.`,
          ),
          retryAfterSeconds: 60,
        });
      }
      taken.add(keyOf(machine));
      picks.push({ machine, holding });
    }
    for (const { machine, holding } of picks) this.records.set(keyOf(machine), { state: "held", ...holding });
    this.save();
    return ok(picks);
  }

  /** A session's machines by host name, or undefined when no machine is held for it. */
  session(sessionId: string): { machine: SshMachine; holding: Holding }[] | undefined {
    const held = this.status().flatMap((s) =>
      s.state === "held" && s.sessionId === sessionId ? [{ machine: s.machine, holding: holdingOf(s) }] : [],
    );
    return held.length > 0 ? held.sort((a, b) => a.holding.host.localeCompare(b.holding.host)) : undefined;
  }

  /** Every session that holds machines, with its machines. */
  sessions(): Map<string, { machine: SshMachine; holding: Holding }[]> {
    const sessions = new Map<string, { machine: SshMachine; holding: Holding }[]>();
    for (const s of this.status()) {
      if (s.state !== "held") continue;
      sessions.set(s.sessionId, [...(sessions.get(s.sessionId) ?? []), { machine: s.machine, holding: holdingOf(s) }]);
    }
    return sessions;
  }

  /**
   * The session lets go of its machines: they are being reset from now on (and out of the session). Machines it held
   * that are out of the pools file now are marked too, to be reset if they come back.
   */
  release(sessionId: string): SshMachine[] {
    const released = (this.session(sessionId) ?? []).map((h) => h.machine);
    const since = new Date().toISOString();
    for (const m of released) this.records.set(keyOf(m), { state: "resetting", since, sessionId });
    let absent = 0;
    for (const [key, r] of this.records) {
      if (this.machines.has(key) || r.state !== "held" || r.sessionId !== sessionId) continue;
      this.records.set(key, { state: "resetting", since, sessionId });
      absent += 1;
    }
    if (released.length + absent > 0) this.save();
    return released;
  }

  /** A reset ended: the machine is free again, or unusable with the error. */
  settle(machine: SshMachine, error?: string): void {
    if (error === undefined) this.records.delete(keyOf(machine));
    else this.records.set(keyOf(machine), { state: "unusable", since: new Date().toISOString(), error });
    this.save();
  }

  /** Marks machines as being reset again (their last reset failed, or the gateway stopped during it). */
  resetAgain(which: "resetting" | "unusable"): SshMachine[] {
    const again = this.status().filter((s) => s.state === which);
    const since = new Date().toISOString();
    for (const s of again) this.records.set(keyOf(s.machine), { state: "resetting", since, sessionId: "" });
    if (again.length > 0) this.save();
    return again.map((s) => s.machine);
  }

  /** Every machine of every pool, with its state. */
  status(): MachineStatus[] {
    return [...this.machines].map(([key, machine]) => {
      const r = this.records.get(key);
      return r ? { machine, ...r } : { machine, state: "free" as const };
    });
  }

  has(pool: string): boolean {
    return [...this.machines.values()].some((m) => m.pool === pool);
  }
}

function holdingOf(s: Holding): Holding {
  return {
    sessionId: s.sessionId,
    host: s.host,
    userId: s.userId,
    scenario: s.scenario,
    created: s.created,
    ...(s.workdir ? { workdir: s.workdir } : {}),
  };
}
