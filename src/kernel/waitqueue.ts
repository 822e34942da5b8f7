/**
 * wait_queue_head_t for tasks: sleep_on() gives the CPU away (schedule()); wake_up()
 * makes every sleeper runnable again on its own CPU (2.4 wake_up: non-exclusive waits).
 */
import type { Cpu } from '../cpu/cpu.js';
import type { Task } from '../cpu/task.js';

export class TaskWaitQueue {
  private tasks: Task[] = [];

  constructor(readonly name: string) {}

  get length(): number {
    return this.tasks.length;
  }

  /** add_wait_queue + schedule(): returns PARK, for `yield wq.sleep(task)`. */
  sleep(task: Task): number {
    this.tasks.push(task);
    task.sleepingOn = this.name;
    return task.cpu.sleep(task);
  }

  /** wake_up(): every sleeper becomes runnable; `waker` is the CPU doing it. */
  wake_up(waker: Cpu | null): number {
    const ts = this.tasks;
    if (ts.length === 0) return 0;
    this.tasks = [];
    for (const t of ts) {
      t.sleepingOn = null;
      t.cpu.wakeUp(t, waker);
    }
    return ts.length;
  }
}
