/**
 * The kernel virtual address layout of the modelled mappings, in page numbers, and the
 * constants that size them (i386, include/asm-i386/highmem.h, fixmap.h, pgtable.h).
 */
export const PAGE_SIZE = 4096;

/** LAST_PKMAP: persistent kmap slots, 1024 without PAE (one page table), 512 with PAE. */
export function last_pkmap(pae: boolean): number {
  return pae ? 512 : 1024;
}

/**
 * Virtual page ranges. Only their disjointness matters to the model (TLB tags); the bases
 * are spaced so that no range can run into the next for any allowed configuration.
 */
export const PKMAP_BASE = 0x1000_0000; // pkmap slots: PKMAP_BASE + nr
export const FIXMAP_KMAP_BASE = 0x2000_0000; // kmap_atomic: + KM_TYPE_NR * cpu + type
/**
 * kmap_local slots: + KM_MAX_IDX * cpu + idx. In 5.11+ these are the one FIX_KMAP range
 * that kmap_atomic shares (kmap_atomic is kmap_local_page under preempt_disable there); the
 * model keeps the 2.x KM_TYPE slots of kmap_atomic apart so that neither can alias the other.
 */
export const FIXMAP_KMAP_LOCAL_BASE = 0x2800_0000;
export const VMALLOC_BASE = 0x3000_0000; // vmalloc space: + page offset

/** kmap_atomic slot types (2.4 include/asm-i386/kmap_types.h, the ones the model uses). */
export const KM_BOUNCE_READ = 0;
export const KM_BOUNCE_WRITE = 1;
export const KM_USER0 = 2;
export const KM_IRQ0 = 3;
export const KM_TYPE_NR = 4;
export const KM_TYPE_NAMES = ['KM_BOUNCE_READ', 'KM_BOUNCE_WRITE', 'KM_USER0', 'KM_IRQ0'] as const;

/**
 * KM_MAX_IDX: kmap_local slots per CPU, 5.11+ include/asm-generic/kmap_size.h (16 without
 * CONFIG_DEBUG_KMAP_LOCAL; x86 FIX_KMAP_END = FIX_KMAP_BEGIN + KM_MAX_IDX * NR_CPUS - 1).
 * mm/highmem.c kmap_local_idx_push: `current->kmap_ctrl.idx += KM_INCR; BUG_ON(idx >=
 * KM_MAX_IDX)` after the increment, so a task may hold KM_MAX_IDX - 1 = 15 local maps at once
 * (KM_INCR 1): the 16th push BUGs.
 */
export const KM_MAX_IDX = 16;

/** fls(): index of the most significant set bit, 1-based (fls(1) = 1, fls(4) = 3). */
export function fls(x: number): number {
  return x <= 0 ? 0 : 32 - Math.clz32(x);
}

/**
 * vm areas a booted kernel already has in its vmalloc space before any I/O mapping:
 * kernel.vmalloc_boot_areas. 2.4 allocates them early and first-fit, so they sit at the
 * bottom of the space and every eager get_vm_area / vfree walk passes them.
 * Default 16 — estimate for a 2000 4-way server (2.4 had no /proc/vmallocinfo to count
 * them): ~10 modules (each module image is vmalloc'd by sys_create_module: SCSI HBA, RAID,
 * NIC, filesystems, nfsd …) and ~6 ioremap'd PCI register windows (HBA, RAID, NICs, video).
 */
export const VMALLOC_BOOT_AREAS_DEFAULT = 16;
/** Pages of each boot area, excluding its guard page: 32 KiB, estimate (a small module or BAR). */
export const VMALLOC_BOOT_AREA_PAGES = 8;
