// Row-wise broadcasts and reductions over row-major [M, N] matrices: bias terms and their gradients.

/** dst[i, :] = v for every row i of dst [M, N]; v [N]. */
export function broadcastRows(dst: usize, v: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) memory.copy(dst + <usize>i * rowBytes, v, rowBytes);
}

/** dst[i, :] += v for every row i of dst [M, N]; v [N]. */
export function addRowVector(dst: usize, v: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) addInPlace(dst + <usize>i * rowBytes, v, N);
}

/** dst[j] += Σ_i X[i, j] over X [M, N]: the gradient of a bias broadcast over M rows. */
export function sumRowsInto(dst: usize, X: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) addInPlace(dst, X + <usize>i * rowBytes, N);
}

/** dst[i] += src[i] for i < n. */
export function addInPlace(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2);
  let d = dst;
  let s = src;
  for (; d + 16 <= end; d += 16, s += 16) v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
  for (; d < end; d += 4, s += 4) store<f32>(d, load<f32>(d) + load<f32>(s));
}

/** Gathers rows: dst[i, :] = src[index[i], :] for i < M, rows of N floats (batch assembly, embeddings). */
export function gatherRows(dst: usize, src: usize, index: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const r = <usize>load<i32>(index + (<usize>i << 2));
    memory.copy(dst + <usize>i * rowBytes, src + r * rowBytes, rowBytes);
  }
}

/** Scatter-adds rows: dst[index[i], :] += src[i, :] for i < M (the backward of gatherRows). */
export function scatterAddRows(dst: usize, src: usize, index: usize, M: i32, N: i32): void {
  const rowBytes = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const r = <usize>load<i32>(index + (<usize>i << 2));
    addInPlace(dst + r * rowBytes, src + <usize>i * rowBytes, N);
  }
}

/**
 * Gathers a batch from a time-major dataset: dst[t, b, :] = src[t, index[b], :] for
 * src [T, N, F], dst [T, B, F], index i32 [B] (4-byte elements: f32 or i32 alike).
 */
export function gatherTimeMajor(dst: usize, src: usize, index: usize, T: i32, N: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let t = 0; t < T; t++) {
    gatherRows(dst + <usize>(t * B) * rowBytes, src + <usize>(t * N) * rowBytes, index, B, F);
  }
}

/**
 * Gathers a batch from a batch-first dataset into time-major order: dst[t, b, :] = src[index[b], t, :]
 * for src [N, T, F], dst [T, B, F], index i32 [B] (4-byte elements: f32 or i32 alike).
 */
export function gatherBatchFirst(dst: usize, src: usize, index: usize, T: i32, N: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  const sequenceBytes = <usize>T * rowBytes;
  const stepBytes = <usize>B * rowBytes;
  for (let b = 0; b < B; b++) {
    const n = load<i32>(index + (<usize>b << 2));
    assert(n >= 0 && n < N);
    const from = src + <usize>n * sequenceBytes;
    const to = dst + <usize>b * rowBytes;
    for (let t = 0; t < T; t++) memory.copy(to + <usize>t * stepBytes, from + <usize>t * rowBytes, rowBytes);
  }
}

/**
 * Swaps the two leading axes: dst[b, a, :] = src[a, b, :] for src [A, B, F], dst [B, A, F]
 * (4-byte elements): time-major [T, B, F] to batch-first [B, T, F] and back.
 */
export function swapLeadingAxes(dst: usize, src: usize, A: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  const outerBytes = <usize>B * rowBytes;
  const innerBytes = <usize>A * rowBytes;
  for (let a = 0; a < A; a++) {
    const from = src + <usize>a * outerBytes;
    const to = dst + <usize>a * rowBytes;
    for (let b = 0; b < B; b++) memory.copy(to + <usize>b * innerBytes, from + <usize>b * rowBytes, rowBytes);
  }
}
