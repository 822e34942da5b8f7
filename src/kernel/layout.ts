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
export const VMALLOC_BASE = 0x3000_0000; // vmalloc space: + page offset

/** kmap_atomic slot types (2.4 include/asm-i386/kmap_types.h, the ones the model uses). */
export const KM_BOUNCE_READ = 0;
export const KM_BOUNCE_WRITE = 1;
export const KM_USER0 = 2;
export const KM_IRQ0 = 3;
export const KM_TYPE_NR = 4;
export const KM_TYPE_NAMES = ['KM_BOUNCE_READ', 'KM_BOUNCE_WRITE', 'KM_USER0', 'KM_IRQ0'] as const;

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
