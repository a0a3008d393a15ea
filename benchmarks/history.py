#!/usr/bin/env python3
"""Writes the index of benchmarks/results/: one row per report, the figures that most often decide a run.

Usage: python3 benchmarks/history.py > benchmarks/results/README.md (run.sh does this after a full run).
Reads only the reports' target tables, so a report is summarised as it was written, never re-judged.
"""
import glob
import os
import re
import sys

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")

FIGURES = [
    ("hello world", "Start-up: hello world wall"),
    ("Tomcat first answer", "Start-up: Tomcat first answer"),
    ("sampled call vs OTel agent", "Traced call, sampled"),
    ("web `/plain`", "Web `/plain`: throughput"),
    ("web `/db`", "Web `/db`: throughput"),
    ("web `/chain`", "Web `/chain`: throughput"),
]
DELIVERED = ["Web `/plain`: spans delivered", "Web `/db`: spans delivered", "Web `/chain`: spans delivered"]
PIPELINE = "Pipeline: spans/s"


def target_row(text, label):
    """(value, met) of the first target-table row whose figure starts with label, or None."""
    for line in text.splitlines():
        if line.startswith("| " + label):
            cells = [c.strip() for c in line.split("|")]
            value = re.sub(r"^[\d.,]+ ns vs [\d.,]+ ns \(([\d.]+×)\)$", r"\1", cells[3])
            return value, cells[4].startswith("✅")
    return None


def cell(found):
    return "" if found is None else "%s %s" % (found[0], "✅" if found[1] else "❌")


def summarise(path):
    text = open(path, encoding="utf-8").read()
    title = text.splitlines()[0]
    commit = re.search(r"at commit (\w+)", text)
    machine = re.search(r"\*\*Machine:\*\* ([^,]+), \d+ cores.*?JDK (\d+)", text)
    kind = re.search(r"\(([^)]*)\)\s*$", title)
    host = machine.group(1).replace("(R)", "").replace(" Processor", "").strip() if machine else "?"
    figures = [target_row(text, label) for _, label in FIGURES]
    delivered = [target_row(text, label) for label in DELIVERED]
    pipeline = target_row(text, PIPELINE)
    if not any(figures) and not any(delivered) and pipeline is None:
        return None
    name = os.path.basename(path)[:-3]
    return [
        "[%s](%s.md)" % (name, name),
        commit.group(1) if commit else "?",
        host,
        machine.group(2) if machine else "?",
        kind.group(1) if kind else "",
        *[cell(f) for f in figures],
        " / ".join(d[0] for d in delivered if d),
        cell(pipeline),
    ]


def main():
    # quick and partial runs are git-ignored scratch: not in the index
    paths = [p for p in sorted(glob.glob(os.path.join(RESULTS, "2*.md")), reverse=True)
             if not p.endswith(("-quick.md", "-partial.md"))]
    rows = [r for r in (summarise(p) for p in paths) if r]
    out = sys.stdout
    out.write("# Benchmark reports\n\n")
    out.write("Every report `benchmarks/run.sh` wrote, newest first, with the figures that most often decide a run "
              "(each report has all of them, with the method, the machine, its load and every raw sample). "
              "Ratios are Weft over no agent, judged turn by turn within one report; compare agents within a "
              "report, not figures across reports: the host changed between days (an AMD EPYC and an Intel Xeon "
              "virtual machine, 2 cores each) and its speed drifts within a day. "
              "[latest.md](latest.md) is the latest full run on the default JDK. "
              "Written by `benchmarks/history.py`.\n\n")
    header = ["report", "commit", "host", "JDK", "kind"] + [name for name, _ in FIGURES] + [
        "spans delivered %", "pipeline spans/s"]
    out.write("| " + " | ".join(header) + " |\n")
    out.write("|" + "---|" * len(header) + "\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")


if __name__ == "__main__":
    main()
