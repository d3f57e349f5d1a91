import "server-only";
import { listEvents } from "@dockyard/db";
import type { PoolReservation } from "@dockyard/protocol";
import { findScenario } from "./catalog.ts";
import { db } from "./db.ts";
import { environmentFor } from "./environments.ts";
import { eventIsWarm } from "./events.ts";
import { reservePools } from "./gateway-client.ts";

/**
 * Tells the gateway which warm pools events need now: for each event on now or starting within half an hour, its
 * warm-pool size of each of its scenarios' kinds of sandbox. The gateway keeps that many ready (on top of its own
 * default) and lets go of what no event needs any more. Run at start, every minute, and when an event changes.
 */
export async function syncWarmPools() {
  const reservations: PoolReservation[] = [];
  for (const event of await listEvents(db())) {
    if (event.warmPool <= 0 || !eventIsWarm(event)) continue;
    const kinds = new Set<string>();
    for (const slug of event.scenarios) {
      const scenario = await findScenario(slug);
      if (!scenario) continue;
      const environment = environmentFor(scenario.imageId);
      const kind = JSON.stringify([environment.hosts, environment.internet]);
      // Two scenarios of one kind share their sandboxes: one reservation covers both.
      if (kinds.has(kind)) continue;
      kinds.add(kind);
      reservations.push({
        name: `event:${event.code}:${slug}`,
        hosts: environment.hosts,
        ...(environment.internet === false ? { internet: false } : {}),
        size: event.warmPool,
      });
    }
  }
  return reservePools(reservations);
}
