"""CPU time of a benchmark's whole process tree (Ray's nodes and workers included)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

CLOCK = os.sysconf("SC_CLK_TCK")


def _process_tree() -> dict[int, float]:
    """CPU seconds (user + system) of this process and its descendants, by pid."""
    parents, cpu = {}, {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid], cpu[pid] = int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK
    tree, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(children)
        frontier = children
    return {pid: cpu[pid] for pid in tree if pid in cpu}


class CpuMeter:
    """CPU seconds of the process tree while it runs, sampled every 0.2 s (a
    process that exits between samples loses at most that much)."""

    def __init__(self):
        self.start = _process_tree()
        self.seen = dict(self.start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for pid, seconds in _process_tree().items():
                self.seen[pid] = max(self.seen.get(pid, 0.0), seconds)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        for pid, seconds in _process_tree().items():
            self.seen[pid] = max(self.seen.get(pid, 0.0), seconds)
        return sum(self.seen.values()) - sum(self.start.values())
