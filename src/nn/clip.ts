// Global gradient-norm clipping (Pascanu et al. 2013), as PyTorch's clip_grad_norm_: all gradients
// are scaled by maxNorm / (‖g‖ + 1e-6) when the global L2 norm ‖g‖ exceeds maxNorm.
import type { Tensor } from './tensor.ts';

/** Clips in place; returns the global norm before clipping. */
export function clipGradNorm(parameters: Map<string, Tensor> | Iterable<Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const tensors = parameters instanceof Map ? [...parameters.values()] : [...parameters];
  let squares = 0;
  for (const t of tensors) {
    const g = t.grad;
    if (g === null) continue;
    for (let i = 0; i < g.length; i++) squares += g[i] * g[i];
  }
  const norm = Math.sqrt(squares);
  if (norm > maxNorm) {
    const factor = maxNorm / (norm + 1e-6);
    for (const t of tensors) {
      const g = t.grad;
      if (g === null) continue;
      for (let i = 0; i < g.length; i++) g[i] *= factor;
    }
  }
  return norm;
}
