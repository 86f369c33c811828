"""Allow ``python -m mitra``."""

from mitra.cli.main import main

if __name__ == "__main__":
    main()
