// An HTTP target the config names (a webhook, a health check): the URL to request without its
// user and password, which fetch() refuses to send in the URL, as a Basic auth header instead;
// and what may be said of a failed request without the URL's secrets.

export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
}

/** `https://user:pass@host/path` is requested as `https://host/path` with `authorization: Basic`. */
export function httpTarget(url: string): HttpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}

/**
 * Why a request failed, in words that hold no URL: the system's code (ECONNREFUSED) or its
 * message, with any URL in it cut to its origin (an error can repeat the URL it was given, with
 * its credentials and query).
 */
export function fetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const text =
    cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return text.replace(/[a-z][a-z\d+.-]*:\/\/[^\s"'<>]+/gi, (found) => {
    try {
      return `${new URL(found).origin}/…`;
    } catch {
      return '(a URL)';
    }
  });
}

/** Reads at most `limit` bytes of the body, then stops reading (and drops the connection). */
export async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= limit) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
