#!/usr/bin/python3
"""Checks packaging/export_open_clip.py against the open_clip stand-in.

Run by CTest with Debian's /usr/bin/python3 (python3-torch 1.13)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

SRC = os.environ.get("REALSYN_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXPORT = os.path.join(SRC, "packaging", "export_open_clip.py")
TINY = os.path.join(SRC, "tests", "plugins", "make_tiny_clip.py")
sys.path.insert(0, os.path.join(SRC, "tests", "plugins"))
sys.path.insert(0, os.path.join(SRC, "packaging"))
import export_open_clip  # noqa: E402
import make_tiny_clip  # noqa: E402


def run_export(out, *extra):
    return subprocess.run([sys.executable, EXPORT, out, "--factory", f"{TINY}:build:tiny", *extra],
                          capture_output=True, text=True)


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.merges = os.path.join(cls.tmp.name, "merges.txt.gz")
        make_tiny_clip.write_merges(cls.merges)
        cls.out = os.path.join(cls.tmp.name, "model")
        r = run_export(cls.out, "--merges", cls.merges, "--name", "tiny/test")
        if r.returncode != 0:
            raise AssertionError("export failed: " + r.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_folder_layout(self):
        self.assertEqual(sorted(os.listdir(self.out)), ["bpe_simple_vocab_16e6.txt.gz", "model.json", "model.pt"])
        with open(os.path.join(self.out, "model.json")) as f:
            spec = json.load(f)
        self.assertEqual(spec["name"], "tiny/test")
        self.assertEqual(spec["image_size"], 32)
        self.assertEqual(spec["embed_dim"], 16)
        self.assertEqual(spec["context_length"], 77)
        self.assertEqual(len(spec["mean"]), 3)
        self.assertAlmostEqual(spec["std"][0], 0.26862954)

    def test_matches_eager_model_with_original_attention(self):
        # The stand-in as built, with nn.MultiheadAttention (its own kernels):
        # the exported math attention must compute the same thing.
        eager = make_tiny_clip.build("tiny")
        self.assertTrue(any(isinstance(m, torch.nn.MultiheadAttention) for m in eager.modules()))
        loaded = torch.jit.load(os.path.join(self.out, "model.pt"))
        g = torch.Generator().manual_seed(5)
        images = torch.randn(5, 3, 32, 32, generator=g)
        tokens = export_open_clip.example_tokens(5, 77, 49408)
        with torch.no_grad():
            for a, b in ((eager.encode_image(images), loaded.encode_image(images)),
                         (eager.encode_text(tokens), loaded.encode_text(tokens))):
                self.assertEqual(tuple(b.shape), (5, 16))
                self.assertLess((a - b).abs().max().item(), 1e-5)
                # and it is not trivially constant
                self.assertGreater((b[0] - b[1]).abs().max().item(), 1e-3)

    def test_no_fused_attention_in_graph(self):
        ops = export_open_clip.graph_ops(torch.jit.load(os.path.join(self.out, "model.pt")))
        self.assertIn("aten::softmax", ops)
        fused = [op for op in ops if "attention" in op]
        self.assertEqual(fused, [])

    def test_operator_check_fails_on_missing_op(self):
        with tempfile.TemporaryDirectory() as tmp:
            ops = os.path.join(tmp, "ops.txt")
            with open(export_open_clip.DEFAULT_OP_LIST) as fin, open(ops, "w") as fout:
                fout.writelines(line for line in fin if line.strip() != "aten::softmax")
            r = run_export(os.path.join(tmp, "out"), "--op-list", ops)
            self.assertEqual(r.returncode, 1)
            self.assertIn("libtorch 1.13 does not have: aten::softmax", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "out", "model.pt")))

    def test_op_list_is_current(self):
        with open(export_open_clip.DEFAULT_OP_LIST) as f:
            known = {line.strip() for line in f if not line.startswith("#")}
        self.assertIn("aten::linear", known)
        self.assertNotIn("aten::scaled_dot_product_attention", known)

    def test_bad_inputs_give_one_line_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            cases = [
                ([sys.executable, EXPORT, tmp, "--factory", f"{TINY}:build:huge"], "unknown variant"),
                ([sys.executable, EXPORT, tmp, "--factory", f"{TINY}:nosuch"], "has no function nosuch()"),
                ([sys.executable, EXPORT, tmp, "--factory", f"{TINY}:build:tiny", "--merges", "/nonexistent.gz"],
                 "merges file not found"),
                ([sys.executable, EXPORT, tmp, "--open-clip", "ViT-B-32"], "open_clip package is not installed"),
            ]
            for cmd, text in cases:
                r = subprocess.run(cmd, capture_output=True, text=True)
                self.assertNotEqual(r.returncode, 0, cmd)
                self.assertIn(text, r.stderr, cmd)
                self.assertNotIn("Traceback", r.stderr, cmd)


if __name__ == "__main__":
    unittest.main(verbosity=2)
