// Jobs run in FIFO order, one per turn of the event loop. Node sends the
// data of sockets and HTTP/2 streams between turns, so heavy synchronous
// jobs that arrive together (write batches in the software switch, zone
// updates in the sidecar) run this way let each job's replies and requests
// leave before the next job starts, instead of all at the end.
export class TurnQueue {
  private readonly jobs: (() => void)[] = [];

  push(job: () => void): void {
    this.jobs.push(job);
    if (this.jobs.length === 1) setImmediate(this.drain);
  }

  /** Drop the jobs not yet run. */
  clear(): void {
    this.jobs.length = 0;
  }

  get size(): number {
    return this.jobs.length;
  }

  private readonly drain = (): void => {
    const job = this.jobs.shift();
    try {
      job?.();
    } finally {
      if (this.jobs.length > 0) setImmediate(this.drain);
    }
  };
}
