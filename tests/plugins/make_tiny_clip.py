#!/usr/bin/python3
"""A stand-in for an open_clip CLIP model, built from plain torch.nn modules.

open_clip is not installable here, so packaging/export_open_clip.py is tested
against this: the same attribute names and layout (model.visual with conv1,
class_embedding, positional_embedding, ln_pre, transformer.resblocks[i].attn
as nn.MultiheadAttention, ln_post, proj; model.token_embedding,
positional_embedding, transformer, ln_final, text_projection, attn_mask;
encode_image / encode_text with normalize=False) and random weights from a
fixed seed. Variants:

  tiny      image 32, patch 8, width 32, 2 layers; text width 32, 2 layers; embed 16
  vit-b-32  ViT-B/32 shapes: image 224, patch 32, width 768, 12 layers;
            text width 512, 12 layers, 8 heads; embed 512 (the benchmark model)

Command line (used by CTest):
  make_tiny_clip.py --merges OUT.txt.gz        a small BPE merges file
  make_tiny_clip.py --broken-fixtures DIR      missing_method.pt, unknown_op.pt
The export itself: export_open_clip.py --factory make_tiny_clip.py:build:tiny
"""

import argparse
import shutil
import gzip
import os
import sys
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

VARIANTS = {
    "tiny": dict(image_size=32, patch=8, width=32, layers=2, heads=2,
                 text_width=32, text_layers=2, text_heads=2, embed_dim=16),
    "vit-b-32": dict(image_size=224, patch=32, width=768, layers=12, heads=12,
                     text_width=512, text_layers=12, text_heads=8, embed_dim=512),
}
VOCAB_SIZE = 49408
CONTEXT_LENGTH = 77


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        # batch_first=True as in current open_clip: exactly the case where
        # torch >= 1.12 may take MultiheadAttention's fused fast path.
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(width, width * 4))
        self.mlp.add_module("gelu", nn.GELU())
        self.mlp.add_module("c_proj", nn.Linear(width * 4, width))

    def attention(self, x, attn_mask=None):
        return self.attn(x, x, x, need_weights=False, attn_mask=attn_mask)[0]

    def forward(self, x, attn_mask=None):
        x = x + self.attention(self.ln_1(x), attn_mask=attn_mask)
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.width = width
        self.layers = layers
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x, attn_mask=None):
        for r in self.resblocks:
            x = r(x, attn_mask=attn_mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch, width, layers, heads, output_dim):
        super().__init__()
        self.image_size = (image_size, image_size)
        self.patch_size = (patch, patch)
        self.output_dim = output_dim
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        scale = width ** -0.5
        grid = image_size // patch
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))
        self.image_mean = (0.48145466, 0.4578275, 0.40821073)
        self.image_std = (0.26862954, 0.26130258, 0.27577711)

    def forward(self, x):
        x = self.conv1(x)                                  # N, width, g, g
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype, device=x.device)
        x = torch.cat([cls, x], dim=1)
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = self.transformer(x)
        x = self.ln_post(x[:, 0, :])
        return x @ self.proj


class CLIP(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.visual = VisionTransformer(v["image_size"], v["patch"], v["width"], v["layers"], v["heads"], v["embed_dim"])
        self.context_length = CONTEXT_LENGTH
        self.vocab_size = VOCAB_SIZE
        self.transformer = Transformer(v["text_width"], v["text_layers"], v["text_heads"])
        self.token_embedding = nn.Embedding(VOCAB_SIZE, v["text_width"])
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(CONTEXT_LENGTH, v["text_width"]))
        self.ln_final = nn.LayerNorm(v["text_width"])
        self.text_projection = nn.Parameter(v["text_width"] ** -0.5 * torch.randn(v["text_width"], v["embed_dim"]))
        self.logit_scale = nn.Parameter(torch.ones([]) * 4.6052)
        mask = torch.empty(CONTEXT_LENGTH, CONTEXT_LENGTH).fill_(float("-inf")).triu_(1)
        self.register_buffer("attn_mask", mask, persistent=False)

    def encode_image(self, image, normalize: bool = False):
        features = self.visual(image)
        return F.normalize(features, dim=-1) if normalize else features

    def encode_text(self, text, normalize: bool = False):
        x = self.token_embedding(text)
        x = x + self.positional_embedding
        x = self.transformer(x, attn_mask=self.attn_mask)
        x = self.ln_final(x)
        # The end-of-text token has the highest id: its position is the argmax.
        x = x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection
        return F.normalize(x, dim=-1) if normalize else x


