#!/usr/bin/env python3
"""Build the international first-name and surname lists in crates/scan/data/ from Faker.

Source (see crates/scan/data/SOURCES.md for the licence and the exact transformation):
  * PyPI `faker` 40.54.0 (wheel faker-40.54.0-py3-none-any.whl, MIT licence):
    faker/providers/person/<locale>/__init__.py, the `first_names` and `last_names` of every
    locale's Provider (also `first_names_female/male`, `last_names_female/male` where a locale
    has them).
  * Debian `wamerican` (/usr/share/dict/american-english) and the lists already in
    crates/scan/data/ (first_names.txt, surnames.txt, common_words.txt), to drop ordinary words and
    names the census lists already have.

Re-run, from the repository root (after tools/build_lists.py):

    python3 tools/build_intl_names.py --download          # pip-downloads faker 40.54.0
    python3 tools/build_intl_names.py --faker-dir /tmp/x  # or: the unpacked wheel's top directory

Writes intl_first_names.txt and intl_surnames.txt (lowercase, NFC, one a line, sorted). The output
is deterministic for the same inputs.
"""

import argparse
import glob
import importlib
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

FAKER_VERSION = "40.54.0"
WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")


def latin(word):
    """Every letter of `word` is a Latin letter (ASCII or accented)."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in word)


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip()}


def collect(faker_dir):
    sys.path.insert(0, faker_dir)
    firsts, lasts = set(), set()
    base = os.path.join(faker_dir, "faker", "providers", "person")
    for locale_dir in sorted(glob.glob(os.path.join(base, "*", "__init__.py"))):
        locale = os.path.basename(os.path.dirname(locale_dir))
        module = importlib.import_module(f"faker.providers.person.{locale}")
        provider = getattr(module, "Provider", None)
        if provider is None:
            continue
        for attrs, out in (
            (("first_names", "first_names_female", "first_names_male", "first_romanized_names"), firsts),
            (("last_names", "last_names_female", "last_names_male", "last_romanized_names"), lasts),
        ):
            for attr in attrs:
                values = provider.__dict__.get(attr) or ()
                if not isinstance(values, (list, tuple, dict)):
                    continue
                for value in values:
                    if isinstance(value, str):
                        out.add(value)
    return firsts, lasts


def clean(values, drop):
    out = set()
    for value in values:
        word = unicodedata.normalize("NFC", value.strip()).lower().replace("\u2019", "'")
        if len(word) < 3 or not WORD.match(word) or not latin(word) or word in drop:
            continue
        out.add(word)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faker-dir", help="directory holding the unpacked faker wheel (faker/...)")
    ap.add_argument("--download", action="store_true", help=f"pip download faker=={FAKER_VERSION}")
    ap.add_argument("--dict", default="/usr/share/dict/american-english")
    ap.add_argument("--out", default="crates/scan/data")
    args = ap.parse_args()
    faker_dir = args.faker_dir
    if args.download:
        tmp = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, f"faker=={FAKER_VERSION}"], check=True)
        wheel = glob.glob(os.path.join(tmp, "faker-*.whl"))[0]
        faker_dir = os.path.join(tmp, "x")
        with zipfile.ZipFile(wheel) as z:
            z.extractall(faker_dir)
    if not faker_dir:
        ap.error("give --faker-dir or --download")

    with open(args.dict, encoding="utf-8") as f:
        dictionary = {w.strip() for w in f if w.strip() and w.strip() == w.strip().lower()}
    census_first = read_list(os.path.join(args.out, "first_names.txt"))
    census_last = read_list(os.path.join(args.out, "surnames.txt"))
    common = read_list(os.path.join(args.out, "common_words.txt"))
    ordinary = dictionary | common

    firsts, lasts = collect(faker_dir)
    first = clean(firsts, ordinary | census_first)
    last = clean(lasts, ordinary | census_last)
    for name, words in (("intl_first_names.txt", first), ("intl_surnames.txt", last)):
        path = os.path.join(args.out, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for w in sorted(words):
                f.write(w + "\n")
        print(f"{path}: {len(words)} entries, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
