/**
 * Queued spinlocks, `machine.spinlock: qspinlock` (kernel/locking/qspinlock.c, x86 since 4.2:
 * Waiman Long and Peter Zijlstra, "locking/qspinlock: Introduce a simple generic 4-byte queued
 * spinlock", and "locking/qspinlock, x86: Enable x86-64 to use queued spinlocks", merged for
 * 4.2). The lock is one 32-bit word: the locked byte, the pending bit and the tail (the CPU
 * number and nesting index of the last queued MCS node).
 *
 * - Fast path (include/asm-generic/qspinlock.h queued_spin_lock): cmpxchg of the word 0 → locked,
 *   on the lock's line: `lock_acquire` + the line's transfer from the last holder's CPU
 *   (`queuedSpinLockCost`, as the test-and-set uncontended acquire).
 * - Pending (queued_spin_lock_slowpath, "trylock || pending": 0,0,1 → 0,1,1): a CPU that finds
 *   the lock held and nobody else waiting sets the pending bit and spins on the lock word
 *   itself, with no queue node. At the release (queued_spin_unlock: a store-release of the
 *   locked byte) it re-reads the line and takes the lock with clear_pending_set_locked (x86:
 *   a 16-bit WRITE_ONCE of locked_pending, a plain store). If a queue head also spins on the
 *   lock word, the two reads are served one at a time (the rule of the test-and-set handoff in
 *   spinlock.ts, an estimate): `pendingHandoffCost`.
 * - MCS queue (label `queue:`): any further waiter — the pending bit or the tail already set —
 *   publishes its per-CPU node with xchg_tail, links it behind the previous tail
 *   (WRITE_ONCE(prev->next, node)) and spins on its own node (arch_mcs_spin_lock_contended
 *   (&node->locked)): no traffic on the lock word while queued. Only the queue head spins on
 *   the lock word, waiting for locked and pending to clear (atomic_cond_read_acquire). It
 *   claims the lock with a cmpxchg n,0,0 → 0,0,1 when it is the last node (`lock_acquire`),
 *   else with set_locked (a plain byte store), then hands the head to the next node with
 *   arch_mcs_spin_unlock_contended(&next->locked): one transfer of that node's line
 *   (`QueuedSpinlockWaiters.handoff`). So a handoff costs the head's re-read of the lock line
 *   and, for the next head, one node line — both independent of how many CPUs wait
 *   (`queueHeadHandoffCost`), where a ticket lock's grows with them (spinlock.ts
 *   ticketHandoffTraffic).
 * - Order: the pending waiter first (the head waits for pending to clear too), then the queue
 *   in xchg_tail order: FIFO by arrival, as the code gives it. A CPU arriving while the queue is
 *   non-empty queues (the tail is set), so the pending bit is only used again once it drains.
 *
 * Left out: the per-arrival traffic on the lock word (the pending cmpxchg, xchg_tail: one
 * locked op each, once per waiter, not while it waits); _Q_PENDING_LOOPS (a bounded wait for
 * an in-flight pending → locked handover, which the model makes instantaneous); paravirt
 * spinlocks; the 4-node nesting limit. As for ticket locks, the next holder gets the lock
 * even if its CPU is in an interrupt handler at the handoff.
 */
import type { ExecCtx } from '../cpu/task.js';
import type { Costs } from './costs.js';

/**
 * Time to bring a line held in CPU `from`'s cache to CPU `to` (`line_transfer_local` inside a
 * package, `line_transfer_remote` across, 0 on the same CPU): spinlock.ts `lineTransfer`,
 * bound to the machine's costs and topology (passed in: this module does not import spinlock.ts).
 */
export type LineTransfer = (from: number, to: number) => number;

/** queued_spin_lock fast path: cmpxchg 0 → _Q_LOCKED_VAL, on the lock line brought from the last holder (`transfer`). */
export function queuedSpinLockCost(costs: Costs, transfer: number): number {
  return costs.lock_acquire + transfer;
}

/**
 * Released lock to the pending waiter (clear_pending_set_locked, a plain store on x86): its
 * re-read of the lock line from the releaser (`own`), after the queue head's re-read
 * (`headRead`, 0 if no head spins on the lock word), the two served one at a time.
 */
export function pendingHandoffCost(own: number, headRead: number): number {
  return own + headRead;
}

/**
 * Released lock to the MCS queue head: its re-read of the lock line from the releaser
 * (`read`), then the claim — a cmpxchg (`lock_acquire`) when it is the last node (`last`),
 * else set_locked, a plain byte store. The number of CPUs queued behind it does not enter.
 */
export function queueHeadHandoffCost(costs: Costs, read: number, last: boolean): number {
  return read + (last ? costs.lock_acquire : 0);
}

/**
 * The waiters' side of one qspinlock: who holds the pending bit and when the MCS queue head
 * began spinning on the lock word. The waiters themselves are the Spinlock's `spinners`, in
 * arrival order: the pending waiter (if any) first, then the queue in xchg_tail order.
 */
export class QueuedSpinlockWaiters {
  /** The CPU context that set _Q_PENDING_VAL (spinners[0] while set). */
  private pending: ExecCtx | null = null;
  /** When the queue head began spinning on the lock word (its predecessor's MCS handoff reached it). */
  private headAt = 0;

  constructor(
    private readonly costs: Costs,
    private readonly transfer: LineTransfer,
  ) {}

  /**
   * queued_spin_lock_slowpath for `ctx`, the lock held, `before` CPUs already waiting:
   * none → it sets the pending bit; only the pending waiter → its node is the first of the
   * queue (no prev: it is the head at once); else it queues behind the tail node.
   */
  arrive(ctx: ExecCtx, before: number, now: number): void {
    if (before === 0) this.pending = ctx;
    else if (before === 1 && this.pending !== null) this.headAt = now;
  }

  /**
   * queued_spin_unlock with waiters: the time from the release to `first` (spinners[0]) owning
   * the lock. `next` is the waiter behind it (spinners[1]) or null; `releaser` the CPU whose
   * cache holds the lock line. Updates the pending bit and the next head's start.
   */
  handoff(releaser: number, first: ExecCtx, next: ExecCtx | null, now: number): number {
    if (first === this.pending) {
      this.pending = null;
      // A queue head behind the pending waiter re-reads the lock line too, if it spins on it yet.
      const headRead = next !== null && this.headAt <= now ? this.transfer(releaser, next.cpu.id) : 0;
      return pendingHandoffCost(this.transfer(releaser, first.cpu.id), headRead);
    }
    // The queue head: it reads the lock word once its predecessor's MCS handoff reached it.
    const wait = Math.max(0, this.headAt - now);
    const handoff = wait + queueHeadHandoffCost(this.costs, this.transfer(releaser, first.cpu.id), next === null);
    // arch_mcs_spin_unlock_contended(&next->locked): the new owner's store to the next node,
    // seen by that node's CPU one transfer of its node's line later; from then on it is the
    // queue head and spins on the lock word.
    if (next !== null) this.headAt = now + handoff + this.transfer(first.cpu.id, next.cpu.id);
    return handoff;
  }
}
