/**
 * Streaming content-defined chunker following FastCDC (Xia et al., 2016):
 * gear rolling hash, cut-point skipping below minSize and normalized chunking
 * (normalization level 2: a mask with two extra 1-bits before avgSize, two
 * fewer after it), with a hard cut at maxSize.
 */

export interface ChunkerParams {
  minSize: number;
  /** Must be a power of two. */
  avgSize: number;
  maxSize: number;
}

export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = {
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
};

/** Bounds enforced on parameters (mask widths must fit in the 32-bit hash). */
export const CHUNKER_LIMITS = {
  minMinSize: 64,
  minAvgSize: 256,
  maxAvgSize: 2 ** 28,
  maxMaxSize: 2 ** 30,
} as const;

/** Normalization level: the small/large masks have log2(avg) ± this many bits. */
const NORMALIZATION_LEVEL = 2;

/**
 * Bytes hashed before the first candidate cut of each chunk. With a 32-bit
 * gear hash every hash bit depends on at most the last 32 bytes, so after this
 * warm-up the cut decision is a pure function of the 32 bytes ending at the
 * candidate position (and not of where hashing happened to start).
 */
const HASH_WARMUP = 32;

/**
 * Builds a mask with `bits` 1-bits spread evenly over the high part of the
 * 32-bit word (the counterpart of the paper's zero-padded masks): high bits of
 * a left-shifting gear hash mix in more preceding bytes than low bits.
 * Returned as a signed int32 so `(h & mask) === 0` stays in int32 arithmetic.
 */
export function spreadMask(bits: number): number {
  if (!Number.isInteger(bits) || bits < 1 || bits > 31) {
    throw new RangeError(`mask bit count out of range: ${bits}`);
  }
  const span = Math.max(bits, 24);
  let mask = 0;
  for (let i = 0; i < bits; i++) mask |= 1 << (31 - Math.floor((i * span) / bits));
  return mask | 0;
}

function validateParams(p: ChunkerParams): void {
  const { minSize, avgSize, maxSize } = p;
  for (const [name, v] of [['minSize', minSize], ['avgSize', avgSize], ['maxSize', maxSize]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`chunker ${name} must be a positive integer, got ${String(v)}`);
    }
  }
  if (!(minSize < avgSize && avgSize < maxSize)) {
    throw new RangeError(
      `chunker params must satisfy minSize < avgSize < maxSize, got ${minSize} / ${avgSize} / ${maxSize}`,
    );
  }
  if ((avgSize & (avgSize - 1)) !== 0) {
    throw new RangeError(`chunker avgSize must be a power of two, got ${avgSize}`);
  }
  if (minSize < CHUNKER_LIMITS.minMinSize) {
    throw new RangeError(`chunker minSize must be at least ${CHUNKER_LIMITS.minMinSize}, got ${minSize}`);
  }
  if (avgSize < CHUNKER_LIMITS.minAvgSize || avgSize > CHUNKER_LIMITS.maxAvgSize) {
    throw new RangeError(
      `chunker avgSize must be between ${CHUNKER_LIMITS.minAvgSize} and ${CHUNKER_LIMITS.maxAvgSize}, got ${avgSize}`,
    );
  }
  if (maxSize > CHUNKER_LIMITS.maxMaxSize) {
    throw new RangeError(`chunker maxSize must be at most ${CHUNKER_LIMITS.maxMaxSize}, got ${maxSize}`);
  }
}

export class FastCdcChunker {
  readonly params: Readonly<ChunkerParams>;
  // Int32 copy of the table: int32 loads keep the hash loop in pure int32 math.
  private readonly gear: Int32Array;
  private readonly maskS: number;
  private readonly maskL: number;
  /** Holds the unfinished tail of the current chunk; allocated lazily. */
  private buf: Uint8Array | null = null;
  /** Bytes of the current chunk held in `buf` (all of them already scanned). */
  private pendingLen = 0;
  /** Gear hash state after the last scanned byte of the current chunk. */
  private hash = 0;

