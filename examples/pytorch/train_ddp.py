"""The scale-out path, PyTorch side: train a character-level name model with DistributedDataParallel
and hand it to wasm-rnn. Two processes on this machine stand in for many machines (the same code
runs under torchrun on a cluster: it reads RANK / WORLD_SIZE / MASTER_ADDR when they are set).

    /usr/bin/python3 examples/pytorch/train_ddp.py --out examples/output/ddp

Rank 0 writes, with the "module." prefix DDP adds stripped:
  rnn.pt             torch.save(state_dict)            (wasm-rnn: readTorchStateDict / `wasm-rnn convert`)
  rnn.safetensors    safetensors.torch.save_file(...)  (only when the safetensors package is installed)
  vocabulary.json    the character ids, in wasm-rnn's Vocabulary JSON (PAD 0, UNK 1, EOS 2, BOS 3, then a-z ...)
The model is nn.Embedding -> nn.LSTM -> nn.Linear, trained on BOS + name -> name + EOS, the framing
of wasm-rnn's nextTokenBatch, so the edge example's Worker serves it unchanged.
"""
import argparse
import json
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LISTS = ["female", "male"]
RESERVED = ["<pad>", "<unk>", "<eos>", "<bos>"]
PAD, EOS, BOS = 0, 2, 3


def load_names():
    names = set()
    for which in LISTS:
        path = os.path.join(ROOT, "node_modules", "@stdlib", f"datasets-{which}-first-names-en", "data", "names.txt")
        with open(path, encoding="utf-8") as f:
            names.update(line.strip().lower() for line in f if line.strip())
    return sorted(names)


class NameModel(nn.Module):
    """ids [T, B] -> embed -> lstm -> fc: next-character logits [T, B, V]."""

    def __init__(self, vocab_size, embedding_size=16, hidden_size=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids):
        output, _ = self.lstm(self.embed(ids))
        return self.fc(output)


def batches(names, ids_of, batch_size, generator):
    """Time-major (inputs, targets) batches, padded with PAD (ignored by the loss)."""
    order = torch.randperm(len(names), generator=generator).tolist()
    for start in range(0, len(order), batch_size):
        chosen = [[BOS] + [ids_of[c] for c in names[i]] + [EOS] for i in order[start:start + batch_size]]
        T = max(len(s) for s in chosen) - 1
        x = torch.full((T, len(chosen)), PAD, dtype=torch.long)
        y = torch.full((T, len(chosen)), PAD, dtype=torch.long)
        for b, s in enumerate(chosen):
            x[: len(s) - 1, b] = torch.tensor(s[:-1])
            y[: len(s) - 1, b] = torch.tensor(s[1:])
        yield x, y


def train(rank, world_size, args, init_method):
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    torch.manual_seed(0)  # the same initial weights on every rank (DDP also broadcasts rank 0's)
    names = load_names()
    tokens = RESERVED + sorted({c for n in names for c in n})
    ids_of = {t: i for i, t in enumerate(tokens)}
    shard = names[rank::world_size]  # each rank trains on its own part of the data
    model = DistributedDataParallel(NameModel(len(tokens)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    generator = torch.Generator().manual_seed(rank)
    for epoch in range(args.epochs):
        total, count = 0.0, 0
        for x, y in batches(shard, ids_of, args.batch_size, generator):
            optimizer.zero_grad()
            loss = loss_fn(model(x).reshape(-1, len(tokens)), y.reshape(-1))
            loss.backward()  # DDP averages the gradients of all ranks here
            optimizer.step()
            total, count = total + loss.item(), count + 1
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: loss {total / count:.4f} (rank 0's shard, {world_size} ranks)")
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        state = {k.removeprefix("module."): v for k, v in model.state_dict().items()}
        torch.save(state, os.path.join(args.out, "rnn.pt"))
        vocabulary = {"format": "wasm-rnn/vocabulary", "version": 1, "tokens": tokens, "specials": []}
        with open(os.path.join(args.out, "vocabulary.json"), "w", encoding="utf-8") as f:
            json.dump(vocabulary, f)
        try:
            from safetensors.torch import save_file
        except ImportError:
            print("safetensors is not installed: wrote rnn.pt only")
        else:
            save_file(state, os.path.join(args.out, "rnn.safetensors"), metadata={"vocabulary": json.dumps(vocabulary)})
        print(f"wrote {args.out}: {', '.join(sorted(os.listdir(args.out)))}")
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "examples", "output", "ddp"))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if "RANK" in os.environ:  # under torchrun: one process of many, rendezvous from the environment
        train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), args, "env://")
        return
    with tempfile.TemporaryDirectory() as tmp:
        mp.spawn(train, args=(args.processes, args, f"file://{os.path.join(tmp, 'rendezvous')}"), nprocs=args.processes)


if __name__ == "__main__":
    main()
