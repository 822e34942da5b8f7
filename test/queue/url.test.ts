/**
 * --queue URLs (src/study/queue-url.ts): parsed into ioredis options, printed only with the
 * password as ***; and the model fingerprint workers compare (bin/source-stamp.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_SOURCES, modelFingerprint } from '../../bin/source-stamp.mjs';
import { QueueUrlError, parseQueueUrl, redactUrl, scrub } from '../../src/study/queue-url.js';
import { ROOT, tempDir } from '../cli/helpers.js';

describe('parseQueueUrl', () => {
  it('host, port, database, user, password, TLS', () => {
    expect(parseQueueUrl('redis://10.0.0.1').connection).toEqual({ host: '10.0.0.1', port: 6379, db: 0 });
    expect(parseQueueUrl('redis://:s%40cret@h:6390/3')).toEqual({
      connection: { host: 'h', port: 6390, db: 3, password: 's@cret' },
      display: 'redis://:***@h:6390/3',
      secret: 's@cret',
    });
    const tls = parseQueueUrl('rediss://alice:pw@redis.example.org/1');
    expect(tls.connection).toEqual({ host: 'redis.example.org', port: 6379, db: 1, username: 'alice', password: 'pw', tls: { servername: 'redis.example.org' } });
    expect(tls.display).toBe('rediss://alice:***@redis.example.org/1');
    expect(parseQueueUrl('redis://[::1]:7000').connection).toEqual({ host: '::1', port: 7000, db: 0 });
  });

  it('refuses what it cannot use, with the URL redacted', () => {
    for (const [text, why] of [
      ['http://:pw@h', 'unknown scheme http'],
      ['redis://:pw@h/abc', 'the database must be a number'],
      ['redis://:pw@h/1?x=1', 'no query'],
      ['not a url :pw@', 'not a URL'],
    ] as const) {
      let err: unknown;
      try {
        parseQueueUrl(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(QueueUrlError);
      const msg = (err as Error).message;
      expect(msg).toContain(why);
      expect(msg.startsWith('--queue: ')).toBe(true);
      expect(msg).not.toMatch(/:pw@/);
    }
  });

  it('redactUrl and scrub hide the password, keep the rest', () => {
    expect(redactUrl('redis://u:p@h:1/2')).toBe('redis://u:***@h:1/2');
    expect(redactUrl('redis://u@h')).toBe('redis://u@h');
    expect(redactUrl('redis://:p@ss:w/rd@h:1')).toBe('redis://:***@h:1');
    expect(parseQueueUrl('redis://:p@ss@h').display).toBe('redis://:***@h');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
    expect(scrub('WRONGPASS for s@cret and s%40cret', 's@cret')).toBe('WRONGPASS for *** and ***');
    expect(scrub('nothing', '')).toBe('nothing');
  });
});

describe('model fingerprint', () => {
  /** A copy of the sources the fingerprint covers, plus one file it does not. */
  function copy(): string {
    const dir = tempDir('smpsim-fp-');
    for (const s of MODEL_SOURCES) fs.cpSync(path.join(ROOT, s), path.join(dir, s), { recursive: true });
    fs.mkdirSync(path.join(dir, 'src', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'cli', 'x.ts'), 'export {};\n');
    return dir;
  }

  it('changes with a model source, not with the CLI', () => {
    const dir = copy();
    const before = modelFingerprint(dir);
    expect(before).toBe(modelFingerprint(ROOT));
    fs.appendFileSync(path.join(dir, 'src', 'cli', 'x.ts'), '// a CLI change\n');
    expect(modelFingerprint(dir)).toBe(before);
    fs.appendFileSync(path.join(dir, 'src', 'kernel', fs.readdirSync(path.join(dir, 'src', 'kernel')).find((n) => n.endsWith('.ts'))!), '// a model change\n');
    expect(modelFingerprint(dir)).not.toBe(before);
  });
});
