// Growable typed-array columns: the ledger stores one row per message or per delivery in a few of these, which costs
// tens of bytes per message instead of the hundreds an object in a Map would.

type TypedArray = Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

export class Column<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(
    private readonly make: TypedArrayConstructor<T>,
    private readonly fill = 0,
    initialCapacity = 1024,
  ) {
    this.data = new make(initialCapacity);
    if (fill !== 0) this.data.fill(fill);
  }

  get(index: number): number {
    return index < this.length ? (this.data[index] as number) : this.fill;
  }

  set(index: number, value: number): void {
    this.ensureLength(index + 1);
    this.data[index] = value;
  }

  push(value: number): number {
    this.set(this.length, value);
    return this.length - 1;
  }

  /** Extends the column to at least `length` rows; new rows hold the fill value. */
  ensureLength(length: number): void {
    if (length > this.data.length) {
      let capacity = this.data.length;
      while (capacity < length) capacity *= 2;
      const bigger = new this.make(capacity);
      if (this.fill !== 0) bigger.fill(this.fill);
      bigger.set(this.data as never);
      this.data = bigger;
    }
    if (length > this.length) this.length = length;
  }
}
