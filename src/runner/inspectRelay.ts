// `--inspect` alone: a relay between this run and the Stately inspector in a browser. The page it
// serves embeds the inspector and passes it the run's events; the run publishes them over a
// WebSocket whose path is a secret of this process. Our own, on `ws`, because the library's relay
// listens on every interface, takes any Origin and 100 MiB messages, and stores and forwards what
// any client sends (issue 27, item 3). Here: loopback unless told otherwise, viewers only from the
// relay's own page, nothing a viewer sends is kept or passed on, and replay is bounded.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** The inspector the page embeds; its events arrive by postMessage from the page. */
const inspectorUrl = 'https://stately.ai/inspect';
/** What a new viewer is sent of the run so far: the newest events, within both bounds. */
const replayCount = 200;
const replayBytes = 8 * 1024 * 1024;
/** The run's own events can be large (a snapshot's context); a viewer has nothing to say. */
const publisherMaxPayload = 4 * 1024 * 1024;
const viewerMaxPayload = 1024;

export interface InspectRelay {
  /** The page to open in a browser. */
  pageUrl: string;
  /** Where the run publishes its events (its path is this process's secret). */
  publishUrl: string;
  stop(): Promise<void>;
}

function bridgePage(socketPath: string): string {
  // The page asks its own server for events and hands each to the embedded inspector once it
  // says it is ready; it sends nothing back.
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>xs-upgrade: Stately inspector</title>
<style>html,body,iframe{margin:0;border:0;width:100%;height:100%}</style></head>
<body><iframe id="inspector" src="${inspectorUrl}"></iframe>
<script>
const frame = document.getElementById('inspector');
const waiting = [];
let ready = false;
addEventListener('message', (message) => {
  if (message.source !== frame.contentWindow || message.data?.type !== '@statelyai.connected') return;
  ready = true;
  for (const event of waiting.splice(0)) frame.contentWindow.postMessage(event, '${new URL(inspectorUrl).origin}');
});
const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '${socketPath}');
socket.onmessage = (message) => {
  const event = JSON.parse(message.data);
  if (ready) frame.contentWindow.postMessage(event, '${new URL(inspectorUrl).origin}');
  else waiting.push(event);
};
</script></body></html>
`;
}

export async function startInspectRelay(options: {
  /** The address to listen on: 127.0.0.1 unless a person widens it (--inspect-host). */
  host: string;
  port: number;
}): Promise<InspectRelay> {
  const secret = randomBytes(16).toString('hex');
  const publishPath = `/publish/${secret}`;
  const viewPath = '/events';
  const http = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url !== '/' && request.url !== '/index.html')) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(bridgePage(viewPath));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const pageOrigin = `http://${hostInUrl}:${port}`;
  // The page's own origin, as a browser may name the loopback host either way.
  const allowedOrigins = new Set([pageOrigin, `http://localhost:${port}`]);

  const viewers = new WebSocketServer({ noServer: true, maxPayload: viewerMaxPayload });
  const publishers = new WebSocketServer({ noServer: true, maxPayload: publisherMaxPayload });
  const replay: string[] = [];
  let replaySize = 0;

  // A client's bad frame (too large, not WebSocket) ends that client, never the run: an 'error'
  // nobody listens to would throw in the root process.
  const endOnError = (socket: WebSocket) => socket.on('error', () => socket.terminate());
  viewers.on('connection', (socket) => {
    endOnError(socket);
    for (const message of replay) socket.send(message);
    // A viewer has nothing to say: whatever it sends is dropped, never stored or passed on.
    socket.on('message', () => undefined);
  });
  publishers.on('connection', (socket) => {
    endOnError(socket);
    socket.on('message', (data: Buffer) => {
      const message = data.toString('utf8');
      replay.push(message);
      replaySize += message.length;
      while (replay.length > replayCount || replaySize > replayBytes) {
        replaySize -= replay.shift()?.length ?? 0;
      }
      for (const viewer of viewers.clients) {
        if (viewer.readyState === WebSocket.OPEN) viewer.send(message);
      }
    });
  });

  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    const origin = request.headers.origin;
    if (request.url === publishPath) {
      // The run itself (a Node client sends no Origin); a browser page elsewhere would.
      if (origin !== undefined) return refuse(socket);
      publishers.handleUpgrade(request, socket, head, (ws) =>
        publishers.emit('connection', ws, request),
      );
    } else if (request.url === viewPath && origin !== undefined && allowedOrigins.has(origin)) {
      viewers.handleUpgrade(request, socket, head, (ws) => viewers.emit('connection', ws, request));
    } else {
      refuse(socket);
    }
  });

  return {
    pageUrl: `${pageOrigin}/`,
    publishUrl: `ws://${hostInUrl}:${port}${publishPath}`,
    async stop() {
      for (const client of [...viewers.clients, ...publishers.clients]) client.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function refuse(socket: NodeJS.WritableStream & { destroy(): void }): void {
  socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
  socket.destroy();
}
