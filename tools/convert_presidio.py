#!/usr/bin/env python3
"""Convert presidio-research's synth_dataset_v2.json into corpora/presidio.jsonl (gold format of
corpora/FORMAT.md). The mapping and its reasons are documented in corpora/README.md.

Re-run from the repository root (needs crates/scan/data/{countries,us_states}.txt, built by
tools/build_lists.py):

    python3 tools/convert_presidio.py [--input ../shared/data/presidio-synth/synth_dataset_v2.json] \
        [--output corpora/presidio.jsonl] [--no-merge]

Input offsets are Python code-point offsets; output offsets are byte offsets into the UTF-8 text.
Every output span is checked: text.encode()[start:end].decode() must equal the source
entity_value (for a merged address span: the source text from its first to its last part).
Prints the counts per output type (the table in corpora/README.md).
"""

import argparse
import collections
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DIRECT = {
    "PERSON": "NAME",
    "STREET_ADDRESS": "ADDRESS",
    "ZIP_CODE": "ZIP",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "IP_ADDRESS": "IP",
    "US_DRIVER_LICENSE": "LICENSE",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "DOMAIN_NAME": "URL",
    "ORGANIZATION": "NOT_PHI",
    "TITLE": "NOT_PHI",
    "NRP": "NOT_PHI",
}

WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

# GPE values that are not cities, beyond the names in countries.txt and us_states.txt:
GPE_NOT_CITY = {
    "cyprus (greek)",  # Fake Name Generator's country label for Greek-speaking Cyprus
    "greenlander",     # used as the country in Greenland addresses ("Sisimiut\n Greenlander 26364")
    "nan",             # Faker/pandas artefact: the region field of an address left empty
    # province / region codes on the region line of an address block:
    "sk",              # "LAPPEENRANTA\n SK\n 53650"
    "sa",              # "Põlluküla\n SA\n 93318"
    "no",              # "Aalborg NO 9100"
    "ns",              # "Mill Village\n NS\n B0J 2H0" (Nova Scotia)
}


