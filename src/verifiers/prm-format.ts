/**
 * The input format of mull's bundled process reward model: the problem prompt, then each step line of
 * the solution with `?` appended before its newline. The step's score is read right after its `?`.
 */

/** The character after which a step's score is read. */
export const PRM_STEP_MARKER = "?";
/** Labels the PRM predicts after each marker: good and bad step. */
export const PRM_GOOD_LABEL = "+";
export const PRM_BAD_LABEL = "-";

/** e.g. `Q: 2+3*4\nA: ` + `3*4=12\n2+12=14\n#### 14` -> `Q: 2+3*4\nA: 3*4=12?\n2+12=14?\n#### 14?\n`. */
export function formatPrmInput(options: { prompt: string; solution: string }): { text: string; steps: string[] } {
  const steps = options.solution.split("\n").filter((line) => line.trim().length > 0);
  return { text: options.prompt + steps.map((step) => `${step}${PRM_STEP_MARKER}\n`).join(""), steps };
}