def build(variant="tiny", seed=0):
    """The factory export_open_clip.py calls (--factory make_tiny_clip.py:build:VARIANT)."""
    if variant not in VARIANTS:
        raise SystemExit(f"make_tiny_clip: unknown variant {variant!r} (have {', '.join(VARIANTS)})")
    torch.manual_seed(seed)
    model = CLIP(VARIANTS[variant])
    with torch.no_grad():
        # Non-trivial LayerNorm parameters, so a wrong weight mapping shows.
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0.0, 0.1)
    return model.eval()


def real_merges():
    """CLIP's real merges file from the shared reference data, if present
    ($REALSYN_SHARED_DIR/data or ../shared/data beside the repository)."""
    here = os.path.dirname(os.path.abspath(__file__))
    bases = [os.environ.get("REALSYN_SHARED_DIR", ""), os.path.join(here, "..", "..", "..", "shared")]
    for base in bases:
        candidate = os.path.join(base, "data", "clip_bpe_simple_vocab_16e6.txt.gz")
        if base and os.path.isfile(candidate):
            return candidate
    return None


def write_merges(path):
    """CLIP's real merges when the shared reference data is there (the C++
    tokenizer insists on all 48,894 merges); otherwise a small file in the
    same layout, enough for the Python-side export tests."""
    real = real_merges()
    if real:
        shutil.copyfile(real, path)
        return
    merges = ["#version: 0.2", "t h", "th e</w>", "i n", "a n", "o n", "e r", "a t", "c a", "ca t</w>",
              "p h", "ph o", "pho to</w>", "d o", "do g</w>"]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(merges) + "\n")


class _OnlyImage(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3, 16)

    @torch.jit.export
    def encode_image(self, image):
        return self.proj(image.mean(dim=(2, 3)))

    def forward(self, image):
        return self.encode_image(image)


class _Relu(nn.Module):
    @torch.jit.export
    def encode_image(self, image):
        return torch.relu(image.flatten(1))

    @torch.jit.export
    def encode_text(self, text):
        return torch.relu(text.float())

    def forward(self, image):
        return self.encode_image(image)


def write_broken_fixtures(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.jit.script(_OnlyImage()).save(os.path.join(out_dir, "missing_method.pt"))
    # What a torch 2.x export that kept the fused attention looks like to
    # libtorch 1.13: a call to an operator it has never heard of. We cannot
    # produce it with torch 1.13, so rename relu in the serialized code.
    ok_path = os.path.join(out_dir, "relu.pt")
    torch.jit.script(_Relu()).save(ok_path)
    bad_path = os.path.join(out_dir, "unknown_op.pt")
    renamed = 0
    with zipfile.ZipFile(ok_path) as src, zipfile.ZipFile(bad_path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(".py"):
                new = data.replace(b"torch.relu(", b"torch.scaled_dot_product_attention(")
                renamed += new != data
                data = new
            dst.writestr(info.filename, data)
    os.remove(ok_path)
    if not renamed:
        raise SystemExit("make_tiny_clip: found no torch.relu call to rename in the serialized code")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--merges", help="write a small BPE merges .txt.gz here")
    ap.add_argument("--broken-fixtures", help="write missing_method.pt and unknown_op.pt into this folder")
    args = ap.parse_args()
    if not args.merges and not args.broken_fixtures:
        ap.error("nothing to do")
    if args.merges:
        os.makedirs(os.path.dirname(os.path.abspath(args.merges)), exist_ok=True)
        write_merges(args.merges)
    if args.broken_fixtures:
        write_broken_fixtures(args.broken_fixtures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
