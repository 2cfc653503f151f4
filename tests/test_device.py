"""Device choice per xdist worker, tested on the CPU with CUDA faked."""

import pytest
import torch

from harness.plugin import resolve_device


class Options:
    def __init__(self, device):
        self.device = device

    def getoption(self, name):
        assert name == "device"
        return self.device


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


@pytest.mark.parametrize("worker, index", [("gw0", 0), ("gw1", 1), ("gw2", 0), ("gw5", 1)])
def test_workers_round_robin_over_visible_gpus(two_gpus, monkeypatch, worker, index):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    assert resolve_device(Options("auto")) == torch.device("cuda", index)
    assert resolve_device(Options("cuda")) == torch.device("cuda", index)
    assert resolve_device(Options("cpu")) == torch.device("cpu")


def test_serial_run_takes_the_first_gpu(two_gpus, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert resolve_device(Options("auto")) == torch.device("cuda", 0)


def test_cuda_without_cuda_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device(Options("auto")) == torch.device("cpu")
    with pytest.raises(pytest.UsageError, match="--device cuda: CUDA is not available"):
        resolve_device(Options("cuda"))
