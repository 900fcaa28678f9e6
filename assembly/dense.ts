// Fully connected layer, applied to every row (time-distributed over [T*B] rows of a sequence).
//
// Forward:  y = f(x W^T + b)             x [M, I], W [O, I] (PyTorch nn.Linear), b [O], y [M, O]
// Backward: dz = dy ⊙ f'(y),  dW += dz^T x,  db += Σ_rows dz,  dx = dz W
import { gemm } from "./gemm";
import { activationForward, activationBackward } from "./activations";
import { broadcastRows, sumRowsInto } from "./rows";

/** y [M, O] = f(x [M, I] · W^T + b). */
export function denseForward(M: i32, I: i32, O: i32, act: i32, x: usize, w: usize, b: usize, y: usize): void {
  broadcastRows(y, b, M, O);
  gemm(M, O, I, x, I, 1, w, 1, I, y, O, 1);
  activationForward(act, y, y, M * O);
}

/** dz [M, O] (scratch, may alias dy) = dy ⊙ f'(y); adds dW [O, I], db [O]; writes dx [M, I] unless 0. */
export function denseBackward(M: i32, I: i32, O: i32, act: i32, x: usize, w: usize, y: usize, dy: usize, dz: usize, dx: usize, dw: usize, db: usize): void {
  activationBackward(act, y, dy, dz, M * O);
  gemm(O, I, M, dz, 1, O, x, I, 1, dw, I, 1);
  sumRowsInto(db, dz, M, O);
  if (dx != 0) gemm(M, I, O, dz, O, 1, w, I, 1, dx, I, 0);
}
