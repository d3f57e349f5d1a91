// Says hello on PORT, with the name of the host (the container) that answered.
const http = require("node:http");
const os = require("node:os");

const HOST = "127.0.0.1";
const PORT = Number(process.env.PORT || 3000);

http
  .createServer((_req, res) => res.end(`Hello from ${os.hostname()}\n`))
  .listen(PORT, HOST, () => console.log(`hello-web listening on ${HOST}:${PORT}`));
