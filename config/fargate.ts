/**
 * Valid Fargate task CPU/memory combinations (Linux), from the ECS developer guide
 * ("Task CPU and memory"). Anything else is rejected by RegisterTaskDefinition.
 */
export const FARGATE_CPU_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

const GIB = 1024;
const range = (fromGiB: number, toGiB: number, stepGiB: number): number[] => {
  const out: number[] = [];
  for (let g = fromGiB; g <= toGiB; g += stepGiB) out.push(g * GIB);
  return out;
};

const MEMORY_BY_CPU: Record<number, { values: number[]; rule: string }> = {
  256: { values: [512, 1024, 2048], rule: "512, 1024 or 2048 MiB" },
  512: { values: range(1, 4, 1), rule: "1024 to 4096 MiB in 1024 MiB steps" },
  1024: { values: range(2, 8, 1), rule: "2048 to 8192 MiB in 1024 MiB steps" },
  2048: { values: range(4, 16, 1), rule: "4096 to 16384 MiB in 1024 MiB steps" },
  4096: { values: range(8, 30, 1), rule: "8192 to 30720 MiB in 1024 MiB steps" },
  8192: { values: range(16, 60, 4), rule: "16384 to 61440 MiB in 4096 MiB steps" },
  16384: { values: range(32, 120, 8), rule: "32768 to 122880 MiB in 8192 MiB steps" },
};

export function isValidFargatePair(cpu: number, memory: number): boolean {
  return MEMORY_BY_CPU[cpu]?.values.includes(memory) ?? false;
}

/** Human-readable allowed memory for a CPU size (for error messages). */
export function fargateMemoryRule(cpu: number): string {
  return MEMORY_BY_CPU[cpu]?.rule ?? `no memory is valid: ${cpu} is not a Fargate CPU size`;
}
