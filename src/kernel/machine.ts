/**
 * The simulated machine: CPUs, the costs, the global locks and the machine-wide counters
 * that the kernel mechanisms update. Built once per run from a resolved scenario.
 */
import { createStream, type Rng } from '../engine/random.js';
import type { Simulator } from '../engine/sim.js';
import { Cpu } from '../cpu/cpu.js';
import { MemoryBus } from '../cpu/membus.js';
import type { KernelObserver } from '../cpu/observer.js';
import { TLB_WORKING_SET_DEFAULT, type Costs } from './costs.js';
import { HighmemCounters } from './counters.js';
import { LockStatRegistry } from './lockstat.js';
import { KernelPageTable } from './pgtable.js';
import { RwLock } from './rwlock.js';
import { TLB_SINGLE_PAGE_FLUSH_CEILING } from './tlbparams.js';
import { Spinlock, type LockLine, type SpinlockKind } from './spinlock.js';
import type { SmpCallFunctionKind } from './versions.js';

export interface MachineConfig {
  cpus: number;
  spinlock: SpinlockKind;
  tlbEntries: number;
  /** TLB entries refilled after a full flush (machine.tlb_working_set); default TLB_WORKING_SET_DEFAULT. */
  tlbWorkingSet?: number;
  costs: Costs;
  seed: number;
  /** Sustained bandwidth of the shared memory bus, bytes/s; default: unlimited. */
  memoryBandwidth?: number;
  /** How kernel-range flushes (pkmap wrap, vfree, lazy purge) reach the other CPUs. */
  tlbFlush?: KernelFlushConfig;
  /**
   * How smp_call_function() serialises initiators (src/kernel/versions.ts): 2.4's call_lock
   * across the whole round (the default), or 2.6.26+ generic IPIs.
   */
  smpCallFunction?: SmpCallFunctionKind;
  /** Who is told of the kernel's happenings (src/cpu/observer.ts); none by default. */
  observer?: KernelObserver | null;
  /**
   * Device handlers run their body with IRQs on, so IPIs nest inside them (2.4 – 2.6.34,
   * handlers without SA_INTERRUPT); false: every handler runs with IRQs off. Default true.
   */
  deviceIrqsNest?: boolean;
  /**
   * Cores sharing one package's package-wide idle state (AMD C1E: entered when every core
   * of the processor is in hlt). Default 1: each CPU its own package.
   */
  coresPerPackage?: number;
  /**
   * kunmap_atomic() clears the slot's PTE and invlpg's it (kernel.kunmap_atomic_flush,
   * src/kernel/versions.ts). Default false: it only releases the slot.
   */
  kunmapAtomicFlush?: boolean;
  /**
   * kmap_atomic() invlpg's the slot after setting its PTE (kernel.kmap_atomic_map_flush: 2.3/2.4
   * true, 2.6+ false). Default true.
   */
  kmapAtomicMapFlush?: boolean;
  /** spin_unlock is a locked instruction (2.3.40 `lock ; btrl`): each release costs lock_acquire. Default false. */
  spinUnlockLocked?: boolean;
}

export interface KernelFlushConfig {
  /**
   * `flush_tlb_all` (2.4: always a full broadcast by IPI), modern `flush_tlb_kernel_range`
   * (by IPI), or `invlpgb` (6.15+ AMD broadcast invalidation, no IPI).
   */
  kind: 'flush_tlb_all' | 'flush_tlb_kernel_range' | 'invlpgb';
  /** tlb_single_page_flush_ceiling (src/kernel/tlbparams.ts). */
  ceiling: number;
  concurrentLocal: boolean;
  /** Pages one INVLPGB may invalidate (machine.invlpgb_count_max); default INVLPGB_COUNT_MAX_DEFAULT. */
  invlpgbCountMax?: number;
}

