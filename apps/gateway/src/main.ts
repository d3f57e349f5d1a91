import { DockerDriver } from "@dockyard/sandbox";
import Docker from "dockerode";
import { loadEnv } from "./env.ts";
import { createGatewayServer } from "./gateway-server.ts";

const env = loadEnv();
const driver = new DockerDriver({
  docker: new Docker({ socketPath: env.DOCKER_SOCKET }),
  instance: env.DOCKYARD_INSTANCE,
});
const { server, internal, terminals } = createGatewayServer({
  driver,
  secret: env.DOCKYARD_SECRET,
  allowedOrigins: env.DOCKYARD_ALLOWED_ORIGINS,
  webUrl: env.WEB_PUBLIC_URL.replace(/\/$/, ""),
});

server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST, async () => {
  const docker = await driver.ping();
  console.log(
    `[gateway] listening on http://${env.GATEWAY_HOST}:${env.GATEWAY_PORT} (docker: ${docker.ok ? docker.value.version : docker.error.message})`,
  );
});

internal.listen(env.GATEWAY_INTERNAL_PORT, env.GATEWAY_INTERNAL_HOST, () => {
  console.log(`[gateway] control API on http://${env.GATEWAY_INTERNAL_HOST}:${env.GATEWAY_INTERNAL_PORT}`);
});

const shutdown = () => {
  terminals.closeAll();
  internal.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
