import { createServer } from 'node:net';

/** The first `count` free loopback ports from `from` to `to` (other cases may hold some of them). */
export async function freePorts(count, from = 3920, to = 3929) {
  const ports = [];
  for (let port = from; port <= to && ports.length < count; port++) {
    const free = await new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) ports.push(port);
  }
  if (ports.length < count) throw new Error(`fewer than ${count} free ports in ${from}–${to}`);
  return ports;
}
