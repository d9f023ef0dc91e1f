"""Child process of the stress suite: run fuzz functions of one module and print how many
examples each ran.

Usage: ``python _runner.py MODULE NOTE_FILE HANG_AFTER_S FUNCTION [FUNCTION ...]``, from any directory
(run as a script, so that this folder, not the repository root, is first on sys.path: the
installed or in-place built package is imported, never an unbuilt source tree).

For each function it prints ``FUNCTION planned: P examples: N`` and, when a property
failed, hypothesis's falsifying example and traceback. The exit status is 0 when every
function passed, 1 when one failed; a crash ends the process with its signal. A child still
running after HANG_AFTER_S seconds dumps every thread's stack (faulthandler) and exits, a
little before the parent would kill it. NOTE_FILE always holds the example in progress.
"""
import faulthandler
import importlib
import sys
import time
import traceback

import _common


def main(module_name, note_path, names, hang_after):
    """Run the named fuzz functions of a module; return the exit status.

    Parameters
    ----------
    module_name : str
        A module of this folder.
    note_path : str
        File that holds the example in progress.
    names : list of str
        Its fuzz functions to run, in order.
    hang_after : float
        Seconds after which the stacks are dumped and the process ends (0: never).

    Returns
    -------
    int
    """
    faulthandler.enable(all_threads=True)
    if hang_after > 0:
        faulthandler.dump_traceback_later(hang_after, exit=True)
    _common.open_note(note_path)
    module = importlib.import_module(module_name)
    failed = False
    for name in names:
        function = getattr(module, name)
        planned = function._hypothesis_internal_use_settings.max_examples
        print(f"{name} started", flush=True)
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            function()
        except Exception:  # a failed property: report it, run the other functions
            failed = True
            print(f"{name} FAILED:", flush=True)
            traceback.print_exc(file=sys.stdout)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        print(f"{name} planned: {planned} examples: {_common.COUNTS.get(name, 0)} seconds: {seconds:.1f} "
              f"cpu: {cpu:.1f}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    module_name, note_path, hang_after, *function_names = sys.argv[1:]
    sys.exit(main(module_name, note_path, function_names, float(hang_after)))
