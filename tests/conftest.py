"""Shared test set-up: one torch thread, no progress bars, no files in the checkout."""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Hosts write ``workspace/`` and logs into the current folder: keep them in tmp."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)
