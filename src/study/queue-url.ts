/**
 * `--queue redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (or rediss:// for TLS): parsed into
 * the connection options of ioredis, and shown only with its password replaced by `***`.
 * Loads nothing of Redis: the CLI checks the URL before importing the queue code.
 */
import net from 'node:net';

export class QueueUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUrlError';
  }
}

export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** rediss://: TLS with the system's CAs, the host name checked (SNI only for a host name). */
  tls?: { servername?: string };
}

export interface QueueUrl {
  connection: QueueConnection;
  /** The URL as it may be printed: the password (if any) as ***. */
  display: string;
  /** The password, to scrub from messages of the Redis client (empty: none). */
  secret: string;
}

const ALLOWED = 'redis://HOST[:PORT][/DB] or rediss://…, with USER:PASSWORD@ or :PASSWORD@ before HOST when Redis needs one';

/** Replace the password of a redis:// URL with *** (text that is no URL: all before its last @). */
export function redactUrl(text: string): string {
  // The last @ ends the user info (as in WHATWG URLs): a password may hold an @ itself.
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/i.exec(text);
  // Not a URL but holding an @: whatever precedes it may be a password.
  if (m === null) return text.includes('@') ? `***${text.slice(text.lastIndexOf('@'))}` : text;
  const user = m[2]!;
  const colon = user.indexOf(':');
  return `${m[1]}${colon < 0 ? user : `${user.slice(0, colon)}:***`}@${m[3]}`;
}

export function parseQueueUrl(text: string): QueueUrl {
  const shown = redactUrl(text.trim());
  const bad = (why: string) => new QueueUrlError(`--queue: ${why}; expected ${ALLOWED}, got ${JSON.stringify(shown)}`);
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`unknown scheme ${u.protocol.replace(/:$/, '')}`);
  if (u.hostname === '') throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw bad(`the database must be a number 0..15, not ${JSON.stringify(dbText)}`);
  if (u.search !== '' || u.hash !== '') throw bad('no query or fragment is allowed');
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    // URIError "URI malformed": a % not followed by two hex digits (write a literal % as %25).
    throw bad('a malformed %-escape in the user or password (write % itself as %25)');
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const connection: QueueConnection = {
    host,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
    // SNI takes a host name only (RFC 6066): Node warns (DEP0123) when given an IP address.
    ...(u.protocol === 'rediss:' ? { tls: net.isIP(host) === 0 ? { servername: host } : {} } : {}),
  };
  return { connection, display: shown, secret: password };
}

/** The host is this machine (127.0.0.0/8, ::1, localhost): no one else can reach the queue through it. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/** `message` with every occurrence of the password replaced (messages of the Redis client). */
export function scrub(message: string, secret: string): string {
  if (secret === '') return message;
  let out = message.split(secret).join('***');
  const enc = encodeURIComponent(secret);
  if (enc !== secret) out = out.split(enc).join('***');
  return out;
}
