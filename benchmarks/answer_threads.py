"""Answer benchmarks/thread_questions.jsonl with one askalign version (reader off).
Usage: python answer_threads.py INDEX_DIR VERSION_LABEL OUT_JSONL"""
import json, sys, time
from askalign import Assistant

index, label, out = sys.argv[1:4]
a = Assistant.open(index, reader="off")
qs = [json.loads(l) for l in open("/work/main/benchmarks/thread_questions.jsonl")]
with open(out, "w") as f:
    for q in qs:
        t = time.time()
        ans = a.ask(q["question"])
        rec = {"id": q["id"], "version": label, "text": ans.text, "abstained": ans.abstained,
               "citations": [(c.speaker, c.quote) for c in ans.citations],
               "seconds": round(time.time() - t, 2)}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n"); f.flush()
        print(q["id"], rec["seconds"], len(rec["citations"]), file=sys.stderr)
