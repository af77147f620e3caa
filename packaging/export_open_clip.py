#!/usr/bin/python3
"""Export an open_clip-style CLIP model to a RealSyn TorchScript model folder.

    OUT/model.pt                     TorchScript: encode_image(float[N,3,S,S]) -> [N,D]
                                                  encode_text(int64[N,C])      -> [N,D]
    OUT/model.json                   {"name", "image_size", "embed_dim", "context_length", "mean", "std"}
    OUT/bpe_simple_vocab_16e6.txt.gz CLIP's BPE merges (copied from --merges)

The folder is what plugins/encoder_torchscript opens. The target runtime is
Debian 12's libtorch 1.13, so the export:

  * replaces every nn.MultiheadAttention with an explicit-math attention module
    that shares its weights, so no fused kernel is traced
    (aten::scaled_dot_product_attention in torch 2.x, or
    aten::_native_multi_head_attention, the 1.12+ fast path);
  * traces both methods into one module (torch.jit.trace_module) and checks
    the traced outputs against the eager model at another batch size;
  * lists every operator in the traced graphs and fails, naming them, if any
    is missing from packaging/libtorch_1_13_ops.txt (prim:: nodes are the
    interpreter's own and are not checked).

Model sources:
  --open-clip ViT-B-32 --pretrained openai     needs the open_clip package
  --factory FILE.py:FUNC[:ARG]                 FUNC(ARG) returns the model
                                               (tests: tests/plugins/make_tiny_clip.py:build:tiny)
Maintenance: --write-op-list FILE regenerates the operator list; run it with
the torch that matches the target libtorch (Debian's python3-torch 1.13).
"""

import argparse
import gzip
import importlib.util
import json
import math
import os
import shutil
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OP_LIST = os.path.join(HERE, "libtorch_1_13_ops.txt")
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
MERGES_NAME = "bpe_simple_vocab_16e6.txt.gz"


def fail(msg):
    print(f"export_open_clip: error: {msg}", file=sys.stderr)
    sys.exit(1)


class MathAttention(nn.Module):
    """nn.MultiheadAttention's computation written out with matmul and
    softmax. Shares (not copies) the original's parameters. Supports what
    CLIP uses: self-attention, optional additive or boolean attn_mask, no
    key padding mask, need_weights=False."""

    def __init__(self, mha: nn.MultiheadAttention):
        super().__init__()
        if not getattr(mha, "_qkv_same_embed_dim", True) or mha.in_proj_weight is None:
            fail("attention with separate q/k/v projection weights is not supported")
        if mha.bias_k is not None or mha.add_zero_attn:
            fail("attention with bias_k/add_zero_attn is not supported")
        self.num_heads = mha.num_heads
        self.head_dim = mha.embed_dim // mha.num_heads
        self.batch_first = bool(getattr(mha, "batch_first", False))
        self.in_proj_weight = mha.in_proj_weight
        self.in_proj_bias = mha.in_proj_bias
        self.out_proj = mha.out_proj

    def forward(self, query, key, value, key_padding_mask=None, need_weights=False, attn_mask=None,
                average_attn_weights=True):
        if key_padding_mask is not None:
            raise RuntimeError("MathAttention: key_padding_mask is not supported")
        x = query if self.batch_first else query.transpose(0, 1)      # N, L, E
        n, length, width = x.shape
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
        q, k, v = qkv.chunk(3, dim=-1)
        q = q.reshape(n, length, self.num_heads, self.head_dim).transpose(1, 2)  # N, H, L, hd
        k = k.reshape(n, length, self.num_heads, self.head_dim).transpose(1, 2)
        v = v.reshape(n, length, self.num_heads, self.head_dim).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
        if attn_mask is not None:
            if attn_mask.dtype == torch.bool:
                scores = scores.masked_fill(attn_mask, float("-inf"))
            else:
                scores = scores + attn_mask
        out = torch.matmul(scores.softmax(dim=-1), v)                  # N, H, L, hd
        out = out.transpose(1, 2).reshape(n, length, width)
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.transpose(0, 1)
        return out, None


def replace_attention(model):
    replaced = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.MultiheadAttention):
                setattr(parent, name, MathAttention(child))
                replaced += 1
    return replaced


class ClipExport(nn.Module):
    """The two methods the C++ plugin calls, unnormalised (it normalises)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def encode_image(self, image):
        return self.model.encode_image(image)

    def encode_text(self, text):
        return self.model.encode_text(text)

    def forward(self, image):
        return self.encode_image(image)


def load_factory(spec):
    parts = spec.split(":")
    if len(parts) < 2:
        fail(f"--factory expects FILE.py:FUNC[:ARG], got {spec!r}")
    path, func = parts[0], parts[1]
    args = parts[2:]
    if not os.path.isfile(path):
        fail(f"--factory file not found: {path}")
    mod_spec = importlib.util.spec_from_file_location("realsyn_export_factory", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    if not hasattr(module, func):
        fail(f"{path} has no function {func}()")
    return getattr(module, func)(*args)


def load_open_clip(name, pretrained):
    try:
        import open_clip  # noqa: F401 (optional dependency)
    except ImportError:
        fail("the open_clip package is not installed (pip install open_clip_torch), or use --factory")
    model, _, _ = open_clip.create_model_and_transforms(name, pretrained=pretrained)
    return model


def graph_ops(module):
    """Every operator kind in the compiled methods of module and its submodules."""
    ops = set()

    def walk(block):
        for node in block.nodes():
            ops.add(node.kind())
            for b in node.blocks():
                walk(b)

    for sub in module.modules():
        c = getattr(sub, "_c", None)
        if c is None:
            continue
        for name in c._method_names():
            walk(c._get_method(name).graph)
    return ops


def check_ops(ops, op_list_path):
    if not os.path.isfile(op_list_path):
        fail(f"operator list not found: {op_list_path}")
    with open(op_list_path, encoding="utf-8") as f:
        known = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    missing = sorted(op for op in ops if not op.startswith("prim::") and op not in known)
    if missing:
        fail("the traced model uses operators that libtorch 1.13 does not have: " + ", ".join(missing))
    return len(ops)


def image_size_of(model, override):
    if override:
        return override
    size = getattr(model.visual, "image_size", None)
    if isinstance(size, (tuple, list)):
        if size[0] != size[1]:
            fail(f"non-square image_size {size} is not supported")
        size = size[0]
    if not isinstance(size, int):
        fail("cannot find model.visual.image_size; pass --image-size")
    return size


def example_tokens(n, context_length, vocab_size):
    """Token rows shaped like the tokenizer's: start, words, end (the highest id), padding."""
    g = torch.Generator().manual_seed(1)
    rows = torch.zeros(n, context_length, dtype=torch.long)
    for i in range(n):
        length = 3 + (i * 7) % (context_length - 4)
        rows[i, 0] = vocab_size - 2
        rows[i, 1:length] = torch.randint(256, vocab_size - 2, (length - 1,), generator=g)
        rows[i, length] = vocab_size - 1
    return rows


