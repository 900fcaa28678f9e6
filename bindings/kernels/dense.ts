/** Dense-layer exports of the wasm core (assembly/dense.ts). */
export interface DenseExports {
  /** y [M, O] = f(x [M, I] · W^T + b), W^T [I, O] packed by gemmPackB at packedW. */
  denseForward(M: number, I: number, O: number, act: number, x: number, packedW: number, b: number, y: number): void;
  /** dz = dy ⊙ f'(y); dW += dz^T x; db += Σ dz; dx = dz W (dx 0: skip). */
  denseBackward(M: number, I: number, O: number, act: number, x: number, w: number, y: number, dy: number, dz: number, dx: number, dw: number, db: number): void;
}
