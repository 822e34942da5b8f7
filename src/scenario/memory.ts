/**
 * The memory a run will need, estimated from the resolved scenario before anything is built
 * (issue 20): a valid scenario can ask for more than the machine has (`workload.tasks:
 * 10000000`, `workload.size: 1000GiB`, `machine.tlb_entries` × `machine.cpus`), and building
 * it would end in V8's out-of-memory abort or a RangeError on a typed array, neither of which
 * names the field. The estimate sums what grows with a scenario value; each term names its
 * field, and a run over the budget is refused before it starts, naming the largest term.
 *
 * Bytes per unit (MEMORY_COSTS) are measured with scripts/measure-memory.ts (heapUsed +
 * arrayBuffers growth per unit, Node 20/22 x64), or derived from the typed arrays' element
 * sizes; the TLB's Map entry is an estimate. The estimate is an order of magnitude, not an
 * accountant's figure: the budget's purpose is to refuse runs that cannot fit at all.
 */
import { hostMemoryBudget } from './host-memory.js';
import { PAGE_SIZE } from './types.js';
import type { DistSpec } from '../engine/distributions.js';
import type { ResolvedScenario } from './types.js';

export interface MemoryCost {
  bytes: number;
  source: string;
  quality: 'measured' | 'derived' | 'estimate';
}

/** Bytes per unit of each scenario value that memory grows with. */
export const MEMORY_COSTS = {
  /** A locktorture writer: its Task, generator, RNG stream, pending event, per-task op count. */
  locktorture_task: { bytes: 1100, source: 'scripts/measure-memory.ts: 1081 B/task (10k→110k tasks)', quality: 'measured' },
  /** An io task with one outstanding I/O: Task, wait queue, RNG stream, per-task op count. */
  io_task: { bytes: 1300, source: 'scripts/measure-memory.ts: 1291–1298 B/task (2k→22k tasks)', quality: 'measured' },
  /** Each further outstanding I/O of an io task: its submitter process and request. */
  io_outstanding: { bytes: 900, source: 'scripts/measure-memory.ts: 884 B per outstanding I/O (1→1001, one task)', quality: 'measured' },
  /** One page of an I/O in flight (an IoPage record in the request's page list). */
  io_page_in_flight: { bytes: 93, source: 'scripts/measure-memory.ts: 93 B/page (1000→201000 pages per I/O)', quality: 'measured' },
  /** A maptorture task (like a locktorture task, plus its page and slot lists). */
  maptorture_task: { bytes: 1300, source: 'estimate: a locktorture task plus two small arrays', quality: 'estimate' },
  /** One page a maptorture op maps (page number and slot in two JS arrays, per task). */
  maptorture_page: { bytes: 16, source: 'derived: two 8-byte array elements', quality: 'derived' },
  /** A CPU: its state, run queue, accounting array, TLB object, locks' per-CPU state. */
  cpu: { bytes: 2200, source: 'scripts/measure-memory.ts: 2210 B/CPU (64→1024 CPUs)', quality: 'measured' },
  /** One cached translation of a CPU's TLB (a Map<number, number> entry). */
  tlb_entry: { bytes: 48, source: 'estimate: V8 OrderedHashMap, 3 words per entry plus buckets, half-full tables', quality: 'estimate' },
  /** A working-set page: page->virtual (Int32Array) and its physical address (Float64Array). */
  working_set_page: { bytes: 12, source: 'derived: 4 B Int32Array + 8 B Float64Array (kernel/pages.ts PagePool)', quality: 'derived' },
  /** A working-set page under zipf locality: its CDF entry (Float64Array, workload/locality.ts). */
  zipf_page: { bytes: 8, source: 'derived: 8 B Float64Array (workload/locality.ts makePagePicker)', quality: 'derived' },
  /** A page of the vmalloc address range: its in-use byte (kernel/vmalloc.ts VmallocSpace). */
  vmalloc_page: { bytes: 1, source: 'derived: 1 B Uint8Array (kernel/vmalloc.ts VmallocSpace)', quality: 'derived' },
  /** Everything that does not grow with the scenario: code, tables, the result. */
  base: { bytes: 64 * 2 ** 20, source: 'estimate: a 1-CPU run\'s resident heap is ~30–50 MiB', quality: 'estimate' },
} as const satisfies Record<string, MemoryCost>;

export interface MemoryTerm {
  /** The scenario field that drives this term, as the user writes it. */
  field: string;
  /** The field's value and what grows with it, as a subject: "10000000 tasks". */
  what: string;
  bytes: number;
}

export interface MemoryEstimate {
  bytes: number;
  terms: MemoryTerm[];
}

/**
 * A size distribution's large draw, what one I/O's page list is sized by: the largest value
 * (const, uniform), the 99.9th percentile (exp: mean × ln 1000), mean + 3 sd (normal, lognormal).
 */
