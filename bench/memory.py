"""Process memory figures shared by the benchmarks (Linux /proc, with a portable fallback)."""
from __future__ import annotations

import resource


def reset_peak_rss() -> None:
    """Make VmHWM start again from the current RSS (Linux 4.0+), so the next peak is the measured work's own."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def rss_kib(field: str) -> int:
    """A memory field of /proc/self/status in KiB (VmRSS, VmHWM); elsewhere the lifetime peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
