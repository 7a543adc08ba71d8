import { availableParallelism } from 'node:os';

/**
 * libuv's thread pool (compression, file I/O, key derivation) no larger than
 * the machine: its default of four threads on two cores only competes for
 * them, and each thread that ran a compression keeps freed zstd workspaces in
 * a malloc arena of its own. Measured on 2 cores, a 513 MiB backup: 2.18 s
 * and 163 MiB peak RSS became 2.03 s and 158 MiB (median of 5); restores and
 * many small files unchanged or a little faster.
 *
 * Imported first by a process's entry point: libuv reads the size when the
 * pool starts, at its first use. A size the user set is kept.
 */
process.env.UV_THREADPOOL_SIZE ||= String(Math.min(4, Math.max(2, availableParallelism())));
