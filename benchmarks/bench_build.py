"""Execution wall time of the book against its longest notebook (run: ``python benchmarks/bench_build.py``).

The runner executes the notebooks two at a time, longest first (from the last run's
times, or ``runner/timings.json`` before any run), so that the longest notebook does not
run alone at the end. The best possible wall time is then the longest single notebook;
the aim is to stay within 10 % of it.

    python benchmarks/bench_build.py            # read the last run's record (_build/executed/run.json)
    python benchmarks/bench_build.py --execute  # execute every notebook first (python -m lnetbook run ...)

Prints the wall time of the last execution, the longest notebook, their ratio, the order
the notebooks were started in, and the sum of all notebooks' times (the wall time of
running them one after another).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--execute", action="store_true", help="execute every notebook first")
    args = ap.parse_args(argv)
    if args.execute:
        listed = subprocess.run(
            [sys.executable, "-m", "lnetbook", "list"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        code = subprocess.call([sys.executable, "-m", "lnetbook", "run", *listed], cwd=ROOT)
        if code:
            return code
    path = ROOT / "_build" / "executed" / "run.json"
    if not path.is_file():
        print(f"no {path.relative_to(ROOT)}: run `python3 dev.py book` or pass --execute")
        return 2
    record = json.loads(path.read_text(encoding="utf-8"))
    last = record.get("last_execution") or {}
    order = last.get("order") or []
    seconds = {s: record["notebooks"][s].get("seconds") or 0.0 for s in order}
    if not last or not seconds:
        print("the run record has no timed execution of several notebooks yet")
        return 2
    wall, longest = last["wall_seconds"], max(seconds.values())
    slowest = max(seconds, key=seconds.get)
    print(f"notebooks executed: {len(order)}, {last['jobs']} at a time, started in this order:")
    print("  " + ", ".join(f"{s} ({seconds[s]:.1f} s)" for s in order))
    print(f"sum of notebook times (one at a time): {sum(seconds.values()):.1f} s")
    print(f"longest single notebook: {slowest} {longest:.1f} s")
    print(
        f"execution wall time: {wall:.1f} s = {wall / longest:.2f} x the longest notebook"
        f" ({'within' if wall <= 1.1 * longest else 'NOT within'} 10 %)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
