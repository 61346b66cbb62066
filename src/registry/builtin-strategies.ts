/** Every built-in strategy: adding one is its file plus one line here. */
import type { StrategyDefinition } from "../extension/define-strategy.js";
import { abMcts } from "../strategies/ab-mcts.js";
import { adaptiveConsistency } from "../strategies/adaptive-consistency.js";
import { archon } from "../strategies/archon.js";
import { atomOfThoughts } from "../strategies/atom-of-thoughts.js";
import { auto } from "../strategies/auto.js";
import { beamSearch, lookahead } from "../strategies/beam-search.js";
import { bestOfN } from "../strategies/best-of-n.js";
import { choiceShuffle } from "../strategies/choice-shuffle.js";
import { codeSelect } from "../strategies/code-select.js";
import { complexityVote } from "../strategies/complexity-vote.js";
import { cotPot } from "../strategies/cot-pot.js";
import { deepConf } from "../strategies/deepconf.js";
import { dvts } from "../strategies/dvts.js";
import { esc } from "../strategies/esc.js";
import { genSelect } from "../strategies/genselect.js";
import { leaderThreshold } from "../strategies/leader-threshold.js";
import { mcts } from "../strategies/mcts.js";
import { mixtureOfAgents } from "../strategies/mixture-of-agents.js";
import { particleFilter } from "../strategies/particle-filter.js";
import { planSearch } from "../strategies/plan-search.js";
import { plangen } from "../strategies/plangen.js";
import { pot } from "../strategies/pot.js";
import { rebase } from "../strategies/rebase.js";
import { repeatedSampling } from "../strategies/repeated-sampling.js";
import { rpc } from "../strategies/rpc.js";
import { selfConsistency } from "../strategies/self-consistency.js";
import { selfRefine } from "../strategies/self-refine.js";
import { single } from "../strategies/single.js";
import { toolIntegrated } from "../strategies/tool-integrated.js";
import { verifiedResample } from "../strategies/verified-resample.js";
import { weightedVote } from "../strategies/weighted-vote.js";

export const builtinStrategies: readonly StrategyDefinition[] = [
  single,
  selfConsistency,
  bestOfN,
  weightedVote,
  verifiedResample,
  repeatedSampling,
  rpc,
  complexityVote,
  beamSearch,
  dvts,
  lookahead,
  particleFilter,
  rebase,
  mcts,
  adaptiveConsistency,
  esc,
  leaderThreshold,
  deepConf,
  auto,
  toolIntegrated,
  pot,
  cotPot,
  codeSelect,
  planSearch,
  archon,
  mixtureOfAgents,
  selfRefine,
  genSelect,
  atomOfThoughts,
  plangen,
  choiceShuffle,
  abMcts,
] as unknown as readonly StrategyDefinition[];
