// A small real Prometheus stand-in on 127.0.0.1: it answers /api/v1/query (GET or POST form, as
// Prometheus does) in Prometheus's JSON format with whatever the test says the query measures
// now, and keeps every query it was asked.
import { startHttpServer } from './httpServer.js';

/** What a query measures: sample values (a vector), a scalar, or an error the server reports. */
export type Measure =
  | { vector: number[] }
  | { scalar: number }
  | { error: string; status?: number }
  | { raw: string; status?: number };

export async function startPrometheus(measure: (query: string) => Measure) {
  const queries: string[] = [];
  const server = await startHttpServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname !== '/api/v1/query') {
      response.statusCode = 404;
      response.end('404 page not found\n');
      return;
    }
    const form = new URLSearchParams(request.method === 'POST' ? request.body : url.search);
    const query = form.get('query') ?? '';
    queries.push(query);
    const answer = measure(query);
    const time = Date.now() / 1000;
    response.setHeader('content-type', 'application/json');
    if ('raw' in answer) {
      response.statusCode = answer.status ?? 200;
      response.end(answer.raw);
    } else if ('error' in answer) {
      response.statusCode = answer.status ?? 400;
      response.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: answer.error }));
    } else if ('scalar' in answer) {
      response.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'scalar', result: [time, String(answer.scalar)] },
        }),
      );
    } else {
      response.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: answer.vector.map((value, index) => ({
              metric: { instance: `host-${index}` },
              value: [time, String(value)],
            })),
          },
        }),
      );
    }
  });
  return { url: server.url, queries, requests: server.requests, close: server.close };
}
