// A small seeded PRNG (sfc32) so that a sandbox is reproducible from its seed: the same seed
// always yields the same sequence, on every platform, independent of Math.random.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform float in [min, max). */
  float(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks with a heavy head: early items are chosen far more often than late ones. */
  pickSkewed<T>(items: readonly T[], skew?: number): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator derived from this one's seed and a label. */
  fork(label: string): Rng;
}

/** 32-bit FNV-1a hash of a string, used to derive sub-seeds from labels. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number | string): Rng {
  const seedNum = typeof seed === "string" ? hashString(seed) : seed >>> 0 || hashString(String(seed));
  return makeSfc32(seedNum, seed);
}

function makeSfc32(seedNum: number, label: number | string): Rng {
  let a = 0x9e3779b9 ^ seedNum;
  let b = 0x243f6a88 ^ Math.imul(seedNum, 0x85ebca6b);
  let c = 0xb7e15162 ^ Math.imul(seedNum, 0xc2b2ae35);
  let d = 1;
  const raw = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up so that nearby seeds diverge.
  for (let i = 0; i < 15; i++) raw();

  const rng: Rng = {
    next: raw,
    int(min, max) {
      const lo = Math.ceil(Math.min(min, max));
      const hi = Math.floor(Math.max(min, max));
      return lo + Math.floor(raw() * (hi - lo + 1));
    },
    float(min, max) {
      return min + raw() * (max - min);
    },
    chance(p) {
      return raw() < p;
    },
    pick(items) {
      if (items.length === 0) throw new Error("pick() needs at least one item");
      return items[Math.floor(raw() * items.length)] as (typeof items)[number];
    },
    pickSkewed(items, skew = 2.2) {
      if (items.length === 0) throw new Error("pickSkewed() needs at least one item");
      const index = Math.floor(Math.pow(raw(), skew) * items.length);
      return items[Math.min(index, items.length - 1)] as (typeof items)[number];
    },
    shuffle(items) {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(raw() * (i + 1));
        const tmp = out[i] as (typeof out)[number];
        out[i] = out[j] as (typeof out)[number];
        out[j] = tmp;
      }
      return out;
    },
    fork(sub) {
      return makeSfc32(hashString(`${String(label)}/${sub}`) ^ seedNum, `${String(label)}/${sub}`);
    },
  };
  return rng;
}
