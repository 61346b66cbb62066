/** The last fenced code block of a reply (```python, ```py or bare ```), without its fences; undefined without one. */
export function lastCodeBlock(text: string): string | undefined {
  const blocks = [...text.matchAll(/```(?:python|py)?[^\n]*\n([\s\S]*?)```/g)];
  return blocks.at(-1)?.[1];
}
