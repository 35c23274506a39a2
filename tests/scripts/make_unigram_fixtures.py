#!/usr/bin/python3
"""Trains a small SentencePiece Unigram model on datasets/ and writes XLM-R-style expected ids for it.

The model stands in for XLM-R's sentencepiece.bpe.model (also a Unigram model despite its name); the
expected ids are what HF's slow XLMRobertaTokenizer produces: SentencePiece pieces, ids shifted by the
fairseq offset (<s>=0 <pad>=1 </s>=2 <unk>=3, spm id i>0 -> i+1, spm's unk 0 -> 3), a single text as
<s> A </s>, a pair as <s> A </s></s> B </s>, every token type 0. HF's fast tokenizer is tested equal to the
slow one upstream; kluespark's converted tokenizer.json is tested equal to these ids (no python at test time).

Run (from the repository root; Debian's sentencepiece CLI and python3-sentencepiece):
    /usr/bin/python3 tests/scripts/make_unigram_fixtures.py [--klue ../shared/klue]
Writes udfs/src/test/resources/unigram/{ko-unigram.model, expected-datasets.json} and, with --klue,
expected-klue.json: ids only (no KLUE text enters the repository), keyed by file, guid and field.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import sentencepiece as spm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "udfs", "src", "test", "resources", "unigram")
VOCAB_SIZE = 2000  # the samples hold at most 2,468 pieces
KLUE_FILES = ["klue-sts-v1.1_dev.json", "klue-nli-v1.1_dev.json"]
PAIR_FIELDS = [("sentence1", "sentence2"), ("premise", "hypothesis")]
KLUE_RECORDS_PER_FILE = 100  # 200 records: 400 sentences and 200 pairs, ~60 KB of ids


def corpus_lines():
    """Every line of every file under datasets/, in name order (what `kluespark synth` learns from)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(ROOT, "datasets", "*"))):
        with open(path, encoding="utf-8") as f:
            lines.extend(f.read().splitlines())
    return lines


def dataset_texts():
    """The raw lines (JSON indentation and all), the sentence fields and the STS/NLI pairs of datasets/."""
    singles, pairs = corpus_lines(), []
    for path in sorted(glob.glob(os.path.join(ROOT, "datasets", "*.json*"))):
        with open(path, encoding="utf-8") as f:
            records = [json.loads(l) for l in f if l.strip()] if path.endswith(".jsonl") else json.load(f)
        for record in records:
            for a, b in PAIR_FIELDS:
                if a in record and b in record:
                    singles += [record[a], record[b]]
                    pairs.append([record[a], record[b]])
    return list(dict.fromkeys(singles)), pairs  # each distinct text once, first occurrence order


def train(model_file):
    # Relative names inside a scratch directory: the model records its input and prefix, and must not
    # depend on where the repository is checked out (the .model is byte-identical run to run).
    with tempfile.TemporaryDirectory() as scratch:
        with open(os.path.join(scratch, "corpus.txt"), "w", encoding="utf-8") as corpus:
            corpus.write("\n".join(l for l in corpus_lines() if l.strip()) + "\n")
        # spm's defaults otherwise (nmt_nfkc normalization, unk=0 <s>=1 </s>=2, no pad): fairseq's layout.
        subprocess.run(["spm_train", "--input=corpus.txt", "--model_prefix=ko-unigram", "--model_type=unigram",
                        "--vocab_size=%d" % VOCAB_SIZE, "--character_coverage=0.9995", "--num_threads=1",
                        "--seed_sentencepiece_size=100000", "--minloglevel=2"], check=True, cwd=scratch)
        os.replace(os.path.join(scratch, "ko-unigram.model"), model_file)


class XlmrIds:
    """HF's slow XLMRobertaTokenizer on top of a SentencePiece model."""

    def __init__(self, model_file):
        self.sp = spm.SentencePieceProcessor(model_file=model_file)

    def pieces(self, text):
        return [i + 1 if i > 0 else 3 for i in self.sp.encode(text)]

    def single(self, text):
        return [0] + self.pieces(text) + [2]

    def pair(self, a, b):
        return [0] + self.pieces(a) + [2, 2] + self.pieces(b) + [2]


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--klue", help="directory with the KLUE STS/NLI dev sets (ids of a subset are written)")
    parser.add_argument("--klue-all", help="also write ids of every KLUE dev sentence and pair to this file "
                                           "(outside the repository; for a one-off full comparison; needs --klue)")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    model_file = os.path.join(OUT, "ko-unigram.model")
    train(model_file)
    ids = XlmrIds(model_file)
    singles, pairs = dataset_texts()
    write_json(os.path.join(OUT, "expected-datasets.json"), {
        "note": "made by tests/scripts/make_unigram_fixtures.py with sentencepiece " + spm.__version__,
        "singles": [{"text": t, "ids": ids.single(t)} for t in singles],
        "pairs": [{"a": a, "b": b, "ids": ids.pair(a, b)} for a, b in pairs]})
    if args.klue:
        klue = []
        for name in KLUE_FILES:
            with open(os.path.join(args.klue, name), encoding="utf-8") as f:
                records = json.load(f)
            fields = next(p for p in PAIR_FIELDS if p[0] in records[0])
            for record in records:
                # The pair's ids are <s> a </s></s> b </s> of these two (Unigram splits each text alone).
                klue.append({"file": name, "guid": record["guid"], "fields": list(fields),
                             "a": ids.single(record[fields[0]]), "b": ids.single(record[fields[1]])})
        subset = [r for name in KLUE_FILES for r in [k for k in klue if k["file"] == name][:KLUE_RECORDS_PER_FILE]]
        write_json(os.path.join(OUT, "expected-klue.json"), {
            "note": "ids only (no KLUE text): the first %d records of each dev set" % KLUE_RECORDS_PER_FILE,
            "records": subset})
        if args.klue_all:
            write_json(args.klue_all, {"note": "every record", "records": klue})
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
