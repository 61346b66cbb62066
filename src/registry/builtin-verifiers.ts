/** Every built-in verifier kind: adding one is its file plus one line here. */
import type { VerifierDefinition } from "../extension/define-verifier.js";
import { genrmVerifier } from "../verifiers/genrm-verifier.js";
import { judgeVerifier } from "../verifiers/judge-verifier.js";
import { oracleVerifier } from "../verifiers/oracle-verifier.js";
import { prmVerifier } from "../verifiers/prm-verifier.js";
import { stepCheckVerifier } from "../verifiers/step-check-verifier.js";
import { thinkprmVerifier } from "../verifiers/thinkprm-verifier.js";
import { vllmPrmVerifier } from "../verifiers/vllm-prm-verifier.js";

export const builtinVerifiers: readonly VerifierDefinition[] = [
  prmVerifier,
  judgeVerifier,
  genrmVerifier,
  thinkprmVerifier,
  vllmPrmVerifier,
  oracleVerifier,
  stepCheckVerifier,
] as unknown as readonly VerifierDefinition[];
