#!/usr/bin/python3
"""Reference CLIP preprocessing for test_clippreprocess, with torch only.

torchvision and PIL are not installed here. torch's antialiased bicubic
interpolate (antialias=True) is PIL's algorithm (a = -0.5, support widened by
the downscale factor) evaluated in float without PIL's 8-bit intermediate
rounding; its result is rounded to 8 bits like PIL's output, then cropped
with torchvision's CenterCrop offsets, divided by 255 and normalised.

usage: clip_reference_preprocess.py IN.ppm SIZE OUT_AA.f32 OUT_CUBIC.f32 OUT_PIL.f32
OUT_AA     one float 2-D pass, rounded once at the end
OUT_CUBIC  the same with plain bicubic (a = -0.75, no antialias: what OpenCV's
           INTER_CUBIC computes), for comparison
OUT_PIL    PIL's order of work emulated: the horizontal pass, rounded and
           clipped to 8 bits, then the vertical pass (bicubic overshoot at
           hard edges is clipped in between, which the 2-D pass does not do)
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(3, 1, 1)


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1
    assert fields[0] == b"P6" and fields[3] == b"255", "expected a binary 8-bit PPM"
    w, h = int(fields[1]), int(fields[2])
    return np.frombuffer(data, dtype=np.uint8, count=w * h * 3, offset=pos).reshape(h, w, 3)


def preprocess(rgb, size, antialias, two_pass=False):
    h, w = rgb.shape[:2]
    if w <= h:
        ow, oh = size, int(size * h / w)
    else:
        ow, oh = int(size * w / h), size
    x = torch.from_numpy(rgb.copy()).permute(2, 0, 1).unsqueeze(0).double()
    if two_pass:
        if ow != w:
            x = F.interpolate(x, size=(h, ow), mode="bicubic", align_corners=False, antialias=True)
            x = x.round().clamp(0, 255)
        if oh != h:
            x = F.interpolate(x, size=(oh, ow), mode="bicubic", align_corners=False, antialias=True)
    elif (oh, ow) != (h, w):
        x = F.interpolate(x, size=(oh, ow), mode="bicubic", align_corners=False, antialias=antialias)
    x = x.round().clamp(0, 255)[0]
    top = int(round((oh - size) / 2.0))
    left = int(round((ow - size) / 2.0))
    x = x[:, top:top + size, left:left + size].float() / 255.0
    return ((x - MEAN) / STD).contiguous()


def main():
    rgb = read_ppm(sys.argv[1])
    size = int(sys.argv[2])
    preprocess(rgb, size, True).numpy().astype("<f4").tofile(sys.argv[3])
    preprocess(rgb, size, False).numpy().astype("<f4").tofile(sys.argv[4])
    preprocess(rgb, size, True, two_pass=True).numpy().astype("<f4").tofile(sys.argv[5])


if __name__ == "__main__":
    main()
