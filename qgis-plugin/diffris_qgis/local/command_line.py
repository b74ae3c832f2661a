"""Finds and runs the diffris command line: Java from JAVA_HOME or PATH, the launcher or the jar.

No QGIS here: the algorithm hands in a progress callback and a cancel check, and gets back the
summary line or a CommandLineError whose message a GIS user can act on.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional

JAR_IN_PROJECT = Path("cli") / "target" / "diffris-cli.jar"
PROGRESS_LINE = re.compile(r"^progress: (\d+)/(\d+) tiles$")
WHERE_TO_SET = (
    "set 'diffris command line' in Settings > Options > Processing > Providers > DiffRIS "
    "(or the algorithm's 'diffris command line' parameter) to the project's 'diffris' launcher, "
    "its cli/target/diffris-cli.jar or the project folder"
)


class CommandLineError(Exception):
    """A failure to report to the user as it is (one line, no traceback needed)."""


class Cancelled(Exception):
    """The user cancelled; the child process has been stopped."""


@dataclass(frozen=True)
class CommandLine:
    """How to start diffris: the arguments before the command name, and the environment."""

    prefix: List[str]
    env: Dict[str, str]

    def run(
        self,
        arguments: List[str],
        on_progress: Callable[[int, int], None],
        is_cancelled: Callable[[], bool],
        cwd: Optional[str] = None,
    ) -> Dict[str, str]:
        """Runs `diffris ARGUMENTS`; returns the last stdout line's key=value summary.

        on_progress and is_cancelled are called from this (the caller's) thread only."""
        return summary(self.output(arguments, on_progress, is_cancelled, cwd))

    def estimate(
        self,
        arguments: List[str],
        is_cancelled: Callable[[], bool],
        cwd: Optional[str] = None,
    ) -> Dict[str, object]:
        """The estimate of `diffris ARGUMENTS` without running it: its `--dry-run --json` object."""
        dry_run = arguments + ["--dry-run", "--json"]
        lines = self.output(dry_run, lambda done, total: None, is_cancelled, cwd)
        for line in reversed(lines):
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    break
        raise CommandLineError("the diffris command line's dry run printed no estimate")

    def output(
        self,
        arguments: List[str],
        on_progress: Callable[[int, int], None],
        is_cancelled: Callable[[], bool],
        cwd: Optional[str] = None,
    ) -> List[str]:
        """Runs `diffris ARGUMENTS`; returns its stdout lines, or raises with its messages."""
        windows = os.name == "nt"
        process = subprocess.Popen(
            self.prefix + arguments,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            # No console window on Windows; elsewhere a process group of its own, so that
            # cancelling also stops the java the launcher script starts.
            creationflags=subprocess.CREATE_NO_WINDOW if windows else 0,
            start_new_session=not windows,
        )
        messages: List[str] = []
        stdout_lines: List[str] = []
        progress: "queue.Queue[tuple]" = queue.Queue()

        def read_stderr() -> None:
            for line in process.stderr:
                line = line.rstrip("\r\n")
                match = PROGRESS_LINE.match(line)
                if match:
                    progress.put((int(match.group(1)), int(match.group(2))))
                elif line.strip():
                    messages.append(line)

        def read_stdout() -> None:
            stdout_lines.extend(line.rstrip("\r\n") for line in process.stdout)

        readers = [threading.Thread(target=read_stderr), threading.Thread(target=read_stdout)]
        for reader in readers:
            reader.daemon = True
            reader.start()
        with process:  # closes the pipes however this ends
            while process.poll() is None:
                report(progress, on_progress)
                if is_cancelled():
                    stop(process)
                    raise Cancelled()
                time.sleep(0.1)
            for reader in readers:
                reader.join()
            report(progress, on_progress)
        if process.returncode != 0:
            raise CommandLineError(failure_message(process.returncode, messages))
        return stdout_lines


def report(progress: "queue.Queue[tuple]", on_progress: Callable[[int, int], None]) -> None:
    while not progress.empty():
        on_progress(*progress.get())


def stop(process: subprocess.Popen) -> None:
    """Stops the child and its children: SIGTERM first (the JVM's shutdown hooks run), then kill."""
    signal_group(process, getattr(signal, "SIGTERM"))
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
        process.wait()


def signal_group(process: subprocess.Popen, number: int) -> None:
    if os.name == "nt":
        process.kill()
        return
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:
        pass


def failure_message(status: int, messages: List[str]) -> str:
    text = "\n".join(messages).strip()
    if "UnsupportedClassVersionError" in text:
        return "the diffris command line needs Java 17 or later; the Java found is older (set JAVA_HOME to a Java 17)"
    if not text:
        return f"the diffris command line stopped with exit status {status} and no message"
    return text


def describe_estimate(estimate: Mapping[str, object]) -> str:
    """The dry run's estimate in one line for the algorithm's log."""

    def mib(value) -> str:
        return "unknown" if value is None else f"{float(value) / 2**20:.0f} MiB"

    seconds = estimate.get("seconds")
    time_text = "unknown" if seconds is None else f"about {float(seconds):.1f} s"
    return (
        f"Estimate: {estimate.get('tiles')} tiles of {estimate.get('tile')} px on a "
        f"{estimate.get('model_width')} x {estimate.get('model_height')} model grid "
        f"({estimate.get('raster_width')} x {estimate.get('raster_height')} raster pixels), "
        f"Java heap {mib(estimate.get('heap_bytes'))}, "
        f"native memory {mib(estimate.get('native_bytes'))}, "
        f"time {time_text} ({estimate.get('basis')}; start-up not counted)"
    )


def summary(stdout_lines: List[str]) -> Dict[str, str]:
    """The `key=value ...` summary, the command's last stdout line."""
    for line in reversed(stdout_lines):
        if line.startswith("polygons="):
            return dict(part.split("=", 1) for part in line.split() if "=" in part)
    raise CommandLineError("the diffris command line ended without its summary line")


def find_java(env: Mapping[str, str]) -> str:
    executable = "java.exe" if os.name == "nt" else "java"
    java_home = env.get("JAVA_HOME", "").strip()
    if java_home:
        candidate = Path(java_home) / "bin" / executable
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(executable, path=env.get("PATH"))
    if found:
        return found
    where = (
        f"JAVA_HOME is '{java_home}' but has no bin/{executable}"
        if java_home
        else "JAVA_HOME is not set"
    )
    raise CommandLineError(
        f"Java was not found ({where}, and there is no {executable} on PATH): the diffris command "
        "line needs Java 17 or later; install it and set JAVA_HOME, or put java on PATH, then "
        "restart QGIS"
    )


def locate(setting: str) -> Path:
    """The launcher or jar named by the setting (a project folder means its jar or launcher)."""
    if not setting:
        raise CommandLineError(f"the diffris command line is not set: {WHERE_TO_SET}")
    path = Path(setting).expanduser()
    if path.is_dir():
        for candidate in (path / JAR_IN_PROJECT, path / "diffris"):
            if candidate.is_file():
                return candidate
        raise CommandLineError(
            f"'{path}' has neither {JAR_IN_PROJECT} nor a 'diffris' launcher: build it with "
            f"'./diffris --help' in that folder, or {WHERE_TO_SET}"
        )
    if not path.is_file():
        raise CommandLineError(f"the diffris command line '{path}' does not exist: {WHERE_TO_SET}")
    return path


def command_line(setting: str, env: Optional[Mapping[str, str]] = None) -> CommandLine:
    """How to start the command line named by the setting, with Java from JAVA_HOME or PATH."""
    env = dict(os.environ if env is None else env)
    program = locate(setting)
    java = find_java(env)
    if program.suffix == ".jar":
        return CommandLine([java, "-jar", str(program)], env)
    # The launcher runs `java` from PATH: put the Java we found first.
    env["PATH"] = str(Path(java).parent) + os.pathsep + env.get("PATH", "")
    return CommandLine([str(program)], env)
