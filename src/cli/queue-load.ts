/**
 * The queue stack (bullmq, ioredis) is optional: an optional peer dependency, installed by
 * `npm ci` in the repository (development dependency) but not with the package, because only
 * `sweep --queue`, `robustness --queue` and `worker` use it. loadQueue() loads
 * src/study/queue.ts for them; when either package is missing, one line says what to install.
 */
import { UsageError } from './io.js';

/** The packages the queue code imports: what a user must install for `--queue` and `worker`. */
export const QUEUE_PACKAGES = ['bullmq', 'ioredis'] as const;

export type QueueModule = typeof import('../study/queue.js');

/**
 * The missing queue package an import failure names, or null when the failure is anything
 * else (a missing file of smpsim itself is a bug and is not dressed up as a usage error).
 * Node's resolver: code ERR_MODULE_NOT_FOUND, message "Cannot find package 'bullmq' imported from …".
 */
export function missingQueuePackage(err: unknown): string | null {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return null;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(err.message);
  if (m === null) return null;
  const name = m[1]!;
  return QUEUE_PACKAGES.find((p) => name === p || name.startsWith(`${p}/`)) ?? null;
}

/** The one-line error for `what` (e.g. "--queue", "worker") without the queue stack. */
export function queueMissingMessage(what: string, missing: string): string {
  return `smpsim: ${what} needs the optional package ${missing} (not installed): npm install ${QUEUE_PACKAGES.join(' ')}`;
}

/** Load the queue code for `what`; a UsageError (exit 2) naming what to install if it is absent. */
export async function loadQueue(what: string, importQueue: () => Promise<QueueModule> = () => import('../study/queue.js')): Promise<QueueModule> {
  try {
    return await importQueue();
  } catch (e) {
    const missing = missingQueuePackage(e);
    if (missing !== null) throw new UsageError(queueMissingMessage(what, missing));
    throw e;
  }
}
