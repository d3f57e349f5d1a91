// An HTTP server on PORT that counts its visits in Redis at REDIS_HOST:REDIS_PORT (plain RESP, no dependencies).
// It checks Redis at start and exits with the reason when it cannot reach it, as the workshop's app did.
const { lookup } = require("node:dns/promises");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");

const host = process.env.REDIS_HOST || "redis";
const port = Number(process.env.REDIS_PORT || 6379);

/** The address of REDIS_HOST; a resolver that does not answer (no network out) fails in 3 s, not 20. */
function address() {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`getaddrinfo EAI_AGAIN ${host} (no answer in 3 s)`)), 3000).unref(),
  );
  return Promise.race([lookup(host).then((found) => found.address), timeout]);
}

async function redis(...args) {
  let ip;
  try {
    ip = await address();
  } catch (error) {
    throw new Error(`Error connecting to Redis at ${host}:${port}: ${error.message}`);
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: ip, port });
    let reply = "";
    socket.setTimeout(3000, () => socket.destroy(new Error(`Redis at ${host}:${port} did not answer in 3 s`)));
    socket.on("connect", () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("")}`);
    });
    socket.on("data", (chunk) => {
      reply += chunk;
      if (!reply.endsWith("\r\n")) return;
      socket.end();
      if (reply.startsWith("-")) reject(new Error(reply.slice(1).trim()));
      else resolve(reply.slice(1).trim());
    });
    socket.on("error", (error) => reject(new Error(`Error connecting to Redis at ${host}:${port}: ${error.message}`)));
  });
}

// As a container's main process (PID 1) it gets no default signal handling: stop at once when Docker asks.
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));

redis("PING").then(
  () => {
    console.log(`Connected to Redis at ${host}:${port}`);
    http
      .createServer((_req, res) => {
        redis("INCR", "visits").then(
          (n) => res.end(`This page was viewed ${n} times, by ${os.hostname()}\n`),
          (error) => {
            console.error(error.message);
            res.statusCode = 503;
            res.end(`${error.message}\n`);
          },
        );
      })
      .listen(Number(process.env.PORT || 3000), "0.0.0.0", () =>
        console.log(`Listening on port ${process.env.PORT || 3000}`),
      );
  },
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
