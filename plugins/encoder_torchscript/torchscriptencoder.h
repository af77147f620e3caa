#pragma once
// TorchScriptEncoder: a CLIP model exported to TorchScript, run with libtorch.
//
// Model folder (what packaging/export_open_clip.py writes):
//   model.pt    TorchScript module with methods
//                 encode_image(Tensor[N,3,S,S] float32) -> Tensor[N,D]
//                 encode_text(Tensor[N,C] int64)        -> Tensor[N,D]
//   model.json  {"name", "image_size": S, "embed_dim": D, "context_length": C,
//                "mean": [3], "std": [3], optional "merges": path relative to the folder}
//   bpe_simple_vocab_16e6.txt.gz   CLIP's BPE merges (unless "merges" names another)
// open() checks all of it, including a dummy forward of both towers, and
// fails with one line naming the file and the problem.
//
// Options (QVariantMap): "device" "cpu" (default) | "cuda"; "threads" int
// (0 = all hardware threads; libtorch's intra-op pool is process-wide);
// "batch" images/texts per forward (default 32).
//
// Outputs are N x D float32, rows L2-normalised, in input order.
// Thread-safety: the loaded module is shared; encode calls are serialised
// by an internal mutex (one forward at a time uses all intra-op threads).
// encodeImages overlaps the preprocessing of batch i+1 (one pool thread)
// with the forward of batch i.

#include "core/embed/iencoder.h"

#include <memory>

namespace rs {

class TorchScriptEncoder : public IEncoder {
public:
    static Result<std::shared_ptr<TorchScriptEncoder>> open(const QString &modelDir, const QVariantMap &options = {});
    // The libtorch this was built with, e.g. "1.13.0".
    static QString libtorchVersion();
    ~TorchScriptEncoder() override;

    EncoderInfo info() const override;
    Result<Matrix> encodeImages(const QList<QImage> &images, JobContext &ctx) override;
    Result<Matrix> encodeTexts(const QStringList &texts, JobContext &ctx) override;

    // The model alone, for benchmarks: n already-preprocessed images, laid
    // out as ClipPreprocess writes them (n x 3 x S x S floats).
    Result<Matrix> encodePixels(const float *pixels, qint64 n);
    int imageSize() const;
    int batchSize() const;

private:
    struct Impl;
    explicit TorchScriptEncoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace rs
