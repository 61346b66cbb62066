/** Every built-in strategy: adding one is its file plus one line here. */
import type { StrategyDefinition } from "../extension/define-strategy.js";
import { auto } from "../strategies/auto/auto.js";
import { codeSelect } from "../strategies/code/code-select.js";
import { cotPot } from "../strategies/code/cot-pot.js";
import { planSearch } from "../strategies/code/plan-search.js";
import { pot } from "../strategies/code/pot.js";
import { toolIntegrated } from "../strategies/code/tool-integrated.js";
import { archon } from "../strategies/compose/archon.js";
import { atomOfThoughts } from "../strategies/compose/atom-of-thoughts.js";
import { genSelect } from "../strategies/compose/genselect.js";
import { mixtureOfAgents } from "../strategies/compose/mixture-of-agents.js";
import { plangen } from "../strategies/compose/plangen.js";
import { recursiveSelfAggregation } from "../strategies/compose/recursive-self-aggregation.js";
import { selfRefine } from "../strategies/compose/self-refine.js";
import { universalSelfConsistency } from "../strategies/compose/universal-self-consistency.js";
import { abMcts } from "../strategies/search/ab-mcts.js";
import { beamSearch, lookahead } from "../strategies/search/beam-search.js";
import { dvts } from "../strategies/search/dvts.js";
import { mcts } from "../strategies/search/mcts.js";
import { particleFilter } from "../strategies/search/particle-filter.js";
import { rebase } from "../strategies/search/rebase.js";
import { bestOfN } from "../strategies/select/best-of-n.js";
import { minimumBayesRisk } from "../strategies/select/minimum-bayes-risk.js";
import { repeatedSampling } from "../strategies/select/repeated-sampling.js";
import { selfCertainty } from "../strategies/select/self-certainty.js";
import { selfTruncationBestOfN } from "../strategies/select/self-truncation-best-of-n.js";
import { verifiedResample } from "../strategies/select/verified-resample.js";
import { adaptiveConsistency } from "../strategies/vote/adaptive-consistency.js";
import { choiceShuffle } from "../strategies/vote/choice-shuffle.js";
import { complexityVote } from "../strategies/vote/complexity-vote.js";
import { deepConf } from "../strategies/vote/deepconf.js";
import { esc } from "../strategies/vote/esc.js";
import { leaderThreshold } from "../strategies/vote/leader-threshold.js";
import { rpc } from "../strategies/vote/rpc.js";
import { selfConsistency } from "../strategies/vote/self-consistency.js";
import { shortMAtK } from "../strategies/vote/short-m-at-k.js";
import { single } from "../strategies/vote/single.js";
import { weightedVote } from "../strategies/vote/weighted-vote.js";

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
  selfCertainty,
  minimumBayesRisk,
  universalSelfConsistency,
  shortMAtK,
  selfTruncationBestOfN,
  recursiveSelfAggregation,
] as unknown as readonly StrategyDefinition[];
