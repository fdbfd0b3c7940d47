// /metrics, /healthz and /readyz over plain HTTP for the kubelet and
// Prometheus.
import http from 'node:http';
import type { Sidecar } from './sidecar.js';

export async function serveHealth(sidecar: Sidecar, host: string, port: number): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'); return; }
    if (url === '/readyz') {
      const ok = sidecar.ready();
      const lines = sidecar.switchStatus().map((s) => `${s.address} device ${s.deviceId}: ${s.connected ? 'connected' : 'disconnected'}, ${s.primary ? 'primary' : 'backup'}: ${s.message}`);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${ok ? 'ready' : 'not ready'}\n${lines.join('\n')}\n`);
      return;
    }
    if (url === '/metrics') {
      sidecar.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': sidecar.metrics.registry.contentType }).end(body),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
      return;
    }
    res.writeHead(404).end('not found\n');
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
