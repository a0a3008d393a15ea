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


# the labels some older reports wrote without the way each figure is judged
LABEL_NOISE = (" (round by round, median)", " (slice by slice, median)", "; slice by slice, median")
RECENT_FULL_RUNS = 12


def target_rows(text):
    """Every row of a report's target table: [(figure, target, measured, met)], figure without its judging note."""
    rows = []
    inside = False
    for line in text.splitlines():
        if line.startswith("| Figure | Target |"):
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.split("|")]
            if cells[1].startswith("---"):
                continue
            figure = cells[1]
            for noise in LABEL_NOISE:
                figure = figure.replace(noise, "")
            rows.append((figure, cells[2], cells[3], cells[4].startswith("✅")))
    return rows


def number(measured):
    """The figure's own number: the ratio of 'a ns vs b ns (r×)', else the first number (thousands' commas dropped)."""
    ratio = re.search(r"\(([\d.]+)×\)", measured)
    if ratio:
        return float(ratio.group(1))
    found = re.search(r"[-+]?[\d,]*\.?\d+", measured)
    return float(found.group(0).replace(",", "")) if found else None


def short(measured):
    ratio = re.search(r"\(([\d.]+×)\)", measured)
    # without what follows the figure: the other agent's ("vs ..."), a remark in parentheses
    return ratio.group(1) if ratio else re.sub(r" (vs|\().*", "", measured)


def write_hit_rates(out, paths):
    """How often each target was met in the latest full runs on JDK 17, with the spread of what was measured."""
    runs = []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        title = text.splitlines()[0]
        machine = re.search(r"\*\*Machine:\*\* [^,]+, \d+ cores.*?JDK (\d+)", text)
        if title.rstrip().endswith("(full run)") and machine and machine.group(1) == "17":
            runs.append((os.path.basename(path)[:-3], target_rows(text)))
        if len(runs) == RECENT_FULL_RUNS:
            break
    if not runs:
        return
    out.write("## How often each target was met\n\n")
    out.write("In the latest %d full runs on JDK 17 (%s to %s, both hosts, whatever their phase): how many met the "
              "target, and the lowest and highest value measured. A figure the runs did not all measure counts "
              "over those that did.\n\n" % (len(runs), runs[-1][0], runs[0][0]))
    out.write("| Figure | Target | met | lowest | highest | latest |\n|---|---|---|---|---|---|\n")
    order = [figure for figure, _, _, _ in runs[0][1]]
    for figure in order:
        seen = [(name, row) for name, rows in runs for row in rows if row[0] == figure]
        values = [(number(row[2]), short(row[2])) for _, row in seen if number(row[2]) is not None]
        met = sum(1 for _, row in seen if row[3])
        low = min(values)[1] if values else ""
        high = max(values)[1] if values else ""
        latest = seen[0][1]
        out.write("| %s | %s | %d of %d | %s | %s | %s %s |\n" % (
            figure, latest[1], met, len(seen), low, high, short(latest[2]), "✅" if latest[3] else "❌"))
    out.write("\n## Every report\n\n")


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
    write_hit_rates(out, paths)
    header = ["report", "commit", "host", "JDK", "kind"] + [name for name, _ in FIGURES] + [
        "spans delivered %", "pipeline spans/s"]
    out.write("| " + " | ".join(header) + " |\n")
    out.write("|" + "---|" * len(header) + "\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")


if __name__ == "__main__":
    main()
