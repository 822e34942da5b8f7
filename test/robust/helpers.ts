/** A short robustness study on real runs: 2 variants, 2 inputs, 2 trajectories, 20 ms stops. */
export const ROBUST_ARGS = [
  'lkml-2000-4way',
  '--set', 'stop.time=20ms',
  '--set', 'stop.warmup=5ms',
  '--vary', 'kernel.strategy=bounce,vmap',
  '--inputs', 'costs.tlb_refill,machine.memory_bandwidth',
  '--samples', '2',
  '--seeds', '2',
  '--bisect-steps', '2',
];
