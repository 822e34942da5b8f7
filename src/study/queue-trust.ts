/**
 * What the coordinator trusts of a queue result (issue 20): nothing it cannot check. Anyone
 * who can write to the Redis can edit a finished job's `returnvalue`; the coordinator would
 * then write the edited numbers into runs/*.json and the summary, or die on a malformed one.
 *
 * - A worker signs each result: HMAC-SHA256, keyed with the shared queue secret
 *   (--queue-secret or SMPSIM_QUEUE_SECRET, the same on the coordinator and every worker),
 *   over a canonical serialisation (keys sorted, JSON numbers) of the job id, the worker's
 *   name and the run's output. The job id is the hash of the job's data, so a result is
 *   bound to the run it answers.
 * - The coordinator checks the signature (constant time), then the result's shape (every
 *   field the sweep reads, of its type), then that its embedded scenario is the one the job
 *   asked for. A result that fails any check is rejected: logged once, the run queued again.
 * - The secret is required unless the Redis is on this machine (a loopback host); without
 *   one, results are signed with an empty key: an edit is still detected, a deliberate
 *   forgery by someone who has read this file is not.
 *
 * Pure: loads nothing of Redis (the CLI checks the secret before it imports the queue).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { CATEGORY_NAMES } from '../cpu/accounting.js';
import { RESULT_SCHEMA } from '../report/result.js';
import { isLoopback, type QueueUrl } from './queue-url.js';
import type { RunOutput } from './worker.js';

/** The environment variable that carries the queue secret (the option --queue-secret wins). */
export const QUEUE_SECRET_ENV = 'SMPSIM_QUEUE_SECRET';

/** A result whose signature or shape does not check is queued again at most this often. */
export const MAX_REJECTED_RESULTS = 3;

/** What a worker returns: the run's output, who computed it, and the signature of both. */
export interface SignedJobResult {
  worker: string;
  output: RunOutput;
  /** HMAC-SHA256 (hex) of canonicalJson({ job, worker, output }) with the queue secret. */
  mac: string;
}

/** The secret could not be had: one line for the user (exit 2). */
export class QueueSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueSecretError';
  }
}

/**
 * The queue secret: --queue-secret, else $SMPSIM_QUEUE_SECRET; required unless the URL's host
 * is loopback (then the empty key).
 */
export function queueSecret(url: QueueUrl, option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const secret = option ?? env[QUEUE_SECRET_ENV] ?? '';
  if (secret === '' && !isLoopback(url.connection.host)) {
    throw new QueueSecretError(
      `--queue-secret: required for a Redis on another machine (${url.connection.host}): results are signed with it; ` +
        `give the same secret to the sweep and every worker, as --queue-secret or in ${QUEUE_SECRET_ENV}`,
    );
  }
  return secret;
}

/** JSON with object keys sorted at every level; undefined members dropped, as JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

function macOf(jobId: string, worker: string, output: unknown, secret: string): string {
  return crypto.createHmac('sha256', secret).update(canonicalJson({ job: jobId, worker, output })).digest('hex');
}

/** The worker's side: sign a run's output for the job it answers. */
export function signResult(jobId: string, worker: string, output: RunOutput, secret: string): SignedJobResult {
  return { worker, output, mac: macOf(jobId, worker, output, secret) };
}

// ---------------------------------------------------------------------------------------
// The shape of a result: every field the sweep reads (runs/*.json, the summary, the plots).

const num = z.number();
const count = z.number().int().nonnegative();
const timeStat = z.looseObject({ total: num });
const lock = z.looseObject({ acquisitions: num, contentions: num, wait_ns: timeStat });

const ResultShape = z.looseObject({
  schema: z.literal(RESULT_SCHEMA),
  version: z.string(),
  scenario: z.looseObject({}),
  seed: num,
  sim_time_ns: num,
  warmup_ns: num,
  warmup_reached: z.boolean(),
  stop_reason: z.string(),
  events: count,
  wall_ms: num,
  ops: z.looseObject({
    completed: count,
    per_sec: num,
    latency_ns: z.looseObject({ mean: num, p50: num, p90: num, p99: num, p999: num, max: num }),
  }),
  locks: z.record(z.string(), lock),
  tlb: z.looseObject({ local_flushes: num, page_flushes: num, shootdowns: num, ipis_sent: num, ipis_received: num, stale_accesses: num, faults: num }),
  kmap: z.looseObject({ kmaps: num, hits: num, flushes: num, waits: num, atomic: num }),
  vmap: z.looseObject({ allocs: num, frees: num, purges: num, failures: num }),
  bounce: z.looseObject({ pages: num, bytes_copied: num, pool_waits: num, pool_taken: num }),
  device: z.looseObject({}),
  memory_bus: z.looseObject({ bytes: num, utilisation: num }),
  cpus: z.array(
    z.looseObject({
      cpu: count,
      time_ns: z.object(Object.fromEntries(CATEGORY_NAMES.map((c) => [c, num])) as Record<(typeof CATEGORY_NAMES)[number], typeof num>),
      irqs: num,
      context_switches: num,
      resched_ipis: num,
      tlb_misses: num,
    }),
  ),
});

const SeriesShape = z.object({ bin_ns: num, ops: z.array(num), latency_sum_ns: z.array(num) });

const OutputShape = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: ResultShape, series: SeriesShape.nullable() }),
  z.object({
    ok: z.literal(false),
    aborted: z.object({
      reason: z.enum(['event_limit', 'wall_time', 'livelock', 'deadlock', 'model', 'warmup']),
      message: z.string(),
      diagnosis: z.string(),
    }),
  }),
]);

const SignedShape = z.object({ worker: z.string().max(300), output: z.unknown(), mac: z.string().regex(/^[0-9a-f]{64}$/) });

export type Verified = { ok: true; value: SignedJobResult } | { ok: false; why: string };

/**
 * The coordinator's side: `raw` (a job's returnvalue as read from Redis) checked against the
 * secret, the shape of a run's output, and the scenario the job asked for (as JSON).
 */
export function verifyResult(jobId: string, raw: unknown, secret: string, scenarioJson: string): Verified {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, why: 'malformed: not an object' };
  const r = raw as Record<string, unknown>;
  if (r.mac === undefined) return { ok: false, why: 'unsigned: no signature (a worker of an older smpsim, or written by hand)' };
  const signed = SignedShape.safeParse(raw);
  if (!signed.success) return { ok: false, why: `malformed: ${issue(signed.error)}` };
  const { worker, output, mac } = signed.data;
  const want = Buffer.from(macOf(jobId, worker, output, secret), 'hex');
  if (!crypto.timingSafeEqual(want, Buffer.from(mac, 'hex'))) {
    return { ok: false, why: 'forged: the signature does not match (edited in Redis, or a worker with another --queue-secret)' };
  }
  const out = OutputShape.safeParse(output);
  if (!out.success) return { ok: false, why: `malformed: ${issue(out.error)}` };
  // The value as read, not zod's copy: its key order is the run file's bytes.
  const value = output as RunOutput;
  if (value.ok && JSON.stringify(value.result.scenario) !== scenarioJson) {
    return { ok: false, why: 'malformed: its scenario is not the one the run asked for' };
  }
  return { ok: true, value: { worker, output: value, mac } };
}

/** A zod issue as a short line: the path and what is wrong, no values (they are untrusted). */
function issue(e: z.ZodError): string {
  const i = e.issues[0]!;
  const at = i.path.slice(0, 6).map(String).join('.');
  return `${at === '' ? 'the result' : at.slice(0, 80)}: ${i.code.replace(/_/g, ' ')}`;
}