/** TLB and IPI counters (result contract `tlb`). */
export class TlbCounters {
  /** Full TLB flushes executed, on any CPU (initiators and IPI receivers). */
  localFlushes = 0;
  /** Single-page invalidations (invlpg), on any CPU. */
  pageFlushes = 0;
  /** Broadcast flush rounds (flush_tlb_all / flush_tlb_kernel_range, by IPIs or by INVLPGB). */
  shootdowns = 0;
  /** INVLPGB instructions issued (kernel.tlb_flush: invlpgb); not in the result contract. */
  invlpgbs = 0;
  /** TLBSYNC waits (one per INVLPGB flush); not in the result contract. */
  tlbsyncs = 0;
  ipisSent = 0;
  ipisReceived = 0;
  /** Accesses through a TLB entry that no longer matches the PTE: a coherence bug. */
  staleAccesses = 0;
  /** Accesses to a virtual page with no PTE (never expected). */
  faults = 0;

  reset(): void {
    this.localFlushes = this.pageFlushes = this.shootdowns = 0;
    this.ipisSent = this.ipisReceived = this.staleAccesses = this.faults = 0;
    this.invlpgbs = this.tlbsyncs = 0;
  }
}

export class Machine {
  readonly cpus: Cpu[];
  readonly lockstat = new LockStatRegistry();
  readonly tlbStats = new TlbCounters();
  readonly pgtable = new KernelPageTable();
  readonly highmem = new HighmemCounters();
  /** The memory bus every CPU copy and every DMA transfer crosses (src/cpu/membus.ts). */
  readonly membus: MemoryBus;
  /**
   * 2.4 arch/i386/kernel/smp.c call_lock, serialising smp_call_function callers across a
   * whole round; with generic IPIs, 2.6.27 kernel/smp.c call_function_lock, held only to
   * queue a call. The one that kernel has (the other is never created, so lock_stat lists
   * only locks the kernel has).
   */
  readonly call_lock: Spinlock;
  readonly smpCallFunction: SmpCallFunctionKind;
  /** kunmap_atomic() clears and invlpg's its fixmap slot (MachineConfig.kunmapAtomicFlush). */
  readonly kunmapAtomicFlush: boolean;
  /** kmap_atomic() invlpg's its fixmap slot after set_pte (MachineConfig.kmapAtomicMapFlush). */
  readonly kmapAtomicMapFlush: boolean;
  /** The observer, or null (the default): every call site tests it once. */
  readonly observer: KernelObserver | null;
  /** Cross-call IPI rounds sent so far, never reset: numbers each round for the observer. */
  ipiRounds = 0;
  private locks: Spinlock[] = [];
  /** One stream for every lock's arbitration (tas handoffs, rwlock races). */
  private lockRng: Rng;
  private rwlocks: RwLock[] = [];
  /** Per package: when its C1E exit in progress completes (haltExitDelay). */
  private readonly packageWakeDoneAt: Float64Array;
  /** Where lock lines live (packages) and what an unlock costs: every lock's. */
  private readonly lockLine: LockLine;

  constructor(
    readonly sim: Simulator,
    readonly config: MachineConfig,
  ) {
    this.lockRng = createStream(config.seed, 'locks');
    this.membus = new MemoryBus(sim, config.memoryBandwidth ?? Number.POSITIVE_INFINITY);
    this.cpus = [];
    for (let i = 0; i < config.cpus; i++) {
      const cpu = new Cpu(i, sim, config.costs, config.tlbEntries);
      cpu.deviceIrqsNest = config.deviceIrqsNest ?? true;
      cpu.tlbWorkingSet = config.tlbWorkingSet ?? TLB_WORKING_SET_DEFAULT;
      this.cpus.push(cpu);
    }
    const perPkg = Math.max(1, config.coresPerPackage ?? 1);
    this.lockLine = { coresPerPackage: perPkg, unlockLocked: config.spinUnlockLocked ?? false };
    this.packageWakeDoneAt = new Float64Array(Math.ceil(config.cpus / perPkg));
    if (config.costs.idle_exit > 0 || config.costs.package_idle_exit > 0) {
      for (const c of this.cpus) c.haltExitDelay = (cpu) => this.haltExitDelay(cpu, perPkg);
    }
    this.observer = config.observer ?? null;
    if (this.observer !== null) {
      this.observer.machineBuilt(sim, config.cpus);
      for (const c of this.cpus) c.observer = this.observer;
    }
    this.smpCallFunction = config.smpCallFunction ?? 'call_lock';
    this.kunmapAtomicFlush = config.kunmapAtomicFlush ?? false;
    this.kmapAtomicMapFlush = config.kmapAtomicMapFlush ?? true;
    this.call_lock = this.spinlock(this.smpCallFunction === 'call_lock' ? 'call_lock' : 'call_function_lock');
    sim.addDiagnoser(() => this.describe());
  }

