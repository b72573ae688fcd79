"""``python -m xl_cashrisk`` is the ``xl-cashrisk`` command."""

from xl_cashrisk.cli import main

if __name__ == "__main__":
    main()