def write_op_list(path):
    names = sorted({s.name for s in torch._C._jit_get_all_schemas()})
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# Operator names registered in torch {torch.__version__} "
                f"(packaging/export_open_clip.py --write-op-list). One per line.\n")
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} operator names to {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", help="model folder to write")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--open-clip", metavar="MODEL", help="open_clip model name, e.g. ViT-B-32")
    src.add_argument("--factory", metavar="FILE.py:FUNC[:ARG]", help="a Python function that builds the model")
    ap.add_argument("--pretrained", default="openai", help="open_clip pretrained tag (default openai)")
    ap.add_argument("--name", help="model name recorded in model.json (default: derived from the source)")
    ap.add_argument("--merges", help=f"BPE merges file to copy as {MERGES_NAME}")
    ap.add_argument("--image-size", type=int, help="override model.visual.image_size")
    ap.add_argument("--op-list", default=DEFAULT_OP_LIST, help="operators the target libtorch has")
    ap.add_argument("--write-op-list", metavar="FILE", help="write this torch's operator names and exit")
    args = ap.parse_args()

    if args.write_op_list:
        write_op_list(args.write_op_list)
        return 0
    if not args.out or not (args.open_clip or args.factory):
        ap.error("need OUT and one of --open-clip / --factory")
    if args.merges and not os.path.isfile(args.merges):
        fail(f"merges file not found: {args.merges}")

    torch.manual_seed(0)
    if args.factory:
        model = load_factory(args.factory)
        name = args.name or os.path.basename(args.factory)
    else:
        model = load_open_clip(args.open_clip, args.pretrained)
        name = args.name or f"{args.open_clip}/{args.pretrained}"
    for attr in ("visual", "encode_image", "encode_text", "transformer"):
        if not hasattr(model, attr):
            fail(f"the model has no .{attr}: not an open_clip-style CLIP model")
    model = model.float().eval()
    replaced = replace_attention(model)

    size = image_size_of(model, args.image_size)
    context_length = int(getattr(model, "context_length", model.positional_embedding.shape[0]))
    vocab_size = int(getattr(model, "vocab_size", model.token_embedding.num_embeddings))
    mean = tuple(float(x) for x in getattr(model.visual, "image_mean", None) or OPENAI_MEAN)
    std = tuple(float(x) for x in getattr(model.visual, "image_std", None) or OPENAI_STD)

    wrapper = ClipExport(model).eval()
    g = torch.Generator().manual_seed(0)
    images = torch.randn(2, 3, size, size, generator=g)
    tokens = example_tokens(2, context_length, vocab_size)
    with torch.no_grad():
        traced = torch.jit.trace_module(wrapper, {"encode_image": images, "encode_text": tokens},
                                        check_trace=False)
        # A trace can bake in the example's batch size: compare at another.
        images3 = torch.randn(3, 3, size, size, generator=g)
        tokens3 = example_tokens(3, context_length, vocab_size)
        for what, eager, got in (("encode_image", wrapper.encode_image(images3), traced.encode_image(images3)),
                                 ("encode_text", wrapper.encode_text(tokens3), traced.encode_text(tokens3))):
            if eager.shape != got.shape:
                fail(f"traced {what} returns {tuple(got.shape)} at batch 3, eager {tuple(eager.shape)}")
            err = (eager - got).abs().max().item()
            if not err <= 1e-4 * max(1.0, eager.abs().max().item()):
                fail(f"traced {what} differs from the eager model by {err:g} at batch 3")
        embed_dim = int(got.shape[-1])

    ops = graph_ops(traced)
    n_ops = check_ops(ops, args.op_list)

    os.makedirs(args.out, exist_ok=True)
    traced.save(os.path.join(args.out, "model.pt"))
    spec = {"name": name, "image_size": size, "embed_dim": embed_dim, "context_length": context_length,
            "mean": list(mean), "std": list(std)}
    with open(os.path.join(args.out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    if args.merges:
        dst = os.path.join(args.out, MERGES_NAME)
        if args.merges.endswith(".gz"):
            shutil.copyfile(args.merges, dst)
        else:
            with open(args.merges, "rb") as fin, gzip.open(dst, "wb") as fout:
                shutil.copyfileobj(fin, fout)
    print(f"exported {name}: image {size}, embed {embed_dim}, context {context_length}, "
          f"{replaced} attention modules rewritten, {n_ops} operator kinds checked -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
