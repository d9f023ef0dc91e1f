"""The stress and fuzz suite: hypothesis-generated inputs, parameters and call sequences,
each fuzz function run in a child process so that a crash (a segfault, an abort) or a hang
fails its test with the example in progress, instead of ending the test run.

The fuzz functions live in the ``_fuzz_*.py`` modules beside this file (``fuzz_*``, each
with ``@stress_settings(N)``: N generated examples, derandomized, so CI runs the same ones
every time). The children run two at a time (CI has two cores). Each reports how many
examples it ran; its test asserts at least N, and test_at_least_10000_examples adds them
up (run pytest with ``-s`` or ``-rP`` to see the counts).

To rerun one function alone: ``python tests/stress/_runner.py _fuzz_inputs /tmp/note 0
fuzz_dense_X`` (with the package importable, e.g. PYTHONPATH set to the repository).
"""
import ast
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "_runner.py"
MODULES = ["_fuzz_inputs", "_fuzz_labels", "_fuzz_params", "_fuzz_sequences", "_fuzz_udt", "_fuzz_metrics"]
# the figure: generated examples per run of the suite
LEAST_EXAMPLES = 10_000
# a child still running after this many seconds hangs: its stacks are dumped, and a little
# later it is killed (the whole suite takes about two minutes on two cores)
HANG_AFTER_S = 170
KILL_AFTER_S = HANG_AFTER_S + 15
WORKERS = 2
TAIL_CHARS = 6000


@dataclass(frozen=True)
class Case:
    """One fuzz function and the examples it must run."""

    module: str
    function: str
    planned: int

    def __str__(self):
        return f"{self.module}.{self.function}"


def planned_cases():
    """Every ``fuzz_*`` function of MODULES with the max_examples of its @stress_settings,
    read from the source (the modules build models at import: only the children import them)."""
    cases = []
    for module in MODULES:
        tree = ast.parse((HERE / f"{module}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("fuzz_"):
                counts = [decorator.args[0].value for decorator in node.decorator_list
                          if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "stress_settings"]
                assert len(counts) == 1, f"{module}.{node.name} needs one @stress_settings(max_examples)"
                cases.append(Case(module, node.name, counts[0]))
    return cases


CASES = planned_cases()


@dataclass
class ChildRun:
    """What a child process left: exit status (None: killed after a hang), output, the
    example in progress when it ended, examples run, wall seconds and the CPU seconds the
    fuzz function took (its own report)."""

    case: Case
    returncode: int | None
    output: str
    last_example: str
    examples: int
    seconds: float
    cpu: float

    def verdict(self):
        """Why the run failed, with the output's tail; None when it passed."""
        if self.returncode == 0 and self.examples >= self.case.planned:
            return None
        if self.returncode is None:
            what = f"hung: still running after {KILL_AFTER_S} s, killed"
        elif self.returncode < 0:
            what = f"crashed: killed by {signal.Signals(-self.returncode).name}"
        elif self.returncode == 1 and "FAILED" in self.output:
            what = "a property failed (hypothesis's falsifying example below)"
        elif self.returncode == 0:
            what = f"ran only {self.examples} of the {self.case.planned} planned examples"
        else:
            what = f"exited with status {self.returncode}"
        return (f"{self.case}: {what}\nexample in progress: {self.last_example or '(none)'}\n"
                f"--- child output (tail) ---\n{self.output[-TAIL_CHARS:]}")


def run_child(case, folder):
    """Run one fuzz function in a fresh interpreter; return its ChildRun."""
    note = folder / f"{case.function}.note"
    env = dict(os.environ, HYPOTHESIS_STORAGE_DIRECTORY=str(folder / ".hypothesis"), PYTHONDONTWRITEBYTECODE="1")
    # two children at once on two cores, each with OpenMP teams: threads that spin while
    # they wait would take the cores from the threads they wait for
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    command = [sys.executable, str(RUNNER), case.module, str(note), str(HANG_AFTER_S), case.function]
    start = time.perf_counter()
    try:
        # run as a script from a scratch folder: sys.path starts with this folder, never
        # the repository root (where an unbuilt source tree would be imported)
        done = subprocess.run(command, check=False, cwd=folder, env=env, capture_output=True, text=True,
                              timeout=KILL_AFTER_S, errors="backslashreplace")
        returncode, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        returncode = None
        output = "".join(part.decode("utf-8", "backslashreplace") if isinstance(part, bytes) else (part or "")
                         for part in (expired.stdout, expired.stderr))
    seconds = time.perf_counter() - start
    report = rf"^{case.function} planned: \d+ examples: (\d+) seconds: \S+ cpu: (\S+)"
    counted = re.findall(report, output, re.MULTILINE)
    examples, cpu = (int(counted[-1][0]), float(counted[-1][1])) if counted else (0, 0.0)
    last = note.read_text(encoding="utf-8", errors="backslashreplace") if note.exists() else ""
    return ChildRun(case, returncode, output, last[:TAIL_CHARS], examples, seconds, cpu)


@pytest.fixture(scope="module")
def child_runs(request, tmp_path_factory):
    """The ChildRun of every selected case, run WORKERS at a time before the first test."""
    selected = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec is not None and "case" in callspec.params:
            selected.append(callspec.params["case"])
    folder = tmp_path_factory.mktemp("stress")
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(selected, pool.map(lambda case: run_child(case, folder), selected)))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fuzz_function(case, child_runs):
    run = child_runs[case]
    print(f"{case}: {run.examples} examples (planned {case.planned}) in {run.seconds:.1f} s "
          f"({run.cpu:.1f} s CPU), exit {run.returncode}")
    verdict = run.verdict()
    if verdict is not None:
        pytest.fail(verdict, pytrace=False)


def test_at_least_10000_examples(child_runs, capsys):
    planned = sum(case.planned for case in CASES)
    assert planned >= LEAST_EXAMPLES, f"the fuzz functions plan {planned} examples, fewer than {LEAST_EXAMPLES}"
    ran = sum(run.examples for run in child_runs.values())
    seconds = sum(run.seconds for run in child_runs.values())
    cpu = sum(run.cpu for run in child_runs.values())
    with capsys.disabled():
        print(f"\nstress suite: {ran} generated examples run in {len(child_runs)} child processes "
              f"({seconds:.0f} s of child time, {cpu:.0f} s CPU in the fuzz functions); "
              f"{planned} planned in {len(CASES)} fuzz functions")
    if len(child_runs) == len(CASES):  # every case selected: the whole suite ran
        assert ran >= LEAST_EXAMPLES, f"only {ran} examples ran"
