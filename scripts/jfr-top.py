#!/usr/bin/env python3
"""The hottest methods of a JFR recording's execution samples: by the top frame (self time), by the first frame of
this project that is not the thread pool (where the time is spent, in our terms), and those of samples outside any
parallel task (serial work). Used by scripts/cpu-prefill-profile.sh.
  python3 scripts/jfr-top.py JAVA_HOME RECORDING.jfr [N]
"""
import collections
import re
import subprocess
import sys

POOL = ("CpuParallel", "SpinPool", "ParallelTask")


def main():
    java_home, rec = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    # the jfr tool through java (the carried runtime has the jdk.jfr module but no jfr launcher)
    text = subprocess.run([java_home + "/bin/java", "-m", "jdk.jfr/jdk.jfr.internal.tool.Main", "print", "--stack-depth",
                           "64", "--events", "jdk.ExecutionSample", rec],
                          capture_output=True, text=True, check=True).stdout
    top, ours, serial = collections.Counter(), collections.Counter(), collections.Counter()
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$]+)\(", event, re.M)
        if not frames:
            continue
        top[frames[0]] += 1
        first = next((f for f in frames if f.startswith("xlstm.") and not any(p in f for p in POOL)), None)
        ours[first or frames[0]] += 1
        if not any(p in f for f in frames for p in POOL):
            serial[first or frames[0]] += 1
    total = sum(top.values())
    print(f"{total} samples")
    for title, counts in (("self (top frame)", top), ("first frame of ours outside the pool", ours),
                          ("serial: samples with no pool frame (the other threads wait meanwhile)", serial)):
        print(f"-- {title}")
        for name, c in counts.most_common(n):
            print(f"{c:7d} {100 * c / max(1, total):5.1f} %  {name}")


if __name__ == "__main__":
    main()
