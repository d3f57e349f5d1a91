/**
 * The two installations' processes the journey runs on one PostgreSQL database: each is `npm start` (a gateway and a
 * web app, the web app's GATEWAY_URL its own gateway's control API), on ports of its own.
 */
const first = Number(process.env.E2E_MULTI_PORT ?? 3200);

export const INSTANCES = [first, first + 10].map((port, i) => ({
  name: `instance ${i + 1}`,
  /** The web app. */
  web: `http://localhost:${port}`,
  webPort: port,
  /** The gateway as browsers reach it (terminals); its control API is on the next port. */
  gatewayPort: port + 1,
}));

/** The sandboxes' dockyard.instance label: one installation, whose gateways share the engine and the database. */
export const INSTANCE_LABEL = "e2e-multi";
