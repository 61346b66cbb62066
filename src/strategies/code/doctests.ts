/**
 * The examples a code problem shows (`>>> call` then the expected value, as in docstrings), and a harness that
 * runs a candidate program on them: which pass, and what each call returned (its behaviour).
 */
export type Doctest = { call: string; expected: string };

export function doctestsOf(text: string): Doctest[] {
  const lines = text.split("\n");
  const found: Doctest[] = [];
  lines.forEach((line, index) => {
    const call = /^\s*>>>\s?(.+)$/.exec(line)?.[1];
    const expected = lines[index + 1]?.trim();
    if (call && expected && !expected.startsWith(">>>")) found.push({ call: call.trim(), expected });
  });
  return found;
}

/** The program, then each example evaluated: one JSON line of `[passed, repr]` pairs (an exception is its type). */
export function doctestHarness(code: string, doctests: readonly Doctest[]): string {
  return `${code}

def __mull_examples():
    import json
    results = []
    for call, expected in ${JSON.stringify(doctests.map((test) => [test.call, test.expected]))}:
        try:
            value = eval(call)
        except BaseException as error:
            results.append([False, "raised " + type(error).__name__])
            continue
        try:
            passed = value == eval(expected)
        except BaseException:
            passed = repr(value) == expected
        results.append([bool(passed), repr(value)[:200]])
    print(json.dumps(results))

__mull_examples()
`;
}
