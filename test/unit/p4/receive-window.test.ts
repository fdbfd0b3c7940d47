// The software switch advertises a large HTTP/2 receive window, so a client
// with several large writes in flight is never held up by flow control.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { RECEIVE_WINDOW_BYTES } from '../../../src/p4/receive-window.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';

describe('p4/receive-window: grpc-js servers with a large HTTP/2 window', () => {
  it('the software switch advertises the window per stream and opens the connection window', async () => {
    const sw = new SoftwareSwitch({ deviceId: 1n });
    const port = await sw.start('127.0.0.1:0');
    const client = http2.connect(`http://127.0.0.1:${port}`);
    client.on('error', () => {});
    try {
      // The server's SETTINGS (per-stream window) and WINDOW_UPDATE (connection window) follow the connection preface.
      let streamWindow: number | undefined;
      client.on('remoteSettings', (s: http2.Settings) => {
        streamWindow = s.initialWindowSize;
      });
      const end = Date.now() + 2000;
      while (
        (streamWindow !== RECEIVE_WINDOW_BYTES || client.state.remoteWindowSize !== RECEIVE_WINDOW_BYTES) &&
        Date.now() < end
      ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(streamWindow, RECEIVE_WINDOW_BYTES);
      assert.equal(client.state.remoteWindowSize, RECEIVE_WINDOW_BYTES);
    } finally {
      client.destroy();
      sw.stop();
    }
  });
});
