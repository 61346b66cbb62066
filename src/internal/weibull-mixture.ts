/**
 * Maximum-likelihood fit of a two-component Weibull mixture (for RPC's reasoning pruning), by Nelder-Mead
 * over unconstrained parameters. Starts from RPC's initial values [w=0.5, k1=1, λ1=1, k2=1.5, λ2=2] with
 * w bounded to [0.2, 0.8].
 */

/** Lanczos approximation of the gamma function (x > 0). */
export function gamma(x: number): number {
  const coefficients = [
    676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const shifted = x - 1;
  let sum = 0.9999999999998099;
  coefficients.forEach((coefficient, index) => {
    sum += coefficient / (shifted + index + 1);
  });
  const t = shifted + coefficients.length - 0.5;
  return Math.sqrt(2 * Math.PI) * t ** (shifted + 0.5) * Math.exp(-t) * sum;
}

export function weibullDensity(x: number, shape: number, scale: number): number {
  if (x <= 0) return 0;
  const ratio = x / scale;
  return (shape / scale) * ratio ** (shape - 1) * Math.exp(-(ratio ** shape));
}

export type WeibullMixture = { weight: number; shape1: number; scale1: number; shape2: number; scale2: number };

const decode = ([w, k1, l1, k2, l2]: number[]): WeibullMixture => ({
  weight: 0.2 + 0.6 / (1 + Math.exp(-(w ?? 0))),
  shape1: Math.exp(k1 ?? 0),
  scale1: Math.exp(l1 ?? 0),
  shape2: Math.exp(k2 ?? 0),
  scale2: Math.exp(l2 ?? 0),
});

function negativeLogLikelihood(values: number[], mixture: WeibullMixture): number {
  let total = 0;
  for (const value of values) {
    const density =
      mixture.weight * weibullDensity(value, mixture.shape1, mixture.scale1) + (1 - mixture.weight) * weibullDensity(value, mixture.shape2, mixture.scale2);
    total -= Math.log(Math.max(density, 1e-300));
  }
  return total;
}

/** Nelder-Mead minimisation of `objective` from `start`. */
function nelderMead(objective: (point: number[]) => number, start: number[], iterations = 600): number[] {
  const size = start.length;
  let simplex = [start, ...start.map((_, index) => start.map((value, other) => (other === index ? value + 0.5 : value)))].map((point) => ({
    point,
    value: objective(point),
  }));
  for (let iteration = 0; iteration < iterations; iteration++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0] as { point: number[]; value: number };
    const worst = simplex[size] as { point: number[]; value: number };
    if (Math.abs(worst.value - best.value) < 1e-9) break;
    const centroid = start.map((_, index) => simplex.slice(0, size).reduce((sum, vertex) => sum + (vertex.point[index] ?? 0), 0) / size);
    const along = (factor: number) => centroid.map((value, index) => value + factor * ((worst.point[index] ?? 0) - value));
    const reflected = along(-1);
    const reflectedValue = objective(reflected);
    const secondWorst = simplex[size - 1] as { value: number };
    if (reflectedValue < best.value) {
      const expanded = along(-2);
      const expandedValue = objective(expanded);
      simplex[size] = expandedValue < reflectedValue ? { point: expanded, value: expandedValue } : { point: reflected, value: reflectedValue };
    } else if (reflectedValue < secondWorst.value) {
      simplex[size] = { point: reflected, value: reflectedValue };
    } else {
      const contracted = along(0.5);
      const contractedValue = objective(contracted);
      if (contractedValue < worst.value) simplex[size] = { point: contracted, value: contractedValue };
      else
        simplex = simplex
          .map((vertex) => ({ point: vertex.point.map((value, index) => (best.point[index] ?? 0) + 0.5 * (value - (best.point[index] ?? 0))), value: 0 }))
          .map((vertex) => ({ point: vertex.point, value: objective(vertex.point) }));
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return (simplex[0] as { point: number[] }).point;
}

/** Fits the mixture and relabels it so that component 1 has the higher mean. */
export function fitWeibullMixture(values: number[]): WeibullMixture {
  const start = [0, Math.log(1), Math.log(1), Math.log(1.5), Math.log(2)];
  const fitted = decode(nelderMead((point) => negativeLogLikelihood(values, decode(point)), start));
  const mean = (shape: number, scale: number) => scale * gamma(1 + 1 / shape);
  if (mean(fitted.shape1, fitted.scale1) >= mean(fitted.shape2, fitted.scale2)) return fitted;
  return { weight: 1 - fitted.weight, shape1: fitted.shape2, scale1: fitted.scale2, shape2: fitted.shape1, scale2: fitted.scale1 };
}

/** Posterior probability that `value` came from component 1. */
export function highComponentPosterior(value: number, mixture: WeibullMixture): number {
  const high = mixture.weight * weibullDensity(value, mixture.shape1, mixture.scale1);
  const low = (1 - mixture.weight) * weibullDensity(value, mixture.shape2, mixture.scale2);
  return high + low > 0 ? high / (high + low) : 0.5;
}
