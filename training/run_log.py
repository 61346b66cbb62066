"""A training run's log: each line printed and appended to a file in the run's output folder as it is written, so a
run cut short (the GPU machine's per-command limit) still leaves its log."""
import os


def run_log(directory, name, mode="w"):
    handle = open(os.path.join(directory, name), mode)

    def log(*parts):
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        handle.write(line + "\n")
        handle.flush()

    return log
