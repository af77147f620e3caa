#pragma once
// BuiltinEncoder: the default encoder, which needs no downloaded weights.
//
// It is fitted on the corpus itself. Interleaved documents pair each image
// with the text around it (captions, alt text, neighbouring sentences);
// those pairs teach a closed-form regularised CCA how hand-made image
// descriptors (colour, texture, edges, layout; computed with OpenCV on a
// copy downscaled to 128 px) and hashed word/bigram TF-IDF vectors (reduced
// by a randomized SVD) correlate. Both sides are projected into one space of
// `dimension` columns and L2-normalised. It is NOT CLIP: it knows only what
// its corpus showed it, and its cosine similarities are not on CLIP's scale
// (info().clipFamily is false, so CLIP-calibrated thresholds must not apply).
//
// Thread-safety: a fitted or loaded encoder is immutable; encodeImages(),
// encodeTexts() and knowsWord() may be called from several threads at once.
// Each call uses up to ctx.threads() workers (0 = all cores).
// Determinism: a row depends only on its own input (batch-invariant), and a
// fit with the same data, options and seed gives the same model.

#include "core/embed/iencoder.h"

#include <QVector>

#include <functional>
#include <memory>

namespace rs {

class ProjectStore;

struct BuiltinEncoderOptions {
    int dimension = 64;            // d: width of the shared space (capped by the data)
    double regularization = 1e-3;  // covariance shrinkage: C + r * trace(C)/dim * I (raised for small data)
    int textBuckets = 1 << 15;     // hashed TF-IDF width
    int textReducedDim = 256;      // SVD rank of the text side before CCA (capped by the data)
    quint64 seed = 0;              // the SVD's random start and the corpus sample
};

// One image–context pair: a caption, alt text or neighbouring sentence of
// images[imageIndex]. weight > 0 (e.g. lower for a distant sentence).
struct AlignedPair {
    qint64 imageIndex = -1;
    QString text;
    double weight = 1.0;
};

class BuiltinEncoder : public IEncoder {
public:
    // Least number of usable pairs (non-empty text) that fit() accepts.
    static constexpr int kMinPairs = 20;
    // Least number of distinct images those pairs must reference.
    static constexpr int kMinImages = 10;

    // Fits the alignment on training pairs. images: decoded RGB888 QImages
    // (other formats are converted); pairs reference them by index. Document
    // frequencies come from corpusTexts (all kept sentences; the pair texts
    // when empty). Pairs whose text has no words are skipped with a warning.
    // Errors: InvalidArgument for bad options, too few pairs or images, an
    // index out of range, a null image, degenerate data (no variation, no
    // correlation); Canceled when ctx is canceled.
    static Result<std::shared_ptr<BuiltinEncoder>> fit(const QList<QImage> &images,
                                                      const QVector<AlignedPair> &pairs,
                                                      const QStringList &corpusTexts,
                                                      const BuiltinEncoderOptions &opts,
                                                      JobContext &ctx);

    // The same fit from descriptor rows instead of decoded images: row i of
    // `descriptors` (whole rows of descriptorLength() floats) describes image
    // index i. A caller describes images as it decodes them (describeImage)
    // and drops the pixels, so a fit over 20k images never holds them all
    // decoded (issue 11: 2 GB). Gives the same model as fit() on the images.
    static Result<std::shared_ptr<BuiltinEncoder>> fitDescribed(const std::vector<float> &descriptors,
                                                               const QVector<AlignedPair> &pairs,
                                                               const QStringList &corpusTexts,
                                                               const BuiltinEncoderOptions &opts,
                                                               JobContext &ctx);
    static int descriptorLength();
    // Writes descriptorLength() floats; false for a null or unusable image.
    static bool describeImage(const QImage &image, float *out);

    // One binary file: magic, format version, payload length, SHA-256 of the
    // payload, payload. Written atomically (QSaveFile).
    Status save(const QString &path) const;
    // Errors: NotFound, IoError, ParseError (not a model file, truncated,
    // checksum mismatch, inconsistent sizes), Unsupported (newer format).
    static Result<std::shared_ptr<BuiltinEncoder>> load(const QString &path);
    // Where a project keeps the model the embed stage fitted.
    static QString projectModelPath(ProjectStore &store);

    // name "builtin-corpus-cca-v1", clipFamily false.
    EncoderInfo info() const override;
    // n images -> n x d unit rows. A null image is an InvalidArgument error
    // naming its index (the pipeline records decode failures before this).
    Result<Matrix> encodeImages(const QList<QImage> &images, JobContext &ctx) override;
    // n texts -> n x d unit rows. A text without known words still gets a
    // (constant, uninformative) unit row.
    Result<Matrix> encodeTexts(const QStringList &texts, JobContext &ctx) override;

    // True when every word of `word` (lower-cased; a tag may be two words)
    // occurred in the fitting texts and so has a learned direction. For
    // zero-shot tag vocabularies: unknown words would all map to one point.
    bool knowsWord(const QString &word) const;

    // Canonical correlations of the d components (descending), for reports.
    std::vector<double> correlations() const;

    struct Model; // defined in the .cpp
    explicit BuiltinEncoder(std::shared_ptr<const Model> model);

private:
    // The fit itself; describe(i, out) writes image i's descriptor row.
    static Result<std::shared_ptr<BuiltinEncoder>> fitWith(qint64 imageCount,
                                                          const std::function<void(qint64, float *)> &describe,
                                                          const QVector<AlignedPair> &pairs,
                                                          const QStringList &corpusTexts,
                                                          const BuiltinEncoderOptions &opts,
                                                          JobContext &ctx);

    std::shared_ptr<const Model> m_model;
};

} // namespace rs