  /**
   * How long an interrupt waits for halted `cpu` to wake. 2.6.27 x86 idles in hlt (c1e_idle
   * on AMD family 0x0f rev F+ and 0x10: "If all cores of a processor are in halt state (C1)
   * the processor can enter the C1E (C1 enhanced) state", arch/x86/kernel/process.c): a core
   * whose package siblings are all halted too wakes the whole package from C1E
   * (package_idle_exit, once for every core of the package); otherwise it leaves plain C1
   * (idle_exit).
   */
  private haltExitDelay(cpu: Cpu, perPkg: number): number {
    const pkg = Math.floor(cpu.id / perPkg);
    const now = this.sim.now;
    const c = this.config.costs;
    const waking = this.packageWakeDoneAt[pkg]! - now;
    if (waking > 0) return Math.max(waking, c.idle_exit);
    const first = pkg * perPkg;
    const last = Math.min(first + perPkg, this.cpus.length);
    for (let i = first; i < last; i++) if (!this.cpus[i]!.halted) return c.idle_exit;
    const exit = Math.max(c.package_idle_exit, c.idle_exit);
    this.packageWakeDoneAt[pkg] = now + exit;
    return exit;
  }

  get tlbFlush(): KernelFlushConfig {
    return this.config.tlbFlush ?? { kind: 'flush_tlb_all', ceiling: TLB_SINGLE_PAGE_FLUSH_CEILING, concurrentLocal: false };
  }

  get costs(): Costs {
    return this.config.costs;
  }

  get ncpus(): number {
    return this.cpus.length;
  }

  /** A named random stream derived from the run seed. */
  stream(name: string): Rng {
    return createStream(this.config.seed, name);
  }

  /**
   * A spinlock of the machine's kind; locks of one name share a lock_stat class. Locks
   * created and dropped during the run (per-object locks) pass `track = false` so the
   * diagnostics list does not grow with run length.
   */
  spinlock(name: string, kind: SpinlockKind = this.config.spinlock, track = true): Spinlock {
    const l = new Spinlock(name, kind, this.lockstat.get(name), this.sim, this.config.costs, this.lockRng, this.lockLine);
    if (track) this.locks.push(l);
    return l;
  }

  /** A reader/writer spinlock with its own lock_stat class. */
  rwlock(name: string): RwLock {
    const l = new RwLock(name, this.lockstat.get(name), this.sim, this.config.costs, this.lockRng, this.lockLine);
    this.rwlocks.push(l);
    return l;
  }

  /** Close per-CPU accounting at the current time. */
  finish(): void {
    for (const c of this.cpus) c.finish();
  }

  /** Discard statistics gathered so far (end of warm-up). */
  resetStats(): void {
    for (const c of this.cpus) c.resetAccounting();
    this.lockstat.reset();
    this.tlbStats.reset();
    this.highmem.reset();
    this.membus.resetStats();
  }

  describe(): string {
    const lines = this.cpus.map((c) => c.describe());
    for (const l of this.locks) if (l.locked || l.spinners.length > 0) lines.push(l.describe());
    for (const l of this.rwlocks) if (l.writer !== null || l.readers > 0 || l.spinning > 0) lines.push(l.describe());
    return lines.join('\n');
  }
}
