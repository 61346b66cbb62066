/**
 * A tool that acts inside the model's own text (START-style tool use, a calculator in the loop): generation
 * stops at one of its triggers, the tool looks at the text so far and may append its output, and the model
 * goes on from there. Unlike function calling, it needs no chat template: any model that continues text can use it.
 */
export type TextTool = {
  /** Shown in traces and errors. */
  readonly name: string;
  /** Stop sequences where the tool may act (each is put back into the text before the tool's output). */
  readonly triggers: readonly string[];
  /**
   * Whether the trigger stays in the text before the tool's output. Defaults to true; false puts the output
   * where the trigger was (a hint inserted before the final answer, which the model then writes again).
   */
  readonly keepsTrigger?: boolean;
  /**
   * What to append after `text` (which ends with `trigger`), or undefined to let the model go on unaided.
   * Errors of the tool's own (code that fails) belong in the returned text, as the model should see them.
   */
  respond(args: { text: string; trigger: string; signal?: AbortSignal }): Promise<string | undefined> | string | undefined;
};
