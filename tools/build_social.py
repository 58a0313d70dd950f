#!/usr/bin/env python3
"""Build corpora/social.jsonl (gold format of corpora/FORMAT.md) from the hand-written source
corpora/social.src.txt.

Re-run from anywhere:

    python3 tools/build_social.py              # validate, write corpora/social.jsonl, print counts
    python3 tools/build_social.py --check      # validate and print counts, write nothing
    python3 tools/build_social.py --fix-headers  # give new records an id and an employer= field

Another corpus in the same format (the held-out corpus, corpora/README.md section heldout.jsonl):
`--prefix heldout` reads corpora/heldout.src.txt, writes corpora/heldout.jsonl and expects ids
`heldout-NNNN` (also for --fix-headers); `--source`/`--output` override the two paths.

    python3 tools/build_social.py --prefix heldout

Source format (one record per block, blocks separated by blank lines; lines starting with ";;"
are comments and are ignored):

    ## id=social-0001 channel=personal employer=yes kind=post categories=phi,missing_disclaimer
    Please keep [[NAME:Maria Gonzales]] in your prayers, admitted [[DATE:March 3]] #AlderbrookCares

- `[[TYPE:text]]` marks a span: the markup is removed from the output text and `text` becomes a
  span of `TYPE` (a FORMAT.md span type). Spans cannot nest; `text` cannot contain "]]".
- A text may run over several lines (kept as "\\n"), but cannot contain a blank line.
- `channel` is personal|official, `kind` post|reply|comment, `categories` a comma-separated list
  (empty = a clean text that must not be flagged at block).
- `employer` (identifies_employer) is derived from the text: official accounts always identify the
  employer; a personal text identifies it when it names Alderbrook/ARMC (any case, also inside a
  handle, hashtag, hostname or MRN) or the official handles, hashtags or website. When given in the
  header it must agree with the derived value; `--fix-headers` writes it in.

Output offsets are byte offsets into the UTF-8 text (end exclusive); every span is checked to
decode back to the marked text. The script also checks the consistency rules documented in
corpora/README.md (section social.jsonl) and exits non-zero on any error.
"""

import argparse
import collections
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SRC = os.path.join(ROOT, "corpora", "social.src.txt")
OUT = os.path.join(ROOT, "corpora", "social.jsonl")

SPAN_TYPES = [
    "NAME", "DATE", "AGE", "ADDRESS", "CITY", "ZIP", "ROOM", "PHONE", "EMAIL", "SSN", "MRN",
    "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "ID", "NOT_PHI",
]
CATEGORIES = [
    "phi", "indirect_phi", "missing_disclaimer", "endorsement", "unprofessional", "medical_advice",
    "misinformation", "confidential", "security", "copyright", "handle_branding", "lexicon",
]
CHANNELS = {"personal", "official"}
KINDS = {"post", "reply", "comment"}

# corpora/HOSPITAL.md: staff and public figures are never patient identifiers.
STAFF_NAMES = [
    "Priya Raman", "Marcus Bell", "Jenna Ortiz", "Tom Okafor", "Elena Kowalski", "Sam Whitfield",
    "Aisha Mensah", "Carlos Rivera", "Grace Nakamura", "Victor Hale",
]
PUBLIC_FIGURES = ["Florence Nightingale", "Jonas Salk", "Marie Curie", "Clara Barton"]

HEADER_RE = re.compile(r"^## (?P<fields>.*)$")
SPAN_RE = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]")
ID_PREFIX = "social"
ID_RE = re.compile(r"^social-\d{4}$")

# An explicit mention of the employer: a word-bounded alias, or an official handle, hashtag or
# website. "Word-bounded" treats letters, digits and "_" as word characters, so "ARMC-1234567",
# "ehr.armc.local" and "pacs01.alderbrook.internal" mention it, "@ARMC_nurse" does not.
EXPLICIT_EMPLOYER_RE = re.compile(
    r"(?i)(?<![a-z0-9_])(alderbrook|armc)(?![a-z0-9_])"
    r"|#(alderbrookcares|armcproud|teamalderbrook)(?![a-z0-9_])"
    r"|@(alderbrookhealth|alderbrookcareers)(?![a-z0-9_])"
    r"|alderbrookhealth\.org"
)
# Any trace of the employer's name, also glued into a handle or a display name.
ANY_EMPLOYER_RE = re.compile(r"(?i)alderbrook|(?<![a-z])armc")
DISCLAIMER_RE = re.compile(
    r"(?i)\b(opinions?|views?)\b[^.]{0,40}?\b(my own|mine)\b[^.]{0,60}?\bemployer"
)


