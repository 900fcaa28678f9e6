// Fully connected layer, applied to every row (time-distributed over [T*B] rows of a sequence).
//
// Forward:  y = f(x W^T + b)             x [M, I], W [O, I] (PyTorch nn.Linear), b [O], y [M, O]
//           (W read as W^T [I, O] packed by gemmPackB)
// Backward: dz = dy ⊙ f'(y),  dW += dz^T x,  db += Σ_rows dz,  dx = dz W
import { activationForward, activationBackward } from "./activations";
import { inputProjection, inputProjectionBackward } from "./projection";

/** y [M, O] = f(x [M, I] · W^T + b), W^T [I, O] packed by gemmPackB at packedW. */
export function denseForward(M: i32, I: i32, O: i32, act: i32, x: usize, packedW: usize, b: usize, y: usize): void {
  inputProjection(1, M, I, O, x, false, 0, packedW, b, 0, 0, y);
  activationForward(act, y, y, M * O);
}

/** dz [M, O] (scratch, may alias dy) = dy ⊙ f'(y); adds dW [O, I], db [O]; writes dx [M, I] unless 0. */
export function denseBackward(M: i32, I: i32, O: i32, act: i32, x: usize, w: usize, y: usize, dy: usize, dz: usize, dx: usize, dw: usize, db: usize): void {
  activationBackward(act, y, dy, dz, M * O);
  inputProjectionBackward(M, I, O, x, false, w, dz, dx, dw, db, 0);
}
