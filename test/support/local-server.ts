// A test server's life: listening on 127.0.0.1 only, on a free port, and closing itself after `lifetimeMs`.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Starts `server` on a free 127.0.0.1 port; `close` ends it with every open connection. */
export async function listenLocally(server: Server, lifetimeMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.keepAliveTimeout = 3000;
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => {
    clearTimeout(lifetime);
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
  const lifetime = setTimeout(() => void close(), lifetimeMs);
  lifetime.unref();
  return { port: (server.address() as AddressInfo).port, close };
}
