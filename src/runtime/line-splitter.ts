// Newline-delimited JSON, as a Kubernetes watch streams it, cut into lines
// on the bytes. Node's readline decodes every chunk into a string, then
// scans and re-slices it, and was the largest single cost of watching in
// the operator's profile. A newline byte never occurs inside a multi-byte
// UTF-8 sequence, so cutting on 0x0a and decoding each whole line is exact.

/** A `data` handler that calls `onLine` with every complete line (without its newline). */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  /** The start of a line that has not ended yet, in pieces. */
  let pending: Buffer[] = [];
  return (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (pending.length > 0) {
        pending.push(chunk.subarray(start, nl));
        onLine(Buffer.concat(pending).toString('utf8'));
        pending = [];
      } else {
        onLine(chunk.toString('utf8', start, nl));
      }
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  };
}
