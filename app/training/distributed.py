"""Multi-GPU / multi-node training through `torchrun`: DistributedDataParallel with a DistributedSampler.

Started by `torchrun` (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT set), `init_distributed` joins the
process group from those variables (`init_method="env://"`): NCCL with one GPU per process (cuda:LOCAL_RANK)
when CUDA is available, else gloo on the CPU. Started plainly, it is a single process and nothing is initialised.

Rank 0 writes every output (checkpoint, partial state, predictions) and prints; the other ranks train their
share of each batch. The global batch (`--batch`) is split evenly across processes, so the recipe's 32 stays 32.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from app.analysis.device import select_device

TIMEOUT = datetime.timedelta(hours=4)  # face tracking of a large data set on one rank can take long


@dataclass(frozen=True)
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")
    backend: Optional[str] = None  # None: single process

    @property
    def enabled(self) -> bool:
        return self.backend is not None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def is_local_main(self) -> bool:
        return self.local_rank == 0

    def describe(self) -> str:
        if not self.enabled:
            return f"1 process on {self.device}"
        return f"{self.world_size} processes ({self.backend}), this one rank {self.rank} on {self.device}"


def launched_by_torchrun() -> bool:
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"))


def init_distributed(device_request: Optional[str] = None) -> DistContext:
    """Join the torchrun process group if launched by torchrun; otherwise a single-process context."""
    if not launched_by_torchrun():
        return DistContext(device=select_device(device_request))
    rank, world, local = (int(os.environ[name]) for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    wants_cpu = (device_request or "auto").lower() == "cpu"
    if torch.cuda.is_available() and not wants_cpu:
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        device = torch.device("cpu")
        backend = "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, init_method="env://", timeout=TIMEOUT)
    return DistContext(rank, world, local, device, backend)


def shutdown(ctx: DistContext) -> None:
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()


def barrier(ctx: DistContext) -> None:
    if ctx.enabled:
        dist.barrier()


def broadcast_object(ctx: DistContext, value: Any = None) -> Any:
    """Rank 0's `value` on every rank."""
    if not ctx.enabled:
        return value
    holder = [value if ctx.is_main else None]
    dist.broadcast_object_list(holder, src=0, device=ctx.device if ctx.backend == "nccl" else None)
    return holder[0]


def all_gather_objects(ctx: DistContext, value: Any) -> list[Any]:
    """Every rank's `value`, in rank order, on every rank."""
    if not ctx.enabled:
        return [value]
    out: list[Any] = [None] * ctx.world_size
    dist.all_gather_object(out, value)
    return out


def wrap_model(model: nn.Module, ctx: DistContext) -> nn.Module:
    """DistributedDataParallel under torchrun (gradients averaged across ranks), the model itself otherwise."""
    if not ctx.enabled:
        return model
    device_ids = [ctx.device.index] if ctx.device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=device_ids)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, DistributedDataParallel) else model


def sync_buffers(model: nn.Module, ctx: DistContext) -> None:
    """Copy rank 0's buffers (BatchNorm running statistics) to every rank, so all ranks hold rank 0's model."""
    if ctx.enabled:
        for buffer in unwrap(model).buffers():
            dist.broadcast(buffer, src=0)


def epoch_indices(n: int, ctx: DistContext, seed: int, epoch: int, shuffle: bool = True) -> list[int]:
    """This rank's sample indices for one epoch, from a DistributedSampler (shuffled with seed + epoch; padded by
    repetition to equal shares when n does not divide by the number of processes)."""
    sampler = DistributedSampler(range(n), num_replicas=ctx.world_size, rank=ctx.rank, shuffle=shuffle, seed=seed,
                                 drop_last=False)
    sampler.set_epoch(epoch)
    return list(sampler)


def per_rank_batch(global_batch: int, ctx: DistContext) -> int:
    return max(1, -(-global_batch // ctx.world_size))


def shard(items: Sequence[Any], ctx: DistContext) -> list[Any]:
    """Items rank r handles when work is split round-robin."""
    return list(items[ctx.rank :: ctx.world_size])
