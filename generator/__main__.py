try:
    from .cli import interrupted, main
except KeyboardInterrupt:  # Ctrl+C while Python was still importing the command
    import sys

    sys.stderr.write("\n已中断 / interrupted\n")
    sys.exit(130)

try:
    main()
except KeyboardInterrupt:
    interrupted()