def load_places():
    data = os.path.join(ROOT, "crates", "scan", "data")
    with open(os.path.join(data, "countries.txt"), encoding="utf-8") as f:
        countries = {l.strip() for l in f if l.strip()}
    states, codes = set(), set()
    with open(os.path.join(data, "us_states.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name, code = line.rstrip("\n").split("\t")
                states.add(name)
                codes.add(code.lower())
    return countries, states, codes


def map_date(value):
    v = value.strip()
    if re.fullmatch(r"\d{4}", v):
        return "NOT_PHI", "year alone"
    if v.lower() in WEEKDAYS:
        return "NOT_PHI", "weekday alone"
    return "DATE", None


def map_age(value):
    m = re.fullmatch(r"\s*(\d+)\s*", value)
    if m and int(m.group(1)) > 89:
        return "AGE"
    return "NOT_PHI"


def map_gpe(value, places):
    countries, states, codes = places
    v = value.strip().lower()
    if v in countries or v in states or v in codes or v in GPE_NOT_CITY:
        return "NOT_PHI"
    return "CITY"


def byte_offsets(text, start, end):
    b0 = len(text[:start].encode("utf-8"))
    return b0, b0 + len(text[start:end].encode("utf-8"))


def convert_sample(sample, places, merge, notes):
    text = sample["full_text"]
    spans = []
    for sp in sample["spans"]:
        s, e, value, etype = sp["start_position"], sp["end_position"], sp["entity_value"], sp["entity_type"]
        if text[s:e] != value:
            raise ValueError(f"source span does not match its text: {sp!r}")
        b0, b1 = byte_offsets(text, s, e)
        if text.encode("utf-8")[b0:b1].decode("utf-8") != value:
            raise ValueError(f"byte offsets do not give back the source value: {sp!r}")
        if etype in DIRECT:
            t = DIRECT[etype]
        elif etype == "DATE_TIME":
            t, why = map_date(value)
            if why:
                notes[f"DATE_TIME -> NOT_PHI ({why})"] += 1
        elif etype == "AGE":
            t = map_age(value)
        elif etype == "GPE":
            t = map_gpe(value, places)
        else:
            raise ValueError(f"unknown entity type {etype}")
        spans.append({"cs": s, "ce": e, "type": t, "src": etype, "value": value})
    spans.sort(key=lambda x: (x["cs"], x["ce"]))
    for a, b in zip(spans, spans[1:]):
        if b["cs"] < a["ce"]:
            raise ValueError(f"overlapping source spans: {a!r} {b!r}")

    if merge:
        # A bare number labelled STREET_ADDRESS right after a country/region (GPE) is the postcode
        # of the address block ("Riisa\n\n Estonia 62488"): label it ZIP.
        for i, sp in enumerate(spans):
            if sp["type"] == "ADDRESS" and re.fullmatch(r"\d[\d -]*", sp["value"]) and i > 0:
                prev, nxt = spans[i - 1], spans[i + 1] if i + 1 < len(spans) else None
                gap = text[prev["ce"]:sp["cs"]]
                if prev["src"] == "GPE" and not gap.strip() and not (
                        nxt and nxt["type"] == "ADDRESS" and not text[sp["ce"]:nxt["cs"]].strip()):
                    sp["type"] = "ZIP"
                    notes["STREET_ADDRESS -> ZIP (postcode after a GPE)"] += 1
        # Address parts separated only by white space (and the ">" or "???" line prefixes of quoted
        # e-mail in some templates) are one street address ("28245" + "Puruntie 82" + "Apt. 595",
        # "727 Gesterbyntie 68\n>Suite 377"): merge them into one ADDRESS span.
        merged = []
        for sp in spans:
            last = merged[-1] if merged else None
            if (last and last["type"] == "ADDRESS" and sp["type"] == "ADDRESS"
                    and re.fullmatch(r"[\s>?]*", text[last["ce"]:sp["cs"]])):
                last["ce"] = sp["ce"]
                last["value"] = text[last["cs"]:last["ce"]]
                last["parts"] = last.get("parts", 1) + 1
                notes["STREET_ADDRESS parts merged away"] += 1
            else:
                merged.append(dict(sp))
        spans = merged

    out = []
    btext = text.encode("utf-8")
    for sp in spans:
        b0, b1 = byte_offsets(text, sp["cs"], sp["ce"])
        if btext[b0:b1].decode("utf-8") != sp["value"]:
            raise ValueError(f"byte offsets do not give back the value: {sp!r}")
        out.append({"start": b0, "end": b1, "type": sp["type"]})
    return text, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default=os.path.join(ROOT, "..", "shared", "data", "presidio-synth",
                                                    "synth_dataset_v2.json"))
    ap.add_argument("--output", default=os.path.join(ROOT, "corpora", "presidio.jsonl"))
    ap.add_argument("--no-merge", action="store_true",
                    help="keep presidio's address parts as separate ADDRESS spans")
    args = ap.parse_args()

    with open(args.input, encoding="utf-8") as f:
        data = json.load(f)
    places = load_places()
    counts, notes, src_counts = collections.Counter(), collections.Counter(), collections.Counter()
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        for i, sample in enumerate(data, 1):
            for sp in sample["spans"]:
                src_counts[sp["entity_type"]] += 1
            text, spans = convert_sample(sample, places, not args.no_merge, notes)
            for sp in spans:
                counts[sp["type"]] += 1
            rec = {"id": f"presidio-{i:04d}", "text": text, "spans": spans}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # Re-read the output and check every span again, independently of the conversion.
    src_by_id = {f"presidio-{i:04d}": s for i, s in enumerate(data, 1)}
    with open(args.output, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            b = rec["text"].encode("utf-8")
            src = src_by_id[rec["id"]]
            assert rec["text"] == src["full_text"]
            values = {sp["entity_value"] for sp in src["spans"]}
            for sp in rec["spans"]:
                got = b[sp["start"]:sp["end"]].decode("utf-8")
                assert got in values or sp["type"] == "ADDRESS", (rec["id"], sp, got)

    print(f"samples: {len(data)}")
    print("source spans:", dict(src_counts.most_common()))
    print("output spans per type:")
    for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {t:8} {n}")
    print(f"  total    {sum(counts.values())}")
    for k, n in sorted(notes.items()):
        print(f"note: {k}: {n}")


if __name__ == "__main__":
    sys.exit(main())
