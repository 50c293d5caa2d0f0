/**
 * ECS on Fargate: the task sizes AWS accepts. No imports, so the pack stays publishable on its own.
 */

/** Fargate task CPU units. */
export const FARGATE_CPU_UNITS: readonly number[] = Object.freeze([256, 512, 1024, 2048, 4096, 8192, 16384]);

/** Fargate CPU units and the memory (MiB) each allows. */
export const FARGATE_MEMORY_MIB: Readonly<Record<number, (memoryMiB: number) => boolean>> = Object.freeze({
    256: (m) => [512, 1024, 2048].includes(m),
    512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
    1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
    2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
    4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
    8192: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0,
    16384: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0,
});
