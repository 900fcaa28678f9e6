// The input side of a layer over all rows (every step of every sequence) at once, as one gemm:
//   forward:  Z [M, G] = X [M, D] · W^T + b1 (+ b2) (+ zAdd [B, G] at every one of T steps)
//   backward: dW += dZ^T X,  db1 (and db2) += Σ_rows dZ,  dX = dZ W
// With token input, X holds ids i32 [M] in [0, D), read as one-hot rows, so the product is a
// gather of W's columns and its weight gradient a scatter-add (dX, the one-hot rows' gradient, as above):
//   forward:  table [D, G] = W^T + b1 (+ b2);  Z[m] = table[id_m]
//   backward: S [D, G] = Σ_{m: id_m = v} dZ[m] per id v;  dW += S^T;  db1 (and db2) += Σ_rows dZ
// and the weight gradient of a product with the previous states, dW [R, K] += dZ[:, :R]^T H_prev.
// W is [G, D] (PyTorch's layout); the forward product reads it packed as W^T [D, G] (gemmPackB panels,
// packed once per parameter version by the bindings: bindings/weight-packs.ts).
import { gemm, gemmPacked } from "./gemm";
import { broadcastRows, addRowVector, sumRowsInto, gatherRows, scatterAddRows, addInPlace } from "./rows";
import { tempAlloc, tempFree, tempRoom } from "./scratch";

/** Floats of the table a projection of token ids over [G, D] weights allocates for one call (freed before it returns). */
export function tokenTableSize(D: i32, G: i32): i32 {
  return D * G;
}

/**
 * Z [T*B, G] = X [T*B, D] · W^T + b1 + b2 (b2, zAdd: 0 for none); X is ids i32 [T*B] when tokens, which
 * read W [G, D]; floats read packedW, W^T packed by gemmPackB (w and packedW: 0 where not read).
 */
export function inputProjection(T: i32, B: i32, D: i32, G: i32, x: usize, tokens: bool, w: usize, packedW: usize, b1: usize, b2: usize, zAdd: usize, z: usize): void {
  const M = T * B;
  if (tokens) {
    // table [D, g] = W[g0 : g0 + g]^T + b1 (+ b2) for column blocks of g (all G on the main thread)
    const g = tokenColumns(D, G);
    const table = tempAlloc(<usize>(D * g) << 2);
    for (let g0 = 0; g0 < G; g0 += g) {
      const n = min(g, G - g0);
      const offset = <usize>g0 << 2;
      broadcastRows(table, b1 + offset, D, n);
      if (b2 != 0) addRowVector(table, b2 + offset, D, n);
      transposeAdd(table, w + offset * <usize>D, n, D);
      if (n == G) gatherRows(z, table, x, M, G);
      else gatherColumns(z + offset, G, table, x, M, n);
    }
    tempFree(table);
  } else {
    broadcastRows(z, b1, M, G);
    if (b2 != 0) addRowVector(z, b2, M, G);
    gemmPacked(M, G, D, x, D, 1, packedW, z, G, 1);
  }
  if (zAdd != 0) addRowVector(z, zAdd, T, B * G); // the [B, G] block at each of T steps
}

/** dW [G, D] += dZ^T X; db1 (and db2 unless 0) += Σ dZ; dX [M, D] = dZ W unless dx is 0. */
export function inputProjectionBackward(M: i32, D: i32, G: i32, x: usize, tokens: bool, w: usize, dz: usize, dx: usize, dw: usize, db1: usize, db2: usize): void {
  if (tokens) {
    // perId [D, g] = Σ_{m: id_m = v} dZ[m, g0 : g0 + g] for column blocks of g, as the forward
    const g = tokenColumns(D, G);
    const perId = tempAlloc(<usize>(D * g) << 2);
    for (let g0 = 0; g0 < G; g0 += g) {
      const n = min(g, G - g0);
      const offset = <usize>g0 << 2;
      memory.fill(perId, 0, <usize>(D * n) << 2);
      if (n == G) scatterAddRows(perId, dz, x, M, G);
      else scatterAddColumns(perId, n, dz + offset, G, x, M);
      transposeAdd(dw + offset * <usize>D, perId, D, n);
    }
    tempFree(perId);
  } else {
    gemm(G, D, M, dz, 1, G, x, D, 1, dw, D, 1);
  }
  sumRowsInto(db1, dz, M, G);
  if (db2 != 0) sumRowsInto(db2, dz, M, G);
  if (dx != 0) gemm(M, D, G, dz, G, 1, w, D, 1, dx, D, 0);
}

/** Columns per block of a token table [D, G]: all G, or as many as a worker's scratch holds. */
function tokenColumns(D: i32, G: i32): i32 {
  const g = <i32>(tempRoom(<usize>(D * G) << 2) / (<usize>D << 2));
  assert(g > 0);
  return g;
}

/** dst[i, 0 : n] = table[index[i], :] for i < M, table [D, n], rows of dst ldd floats apart. */
function gatherColumns(dst: usize, ldd: i32, table: usize, index: usize, M: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let i = 0; i < M; i++) {
    const r = <usize>load<i32>(index + (<usize>i << 2));
    memory.copy(dst + (<usize>(i * ldd) << 2), table + r * bytes, bytes);
  }
}

/** table[index[i], :] += src[i, 0 : n] for i < M, table [D, n], rows of src lds floats apart. */
function scatterAddColumns(table: usize, n: i32, src: usize, lds: i32, index: usize, M: i32): void {
  const bytes = <usize>n << 2;
  for (let i = 0; i < M; i++) {
    const r = <usize>load<i32>(index + (<usize>i << 2));
    addInPlace(table + r * bytes, src + (<usize>(i * lds) << 2), n);
  }
}

/** dst [C, R] += src [R, C]^T. */
function transposeAdd(dst: usize, src: usize, R: i32, C: i32): void {
  for (let r = 0; r < R; r++) {
    const row = src + (<usize>(r * C) << 2);
    for (let c = 0; c < C; c++) {
      const d = dst + (<usize>(c * R + r) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(row + (<usize>c << 2)));
    }
  }
}

/** dW [R, K] += dZ[:, :R]^T · H [M, K], where rows of dZ are ldz floats apart. */
export function stateWeightGradient(M: i32, R: i32, K: i32, dz: usize, ldz: i32, h: usize, dw: usize): void {
  gemm(R, K, M, dz, 1, ldz, h, K, 1, dw, K, 1);
}
