import os
import sys

try:
    from .cli import INTERRUPTED_EXIT, interrupted, main
except KeyboardInterrupt:  # Ctrl+C while Python was still importing the command
    sys.stderr.write("\n已中断 / interrupted\n")
    sys.exit(130)

try:
    main()
except KeyboardInterrupt:
    interrupted()
except SystemExit as exc:
    if exc.code != INTERRUPTED_EXIT:
        raise
    # Under `python -m`, runpy sometimes leaves the interpreter believing the interrupt
    # went unhandled, and it then ends itself by SIGINT (exit -2) instead of 130. The
    # build's cleanup has run by now (the exception unwound through it): end here.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED_EXIT)
