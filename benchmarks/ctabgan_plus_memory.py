"""Peak memory of a CTAB-GAN+ fit on 100,000 x 30 (one epoch: the peak is reached in the first).

Run: ``PYTHONPATH=src OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ctabgan_plus_memory.py``;
the result is recorded in docs/benchmarks/ctabgan_plus.md.
"""

import resource
import time

import numpy as np
import pandas as pd

from synth_plugins.generators.ctabgan_plus import CTABGANPlus

rng = np.random.default_rng(0)
n = 100_000
cols = {}
for j in range(12):
    cols[f"num{j}"] = rng.normal(j, 1 + j / 5, n)
for j in range(6):
    cols[f"skew{j}"] = rng.lognormal(0, 1, n)
for j in range(4):
    cols[f"zero{j}"] = np.where(rng.uniform(size=n) < 0.4, 0.0, rng.gamma(2, 3, n))
for j in range(8):
    cols[f"cat{j}"] = rng.choice([f"l{k}" for k in range(3 + j)], n)
frame = pd.DataFrame(cols)
t = time.perf_counter()
model = CTABGANPlus(epochs=1, random_state=0).fit(frame)
fit = time.perf_counter() - t
t = time.perf_counter()
out = model.sample(10_000)
print(
    {
        "rows": n,
        "columns": frame.shape[1],
        "epochs": 1,
        "fit_s": round(fit, 1),
        "sample_10k_s": round(time.perf_counter() - t, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
)
