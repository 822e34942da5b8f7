/**
 * The `io` workload: `tasks` processes (pinned round-robin) doing synchronous block I/O
 * on a page population, in a closed loop: think, submit a request (the kernel maps or
 * bounces its pages per `kernel.strategy`), sleep until it completes, touch the data,
 * tear the mappings down — with up to `outstanding` requests in flight per task.
 * One op = one request; its latency runs from submission to the end of the teardown.
 */
import { makeSampler, type Sampler } from '../engine/distributions.js';
import type { ProcessBody } from '../engine/process.js';
import { WORK } from '../cpu/accounting.js';
import { Task } from '../cpu/task.js';
import { HighmemKernel, finish_io, submit_io, type IoPage, type IoRequest } from '../kernel/iopath.js';
import { PAGE_SIZE } from '../kernel/layout.js';
import type { Machine } from '../kernel/machine.js';
import { PagePool } from '../kernel/pages.js';
import { TaskWaitQueue } from '../kernel/waitqueue.js';
import type { IoWorkload, ResolvedScenario } from '../scenario/types.js';
import { makePagePicker, type PagePicker } from './locality.js';
import type { OpStats } from './ops.js';

/** Per-task completion queue: the interrupt appends, the task drains after waking. */
class IoTaskState {
  readonly completed: IoRequest[] = [];
  readonly wq: TaskWaitQueue;
  constructor(readonly task: Task) {
    this.wq = new TaskWaitQueue(`io_wait/${task.id}`);
  }
}

interface IoContext {
  k: HighmemKernel;
  w: IoWorkload;
  ops: OpStats;
  think: Sampler;
  size: Sampler;
  pick: PagePicker;
}

function newRequest(c: IoContext, t: IoTaskState): IoRequest {
  const rng = t.task.rng;
  const bytes = Math.max(1, c.size(rng));
  const n = Math.ceil(bytes / PAGE_SIZE);
  const first = c.pick(rng);
  const pages: IoPage[] = [];
  for (let i = 0; i < n; i++) {
    const pageBytes = Math.min(PAGE_SIZE, bytes - i * PAGE_SIZE);
    pages.push({ page: (first + i) % c.k.pages.count, bytes: pageBytes, route: 0, vpage: -1, map: null });
  }
  return {
    k: c.k,
    task: t.task,
    write: rng.next() >= c.w.read_fraction,
    bytes,
    pages,
    startNs: 0,
    partsInFlight: 0,
    submitting: false,
    done: false,
  };
}

function* io_task(c: IoContext, t: IoTaskState): ProcessBody {
  const task = t.task;
  const cpu = task.cpu;
  const sim = cpu.sim;
  let inFlight = 0;
  for (;;) {
    while (inFlight < c.w.outstanding) {
      const think = c.think(task.rng);
      if (think > 0) yield cpu.busy(WORK, think);
      const req = newRequest(c, t);
      req.startNs = sim.now;
      yield task.proc.call(submit_io(task, c.k, req));
      inFlight++;
    }
    while (t.completed.length === 0) yield t.wq.sleep(task);
    while (t.completed.length > 0) {
      const req = t.completed.shift()!;
      yield task.proc.call(finish_io(task, c.k, req, c.w.touch_per_page_ns));
      inFlight--;
      c.ops.record(sim.now - req.startNs, task.id);
    }
  }
}

export function startIo(m: Machine, s: ResolvedScenario, w: IoWorkload, ops: OpStats): HighmemKernel {
  const pages = new PagePool(w.working_set_pages, w.highmem_fraction, s.machine.lowmem_bytes, s.machine.highmem_bytes);
  const k = new HighmemKernel(m, s, pages);
  const c: IoContext = {
    k,
    w,
    ops,
    think: makeSampler(w.think),
    size: makeSampler(w.size),
    pick: makePagePicker(w.locality, pages.count),
  };
  const states: IoTaskState[] = [];
  for (let i = 0; i < w.tasks; i++) {
    const task = new Task(i, `io/${i}`, m.cpus[i % m.ncpus]!, m.stream(`task:${i}`));
    states.push(new IoTaskState(task));
  }
  k.onComplete = (waker, req) => {
    const st = states[req.task.id]!;
    st.completed.push(req);
    st.wq.wake_up(waker);
  };
  for (const st of states) st.task.start(io_task(c, st));
  return k;
}
