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
  return (text) => values.reduce((result, secret) => result.replaceAll(secret, '***'), text);
}

/** The parts of a URL that can carry credentials: user, password, path and query values. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.length > 1 ? [url.slice(parsed.origin.length)] : [];
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

/** The origin of a URL: what may be logged of a webhook or health check URL. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
