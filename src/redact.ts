// Secrets the config marks (secretEnv values, webhook headers, credentials and query values in
// webhook URLs) never reach the logs, run records, --dry-run or --inspect output: every text
// xs-upgrade writes passes through here.
export type Redact = (text: string) => string;

/** Shorter values would blank out ordinary words: they are not treated as secrets. */
const shortestSecret = 4;

export function createRedactor(secrets: string[]): Redact {
  const values = [...new Set(secrets.filter((secret) => secret.length >= shortestSecret))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return (text) => text;
  // What is redacted is often JSON (a run record, an inspection event): a secret with a quote, a
  // backslash or a control character in it is written escaped there, so the escaped form goes too.
  const forms = values.flatMap((secret) => {
    const escaped = JSON.stringify(secret).slice(1, -1);
    return escaped === secret ? [secret] : [escaped, secret];
  });
  return (text) => forms.reduce((result, secret) => result.replaceAll(secret, '***'), text);
}

/** The parts of a URL that can carry credentials: user, password, path and query values. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    // The path and query as written: everything after the authority. Not a slice at the origin's
    // length, which is wrong when the URL holds a user and password (the origin leaves them out).
    const afterAuthority = url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#\\]*/i, '');
    const path = parsed.pathname.length > 1 ? [afterAuthority] : [];
    return [
      decodeURIComponent(parsed.username),
      decodeURIComponent(parsed.password),
      ...path,
      ...[...parsed.searchParams.values()],
    ].filter(Boolean);
  } catch {
    return [url];
  }
}

/**
 * A URL's user, password and query values: secrets where the path is not (a health check's path
 * says which check failed, and the log shows it).
 */
export function urlCredentials(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [
      decodeURIComponent(parsed.username),
      decodeURIComponent(parsed.password),
      ...parsed.searchParams.values(),
    ].filter(Boolean);
  } catch {
    return [url];
  }
}

/** The origin of a URL: what may be logged of a webhook or health check URL. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
