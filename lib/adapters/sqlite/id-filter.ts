// A Bloom filter of ids: `mightHave` is false only for an id never added. The attempt ledger keeps
// one of the executions its table holds attempts of, so that a claim of a new attempt (nearly every
// claim) is answered from memory instead of a read of the table: on the main connection, which
// shares the database with the writer thread, each read takes and releases SQLite's shared-memory
// locks, which cost more than the lookup.

/** Bits per id: with 7 hashes, about 1% of the ids never added read as maybe there. */
const BITS_PER_ID = 10;
const HASHES = 7;

export class IdFilter {
  private readonly bits: Uint32Array;
  private added = 0;

  constructor(readonly capacity: number) {
    this.bits = new Uint32Array(Math.ceil((Math.max(capacity, 1024) * BITS_PER_ID) / 32));
  }

  /** True once more ids were added than it was sized for (it then answers "maybe" more often). */
  get full(): boolean {
    return this.added > this.capacity;
  }

  add(id: string): void {
    const size = this.bits.length * 32;
    const [h1, h2] = hashes(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % size;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
    this.added++;
  }

  mightHave(id: string): boolean {
    const size = this.bits.length * 32;
    const [h1, h2] = hashes(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % size;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two 32-bit FNV-1a hashes with different offsets, for double hashing (the second made odd). */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [a >>> 0, (b | 1) >>> 0];
}
