/**
 * Adaptive stopping rules: each looks at the answers so far (in completion order) and says whether the
 * answer is settled. Sources and defaults: ../shared/reference/algorithms.md and algorithm-defaults.md.
 */

/** Counts of the leader and the runner-up among non-abstaining answers. */
export function leaderCounts(answers: (string | undefined)[]): { leader: string | undefined; top: number; second: number; total: number } {
  const counts = new Map<string, number>();
  for (const answer of answers) if (answer !== undefined) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  let leader: string | undefined;
  let top = 0;
  let second = 0;
  for (const [answer, count] of counts) {
    if (count > top) {
      second = top;
      top = count;
      leader = answer;
    } else if (count > second) second = count;
  }
  return { leader, top, second, total: [...counts.values()].reduce((sum, count) => sum + count, 0) };
}

/**
 * Adaptive-Consistency's Beta criterion (Aggarwal et al., 2023): with a = leader count and b = runner-up
 * count, the probability that the leader's true share beats the runner-up's is
 * P(X > 1/2) for X ~ Beta(a + 1, b + 1), which for integers equals P(Binomial(a + b + 1, 1/2) <= a).
 */
export function betaStoppingProbability(a: number, b: number): number {
  const trials = a + b + 1;
  // Sum binomial probabilities in log space to stay exact for large counts.
  let logCoefficient = 0; // log C(trials, 0)
  let total = 0;
  for (let k = 0; k <= a; k++) {
    if (k > 0) logCoefficient += Math.log(trials - k + 1) - Math.log(k);
    total += Math.exp(logCoefficient - trials * Math.LN2);
  }
  return Math.min(1, total);
}

export type StoppingRule = {
  readonly name: string;
  /** Whether sampling may stop, given every answer so far in completion order. */
  shouldStop(answers: (string | undefined)[]): boolean;
};

/** Stop once P(leader beats runner-up) >= threshold. Defaults: threshold 0.95 (paper), at least 2 answers. */
export function betaRule(options: { threshold?: number; minSamples?: number } = {}): StoppingRule {
  const threshold = options.threshold ?? 0.95;
  const minSamples = options.minSamples ?? 2;
  return {
    name: "adaptive-consistency",
    shouldStop: (answers) => {
      const { top, second, total } = leaderCounts(answers);
      return total >= minSamples && betaStoppingProbability(top, second) >= threshold;
    },
  };
}

/** ESC (Li et al., 2024): stop when the last `window` answers are identical and none abstained. Defaults: window 5. */
export function windowRule(options: { window?: number } = {}): StoppingRule {
  const window = options.window ?? 5;
  return {
    name: "esc",
    shouldStop: (answers) => {
      if (answers.length < window) return false;
      const last = answers.slice(-window);
      return last[0] !== undefined && last.every((answer) => answer === last[0]);
    },
  };
}

/** Stop once the leader holds at least `threshold` of at least `minSamples` answers. Defaults: 0.7, 4. */
export function leaderShareRule(options: { threshold?: number; minSamples?: number } = {}): StoppingRule {
  const threshold = options.threshold ?? 0.7;
  const minSamples = options.minSamples ?? 4;
  return {
    name: "leader-threshold",
    shouldStop: (answers) => {
      const { top } = leaderCounts(answers);
      return answers.length >= minSamples && top / answers.length >= threshold;
    },
  };
}
