"""A deliberately tiny parent for one benchmark job: fork, exec, wait4, report.

Why it exists: on Linux a process's peak-RSS record (`ru_maxrss`) survives `execve`, and
a child spawned straight from the benchmark runner would start with the runner's own
high-water mark (the runner has pandas, pyarrow and friends loaded). This launcher
imports only `os`, `sys` and `json` (a few MB), so the job's reported peak is its own.

Usage (run as a script, isolated: `python -I -S launcher.py REPORT -- CMD ARGS...`):
it runs CMD, then writes {"exit_code": n, "maxrss_kb": n, "user_s": x, "system_s": x}
to REPORT and exits with CMD's exit code.
"""

import json
import os
import sys


def main(argv: list[str]) -> int:
    report_path = argv[0]
    command = argv[argv.index("--") + 1 :]
    pid = os.fork()
    if pid == 0:  # the job: replace this small image with the benchmark command
        try:
            os.execv(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with open(report_path, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "exit_code": code,
                "maxrss_kb": usage.ru_maxrss,
                "user_s": usage.ru_utime,
                "system_s": usage.ru_stime,
            },
            fh,
        )
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
