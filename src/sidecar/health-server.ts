// The sidecar's /healthz, /readyz and /metrics: the operator's health server
// with one readiness check, the switches' state.
import { HealthServer } from '../runtime/health-server.js';
import type { Sidecar } from './sidecar.js';

export async function serveHealth(
  sidecar: Sidecar,
  host: string,
  port: number,
): Promise<{ server: HealthServer; port: number }> {
  const server = new HealthServer(sidecar.metrics.registry);
  server.addReadyCheck('switches', () => {
    if (sidecar.ready()) return undefined;
    const states = sidecar
      .switchStatus()
      .map(
        (s) =>
          `${s.address} device ${s.deviceId}: ${s.connected ? 'connected' : 'disconnected'}, ${s.primary ? 'primary' : 'backup'}: ${s.message}`,
      );
    return states.join('; ') || 'no switch configured';
  });
  return { server, port: await server.listen(port, host) };
}
