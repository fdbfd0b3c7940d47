// The placement lock: one placement (and one release) at a time in the
// process. Placement reads and writes the shared capacity ledger and VLAN
// pool; serialising it, and holding the lock across the durable commit,
// means no two zones are ever given the same capacity or VLAN, and a
// failed commit can be rolled back by a rebuild nobody raced with.

export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      release();
    }
  }

  get locked(): boolean {
    return this.held;
  }
}
