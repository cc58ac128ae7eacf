"""PyInstaller entry script of the frozen `tsfmicro-studio` (source installs use `app.studio:main`).

Besides `tsfmicro-studio [VIDEO]` and `tsfmicro-studio --self-test`, the frozen executable
stands in for `python` where the application starts itself as a child process:

- `tsfmicro-studio -m app.cli COMMAND ...` runs the `tsfmicro` command line (the batch dialog and
  "Train on these labels" start `sys.executable -m app.cli ...`, and in a frozen build
  `sys.executable` is this program);
- multiprocessing's spawned workers (the local batch engine) are recognised by
  `multiprocessing.freeze_support()`, which must run first.
"""

import multiprocessing
import sys


def _run_module(name: str, args: list[str]) -> int:
    if name in ("app.cli", "app"):
        if name == "app":
            from app.studio import main
        else:
            from app.cli import main
        return main(args)
    import runpy

    sys.argv = [sys.argv[0], *args]
    runpy.run_module(name, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) >= 3 and sys.argv[1] == "-m":
        sys.exit(_run_module(sys.argv[2], sys.argv[3:]))
    from app.studio import main

    sys.exit(main())
