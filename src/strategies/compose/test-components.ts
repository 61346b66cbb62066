/**
 * Archon's unit-test generator and evaluator, for code: each candidate's program runs in the sandbox on the
 * examples the problem shows (`>>> call` then the expected value), or, where it shows none, on tests the model
 * writes; the candidates whose programs pass the most stay, each with what it passed as its critique.
 */

import { codeAnswer } from "../../tasks/humaneval-program.js";
import { doctestsOf } from "../code/doctests.js";
import { askTests, behavioursOf } from "../code/execution-selection.js";
import { type ComponentSpec, componentName } from "./architecture.js";
import type { Component } from "./component.js";

export function testVerifier(spec: Extract<ComponentSpec, { role: "verifier" }>): Component {
  return {
    role: "verifier",
    name: componentName("verifier:tests", spec),
    async run({ candidates, services }) {
      if (candidates.length === 0) return candidates;
      let tests = doctestsOf(services.problem);
      if (tests.length === 0 && spec.tests > 0) {
        const reply = await services.complete({
          prompt: askTests(services.problem, spec.tests),
          temperature: 0,
          ...(spec.model !== undefined ? { model: spec.model } : {}),
        });
        tests = doctestsOf(reply);
      }
      if (tests.length === 0) {
        services.warn(
          `verifier: no tests to run (the problem shows no examples${spec.tests > 0 ? " and the model's reply held none" : ""}); all ${candidates.length} kept`,
        );
        return candidates;
      }
      const programs = candidates.map((candidate) => ({ ...candidate, answer: codeAnswer(candidate.text) }));
      const behaviours = await behavioursOf(programs, tests, (code) => services.runCode({ code, timeoutMs: spec.codeTimeoutMs }));
      const passed = behaviours.map((behaviour) => behaviour?.passed ?? -1);
      const best = Math.max(...passed);
      candidates.forEach((candidate, index) => {
        candidate.critique = `passes ${Math.max(0, passed[index] ?? 0)} of ${tests.length} tests`;
      });
      if (best > 0) return candidates.filter((_, index) => passed[index] === best);
      services.warn(`verifier: no program passed a test; all ${candidates.length} kept`);
      return candidates;
    },
  };
}
