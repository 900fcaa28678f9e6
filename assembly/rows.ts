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
