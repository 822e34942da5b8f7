/**
 * Kernel and hardware constants of the TLB flush primitives (src/kernel/tlbflush.ts), each
 * the default of its scenario field, with where it comes from.
 */

/**
 * arch/x86/mm/tlb.c tlb_single_page_flush_ceiling (scenario field
 * kernel.tlb_single_page_flush_ceiling): flush_tlb_kernel_range() (and flush_tlb_mm_range())
 * invalidate page by page while the range is at most this many pages, and flush the whole
 * TLB above it ("if (end == TLB_FLUSH_ALL || (end - start) > tlb_single_page_flush_ceiling <<
 * PAGE_SHIFT)"). 33 since Dave Hansen's "x86/mm: Set TLB flush tunable to sane value (33)"
 * (commit a5102476a24b, merged for 3.17; posted as <20140218193017.ECDF1089@viggo.jf.intel.com>,
 * linux-mm, 18 Feb 2014), which replaced the tlb_flushall_shift heuristic (3.6-3.16) by this
 * one tunable (debugfs x86/tlb_single_page_flush_ceiling); unchanged through 6.15.
 */
export const TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

/**
 * How many pages one INVLPGB may invalidate (scenario field machine.invlpgb_count_max):
 * arch/x86/kernel/cpu/amd.c (6.15) invlpgb_count_max = (cpuid_edx(0x80000008) & 0xffff) + 1,
 * the AMD APM's CPUID Fn8000_0008 EDX InvlpgbCountMax field + 1. Estimate: 8 (no published
 * value for Zen 3 / Zen 4 parts was found; the field allows 1-65536). Only the number of
 * INVLPGB instructions a range flush issues depends on it (ceil(pages / count_max)).
 */
export const INVLPGB_COUNT_MAX_DEFAULT = 8;
