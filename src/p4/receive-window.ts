// A larger HTTP/2 receive window for grpc-js servers. grpc-js serves with
// HTTP/2's default of 64 KiB per connection and per stream and has no server
// option to change it (its client has `grpc-node.flow_control_window`).
// With writes of 50 KiB or more in flight, a sender then stalls until the
// receiver's event loop is free to consume data and send WINDOW_UPDATE;
// when that loop is busy applying the previous write, the next one cannot
// even arrive, and the receiver idles once it is done. gRPC C++ servers
// (BMv2's simple_switch_grpc, switch agents) grow their windows by BDP
// probing, so a sidecar meets large windows there; this gives the software
// switch and the sidecar's own API the same.
import { EventEmitter } from 'node:events';
import type { ServerHttp2Session } from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

export const RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Call after `bindAsync` has resolved. It reaches into grpc-js' private
 * list of HTTP/2 servers; if a later grpc-js changes that, it returns false
 * and the default window stays (slower, never wrong).
 */
export function raiseReceiveWindow(server: grpc.Server, bytes = RECEIVE_WINDOW_BYTES): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const h of servers.keys()) {
    if (!(h instanceof EventEmitter)) return false;
    h.on('session', (session: ServerHttp2Session) => {
      // The connection's window, then every stream's initial window.
      session.setLocalWindowSize(bytes);
      session.settings({ initialWindowSize: bytes });
    });
  }
  return true;
}