class Record:
    def __init__(self, line_no, header_line, fields, raw_lines):
        self.line_no = line_no
        self.header_line = header_line
        self.fields = fields
        self.raw_lines = raw_lines


def parse_fields(text):
    fields = {}
    for token in text.split():
        if "=" not in token:
            raise ValueError(f"header token without '=': {token!r}")
        key, value = token.split("=", 1)
        if key in fields:
            raise ValueError(f"header field {key!r} given twice")
        fields[key] = value
    return fields


def read_blocks(path):
    """Yield Records; raise ValueError on structural problems."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    records = []
    current = None
    for no, line in enumerate(lines, 1):
        if line.startswith(";;"):
            continue
        if not line.strip():
            current = None
            continue
        m = HEADER_RE.match(line)
        if m:
            current = Record(no, line, parse_fields(m.group("fields")), [])
            records.append(current)
            continue
        if current is None:
            raise ValueError(f"line {no}: text outside a record (missing '## ' header?)")
        current.raw_lines.append(line)
    return records


def render(raw):
    """Strip the markup: return (text, spans) with byte offsets."""
    out = []
    spans = []
    pos = 0
    nbytes = 0
    for m in SPAN_RE.finditer(raw):
        before = raw[pos:m.start()]
        out.append(before)
        nbytes += len(before.encode("utf-8"))
        value = m.group(2)
        start = nbytes
        out.append(value)
        nbytes += len(value.encode("utf-8"))
        spans.append({"start": start, "end": nbytes, "type": m.group(1), "_value": value})
        pos = m.end()
    out.append(raw[pos:])
    return "".join(out), spans


def derive_employer(channel, text):
    if channel == "official":
        return True
    return bool(ANY_EMPLOYER_RE.search(text))


def build(records):
    errors = []
    out = []
    seen_ids = set()
    for rec in records:
        where = f"line {rec.line_no}"
        f = rec.fields
        unknown = set(f) - {"id", "channel", "employer", "kind", "categories"}
        if unknown:
            errors.append(f"{where}: unknown header fields {sorted(unknown)}")
        rid = f.get("id")
        if rid is None:
            errors.append(f"{where}: no id (run --fix-headers)")
        elif not ID_RE.match(rid):
            errors.append(f"{where}: bad id {rid!r}")
        elif rid in seen_ids:
            errors.append(f"{where}: duplicate id {rid}")
        else:
            seen_ids.add(rid)
            where = f"{where} ({rid})"
        channel = f.get("channel", "personal")
        kind = f.get("kind", "post")
        if channel not in CHANNELS:
            errors.append(f"{where}: unknown channel {channel!r}")
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
        cats = [c for c in f.get("categories", "").split(",") if c]
        for c in cats:
            if c not in CATEGORIES:
                errors.append(f"{where}: unknown category {c!r}")
        if len(set(cats)) != len(cats):
            errors.append(f"{where}: duplicate category")
        if not rec.raw_lines:
            errors.append(f"{where}: empty text")
            continue
        raw = "\n".join(rec.raw_lines)
        text, spans = render(raw)
        if "[[" in text or "]]" in text:
            errors.append(f"{where}: unbalanced span markup")
        if text != text.strip():
            errors.append(f"{where}: leading/trailing whitespace in text")
        data = text.encode("utf-8")
        for s in spans:
            v = s.pop("_value")
            if s["type"] not in SPAN_TYPES:
                errors.append(f"{where}: unknown span type {s['type']!r}")
            if not v or v != v.strip():
                errors.append(f"{where}: empty span or span with outer whitespace: {v!r}")
            if data[s["start"]:s["end"]].decode("utf-8") != v:
                errors.append(f"{where}: span bytes do not decode back to {v!r}")
            if s["type"] == "NAME":
                for staff in STAFF_NAMES + PUBLIC_FIGURES:
                    if any(part.lower() == v.lower() for part in [staff] + staff.split()):
                        errors.append(f"{where}: staff/public name labelled as NAME: {v!r}")

        # Consistency rules (documented in corpora/README.md).
        employer = derive_employer(channel, text)
        if "employer" in f and f["employer"] not in ("yes", "no"):
            errors.append(f"{where}: employer must be yes|no")
        elif "employer" in f and (f["employer"] == "yes") != employer:
            errors.append(f"{where}: employer={f['employer']} but derived {employer}")
        has_disclaimer = bool(DISCLAIMER_RE.search(text))
        needs_disclaimer = channel == "personal" and employer and not has_disclaimer
        if needs_disclaimer != ("missing_disclaimer" in cats):
            errors.append(
                f"{where}: missing_disclaimer must be set iff personal, identifies employer, "
                f"no disclaimer (employer={employer}, disclaimer={has_disclaimer})"
            )
        if needs_disclaimer and not EXPLICIT_EMPLOYER_RE.search(text):
            errors.append(
                f"{where}: employer only appears glued into a handle/name; add an explicit "
                "mention or a disclaimer so the expected missing_disclaimer is unambiguous"
            )
        phi_spans = [s for s in spans if s["type"] != "NOT_PHI"]
        if bool(phi_spans) != ("phi" in cats):
            errors.append(f"{where}: 'phi' must be set iff there is an identifier span")
        if "handle_branding" in cats and channel != "personal":
            errors.append(f"{where}: handle_branding is for personal accounts")

        out.append({
            "id": rid,
            "text": text,
            "context": {"channel": channel, "identifies_employer": employer, "kind": kind},
            "spans": spans,
            "categories": cats,
        })
    return out, errors


def fix_headers(path, records):
    """Give records without an id the next free ids, and write the derived employer= field."""
    used = [int(r.fields["id"].split("-")[1]) for r in records
            if ID_RE.match(r.fields.get("id", ""))]
    next_id = max(used, default=0) + 1
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    changed = 0
    for rec in records:
        fields = dict(rec.fields)
        if "id" not in fields:
            fields["id"] = f"{ID_PREFIX}-{next_id:04d}"
            next_id += 1
        text, _ = render("\n".join(rec.raw_lines))
        fields["employer"] = "yes" if derive_employer(fields.get("channel", "personal"), text) else "no"
        order = ["id", "channel", "employer", "kind", "categories"]
        keys = [k for k in order if k in fields] + [k for k in fields if k not in order]
        if "categories" not in fields:
            fields["categories"] = ""
            keys.append("categories")
        new = "## " + " ".join(f"{k}={fields[k]}" for k in keys)
        if lines[rec.line_no - 1] != new:
            lines[rec.line_no - 1] = new
            changed += 1
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"{changed} header(s) rewritten in {os.path.relpath(path, ROOT)}")


def report(out):
    cats = collections.Counter(c for r in out for c in r["categories"])
    types = collections.Counter(s["type"] for r in out for s in r["spans"])
    channels = collections.Counter(r["context"]["channel"] for r in out)
    kinds = collections.Counter(r["context"]["kind"] for r in out)
    clean = sum(1 for r in out if not r["categories"])
    non_ascii = sum(1 for r in out if not r["text"].isascii())
    multi = sum(1 for r in out if len(r["categories"]) > 1)
    indirect_only = sum(1 for r in out
                        if "indirect_phi" in r["categories"] and "phi" not in r["categories"])
    print(f"lines: {len(out)}")
    print(f"clean lines: {clean}")
    print(f"lines with several categories: {multi}")
    print(f"lines with non-ASCII text: {non_ascii}")
    print(f"indirect_phi lines without any identifier span: {indirect_only}")
    print("channels: " + ", ".join(f"{k} {v}" for k, v in sorted(channels.items())))
    print("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("lines per category:")
    for c in CATEGORIES:
        print(f"  {c:<20} {cats.get(c, 0)}")
    print(f"spans per type ({sum(types.values())} spans):")
    for t in SPAN_TYPES:
        print(f"  {t:<20} {types.get(t, 0)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=None,
                    help="source file (default corpora/social.src.txt, or corpora/PREFIX.src.txt)")
    ap.add_argument("--output", default=None,
                    help="output file (default corpora/social.jsonl, or corpora/PREFIX.jsonl)")
    ap.add_argument("--prefix", default="social",
                    help="id prefix (ids are PREFIX-NNNN); also names the default source and output")
    ap.add_argument("--check", action="store_true", help="validate only, write nothing")
    ap.add_argument("--fix-headers", action="store_true",
                    help="assign ids to new records and write the derived employer= fields")
    args = ap.parse_args()
    global ID_PREFIX, ID_RE
    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.prefix):
        print(f"error: bad --prefix {args.prefix!r}", file=sys.stderr)
        return 1
    ID_PREFIX = args.prefix
    ID_RE = re.compile(r"^" + re.escape(args.prefix) + r"-\d{4}$")
    if args.source is None:
        args.source = os.path.join(ROOT, "corpora", f"{args.prefix}.src.txt")
    if args.output is None:
        args.output = os.path.join(ROOT, "corpora", f"{args.prefix}.jsonl")
    try:
        records = read_blocks(args.source)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.fix_headers:
        fix_headers(args.source, records)
        records = read_blocks(args.source)
    out, errors = build(records)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s); nothing written", file=sys.stderr)
        return 1
    if not args.check:
        with open(args.output, "w", encoding="utf-8") as f:
            for r in out:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {os.path.relpath(args.output, ROOT)}")
    report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
