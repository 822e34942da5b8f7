/**
 * struct mutex (kernel/locking/mutex.c), as far as the model needs it: a sleeping lock for
 * process context. mutex_lock() sleeps on the wait list while the mutex is held (the
 * optimistic spinning of the owner-spin path is not modelled: the holders the model has —
 * vmap_purge_lock around a TLB flush — hold it across an IPI round, far longer than a
 * spinner would wait); mutex_unlock() hands it to the first waiter.
 */
import type { ProcessBody } from '../engine/process.js';
import type { Task } from '../cpu/task.js';
import { TaskWaitQueue } from './waitqueue.js';

export class Mutex {
  private owner: Task | null = null;
  private readonly waiters: Task[] = [];
  private readonly wq: TaskWaitQueue;
  /** mutex_lock() calls that had to sleep. */
  contended = 0;
  acquisitions = 0;

  constructor(readonly name: string) {
    this.wq = new TaskWaitQueue(name);
  }

  get locked(): boolean {
    return this.owner !== null;
  }

  /** mutex_trylock(): true if taken. */
  trylock(task: Task): boolean {
    if (this.owner !== null) return false;
    this.owner = task;
    this.acquisitions++;
    return true;
  }

  /** mutex_lock(): sleeps until the mutex is handed over. */
  *lock(task: Task): ProcessBody {
    if (this.trylock(task)) return;
    this.contended++;
    this.waiters.push(task);
    while (this.owner !== task) yield this.wq.sleep(task);
  }

  /** mutex_unlock(): the first waiter becomes the owner and is woken. */
  unlock(task: Task): void {
    if (this.owner !== task) throw new Error(`mutex_unlock(${this.name}): ${task.name} is not the owner`);
    const next = this.waiters.shift();
    this.owner = next ?? null;
    if (next !== undefined) {
      this.acquisitions++;
      this.wq.wake_up(task.cpu);
    }
  }
}
