// What never reaches a log: the parts of a URL that can carry a credential, and any marked secret.
import { describe, expect, it } from 'vitest';
import { createRedactor, redactUrl, urlSecrets } from '../src/redact.js';

describe('urlSecrets', () => {
  it('takes the path and query as written, also when the URL holds a user and password', () => {
    // Slack-style webhooks carry their token in the path: it must be a secret on its own.
    expect(urlSecrets('https://hooks.example/services/T0/B0/tok?key=k1')).toEqual([
      '/services/T0/B0/tok?key=k1',
      'k1',
    ]);
    expect(urlSecrets('https://me:p%40ss@hooks.example:8443/services/tok')).toEqual([
      'me',
      'p@ss',
      '/services/tok',
    ]);
  });

  it('finds nothing in a bare origin, and keeps a URL it cannot parse whole', () => {
    expect(urlSecrets('https://hooks.example/')).toEqual([]);
    expect(urlSecrets('not a url')).toEqual(['not a url']);
  });
});

describe('createRedactor', () => {
  it('hides every secret of four characters or more, the longer first', () => {
    const redact = createRedactor(['abc', 'token', 'token-long', 'token']);
    expect(redact('abc token-long token')).toBe('abc *** ***');
  });

  it('hides the path of a webhook URL that holds credentials, wherever it appears', () => {
    const url = 'https://me:secret-pw@hooks.example/services/T0/tok';
    const redact = createRedactor(urlSecrets(url));
    expect(redact(`POST ${url}`)).toBe('POST https://me:***@hooks.example***');
    expect(redact('path was /services/T0/tok')).toBe('path was ***');
  });

  it('returns text unchanged when there is nothing to hide', () => {
    expect(createRedactor([])('a b')).toBe('a b');
  });
});

describe('redactUrl', () => {
  it('keeps only the origin', () => {
    expect(redactUrl('https://me:pw@hooks.example/x?y=1')).toBe('https://hooks.example/…');
    expect(redactUrl('nope')).toBe('(invalid URL)');
  });
});