function typicalMax(d: DistSpec): number {
  switch (d.kind) {
    case 'const':
      return d.value;
    case 'uniform':
      return d.hi;
    case 'exp':
      return d.mean * Math.log(1000);
    case 'normal':
    case 'lognormal':
      return d.mean + 3 * d.sd;
  }
}

/** A size in the scenario's binary units: 1000GiB, 64KiB, 4097B. */
function showSize(n: number): string {
  for (const [u, name] of [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']] as const) {
    if (n >= u && Number.isInteger((n / u) * 100)) return `${n / u}${name}`;
  }
  return `${n}B`;
}

function showDist(d: DistSpec): string {
  switch (d.kind) {
    case 'const':
      return showSize(d.value);
    case 'uniform':
      return `uniform(${showSize(d.lo)},${showSize(d.hi)})`;
    case 'exp':
      return `exp(${showSize(d.mean)})`;
    default:
      return `${d.kind}(${showSize(d.mean)},${showSize(d.sd)})`;
  }
}

/** The memory a run of `s` needs, by term (bytes; may exceed Number.MAX_SAFE_INTEGER, it is a float). */
export function estimateMemory(s: ResolvedScenario): MemoryEstimate {
  const C = MEMORY_COSTS;
  const w = s.workload;
  const terms: MemoryTerm[] = [];
  const add = (field: string, what: string, bytes: number) => terms.push({ field, what, bytes });
  add('machine.cpus', `${s.machine.cpus} CPUs`, s.machine.cpus * C.cpu.bytes);
  let pagesTouched = 0;
  switch (w.type) {
    case 'locktorture':
      add('workload.tasks', `${w.tasks} tasks`, w.tasks * C.locktorture_task.bytes);
      break;
    case 'io': {
      add('workload.tasks', `${w.tasks} tasks`, w.tasks * (C.io_task.bytes + (w.outstanding - 1) * C.io_outstanding.bytes));
      const inFlight = w.tasks * w.outstanding;
      const pagesPerIo = Math.ceil(typicalMax(w.size) / PAGE_SIZE);
      add('workload.size', `${showDist(w.size)} per I/O (${pagesPerIo} pages) × ${inFlight} I/Os in flight`, inFlight * pagesPerIo * C.io_page_in_flight.bytes);
      pagesTouched = w.working_set_pages;
      break;
    }
    case 'maptorture':
      add('workload.tasks', `${w.tasks} tasks`, w.tasks * (C.maptorture_task.bytes + w.pages * C.maptorture_page.bytes));
      pagesTouched = w.working_set_pages;
      break;
  }
  if (w.type !== 'locktorture') {
    const perPage = C.working_set_page.bytes + (w.locality.kind === 'zipf' ? C.zipf_page.bytes : 0);
    add('workload.working_set_pages', `${w.working_set_pages} pages`, w.working_set_pages * perPage);
    const vmallocPages = Math.floor(s.kernel.vmalloc_size_bytes / PAGE_SIZE);
    add('kernel.vmalloc_size', `${showSize(s.kernel.vmalloc_size_bytes)} of vmalloc space`, vmallocPages * C.vmalloc_page.bytes);
    // Each CPU's TLB fills up to its capacity or the virtual pages the run can touch.
    const reachable = pagesTouched + s.kernel.last_pkmap + vmallocPages;
    const perCpu = Math.min(s.machine.tlb_entries, reachable);
    add('machine.tlb_entries', `${s.machine.tlb_entries} TLB entries on each of ${s.machine.cpus} CPUs`, s.machine.cpus * perCpu * C.tlb_entry.bytes);
  }
  const bytes = C.base.bytes + terms.reduce((a, t) => a + t.bytes, 0);
  return { bytes, terms };
}

/** The default budget: half the machine's memory, at most the JS heap limit of this process. */
export function defaultMemoryBudget(): number {
  return hostMemoryBudget();
}

/** Bytes as people read them: 4.8 GB, 512 MB (decimal, as --max-memory takes them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  const units: Array<[number, string]> = [
    [1e15, 'PB'],
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [u, name] of units) {
    if (n < u) continue;
    const v = n / u;
    return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${name}`;
  }
  return `${Math.round(n)} B`;
}

/** A run refused before it started: its estimate exceeds the budget (exit 2: the input asks too much). */
export class MemoryBudgetError extends Error {
  constructor(
    message: string,
    /** The field of the largest term. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

/** Throw MemoryBudgetError when the run of `s` would need more than `budget` bytes. */
export function checkMemory(s: ResolvedScenario, budget: number = defaultMemoryBudget()): MemoryEstimate {
  const est = estimateMemory(s);
  if (est.bytes <= budget) return est;
  const top = est.terms.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  throw new MemoryBudgetError(
    `${top.field}: ${top.what} need ~${formatBytes(top.bytes)} (the run ~${formatBytes(est.bytes)} in all), ` +
      `over --max-memory ${formatBytes(budget)}; lower ${top.field}, or raise --max-memory if the machine has the memory`,
    top.field,
  );
}