  constructor(gear: Uint32Array, params: ChunkerParams = DEFAULT_CHUNKER_PARAMS) {
    if (!(gear instanceof Uint32Array) || gear.length !== 256) {
      throw new TypeError('gear table must be a Uint32Array of 256 entries');
    }
    validateParams(params);
    this.params = Object.freeze({ minSize: params.minSize, avgSize: params.avgSize, maxSize: params.maxSize });
    this.gear = new Int32Array(256);
    for (let i = 0; i < 256; i++) this.gear[i] = gear[i]! | 0;
    const avgBits = Math.round(Math.log2(params.avgSize));
    this.maskS = spreadMask(avgBits + NORMALIZATION_LEVEL);
    this.maskL = spreadMask(avgBits - NORMALIZATION_LEVEL);
  }

  /** Whether this chunker cuts as one made from `gear` and `params` would (so it can be reused for them). */
  matches(gear: Uint32Array, params: ChunkerParams): boolean {
    const p = this.params;
    if (p.minSize !== params.minSize || p.avgSize !== params.avgSize || p.maxSize !== params.maxSize) return false;
    for (let i = 0; i < 256; i++) if (this.gear[i] !== (gear[i]! | 0)) return false;
    return true;
  }

  /**
   * Feeds the next piece of the stream. Returns the chunks completed by it
   * (fresh buffers, never aliasing `data` or internal state). `data` is not
   * retained after the call, so the caller may reuse it.
   */
  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    const end = data.length;
    if (end === 0) return out;
    // Plain Uint8Array view keeps the element loads monomorphic for the JIT.
    const src = new Uint8Array(data.buffer, data.byteOffset, end);
    const g = this.gear;
    const maskS = this.maskS;
    const maskL = this.maskL;
    const { minSize, avgSize, maxSize } = this.params;

    let start = 0; // index in src where the current chunk's unbuffered part begins
    let h = this.hash;
    for (;;) {
      const pending = this.pendingLen;
      // Index in src that chunk offset 0 maps to (negative while bytes are buffered).
      const base = start - pending;
      let i = start;
      let cut = -1; // src index one past the chunk's last byte

      // Cut-point skipping: bytes before the warm-up window are never hashed.
      const warmFrom = base + minSize - HASH_WARMUP;
      if (i < warmFrom) i = warmFrom;
      let lim = base + minSize - 1;
      if (lim > end) lim = end;
      for (; i < lim; i++) h = ((h << 1) + g[src[i]!]!) | 0;

      // Normalized chunking: strict mask below avgSize...
      lim = base + avgSize - 1;
      if (lim > end) lim = end;
      for (; i < lim; i++) {
        h = ((h << 1) + g[src[i]!]!) | 0;
        if ((h & maskS) === 0) {
          cut = i + 1;
          break;
        }
      }
      // ...loose mask above it, up to the forced cut at maxSize.
      if (cut < 0) {
        lim = base + maxSize - 1;
        if (lim > end) lim = end;
        for (; i < lim; i++) {
          h = ((h << 1) + g[src[i]!]!) | 0;
          if ((h & maskL) === 0) {
            cut = i + 1;
            break;
          }
        }
        if (cut < 0 && i < end) cut = base + maxSize;
      }

      if (cut < 0) {
        // Out of input: stash the tail; at most maxSize - 1 bytes stay buffered.
        const tail = end - start;
        if (tail > 0) {
          let buf = this.buf;
          if (buf === null) buf = this.buf = new Uint8Array(maxSize);
          buf.set(src.subarray(start, end), pending);
          this.pendingLen = pending + tail;
        }
        this.hash = h;
        return out;
      }

      const chunk = Buffer.allocUnsafe(cut - base);
      if (pending > 0) chunk.set(this.buf!.subarray(0, pending), 0);
      chunk.set(src.subarray(start, cut), pending);
      out.push(chunk);
      this.pendingLen = 0;
      h = 0;
      start = cut;
      if (start === end) {
        this.hash = 0;
        return out;
      }
    }
  }

  /**
   * Ends the stream: returns the final partial chunk (null if nothing is
   * buffered) and resets the chunker so it can be reused for another stream.
   */
  finish(): Buffer | null {
    const pending = this.pendingLen;
    this.pendingLen = 0;
    this.hash = 0;
    if (pending === 0) return null;
    return Buffer.from(this.buf!.subarray(0, pending));
  }
}
