#pragma once
// Stage 2a, embed: puts every kept image and kept sentence into one
// embedding space, incrementally (only items without a vector are encoded),
// then drops near-duplicate images by embedding similarity (union-find), as
// the paper does once embeddings exist.
//
// Encoders (recipe `embed.model`):
//   builtin           the corpus-aligned encoder, fitted here on the
//                     project's own image–context pairs (not CLIP);
//   <model folder>    a TorchScript CLIP model through the encoder plugin;
//   imported:<name>   vectors brought with `realsyn import-embeddings`.
// Held-out images (eval.holdout, the test split) and the validation split
// (eval.validation, for `realsyn eval --tune`) never contribute pairs to the
// fit, so both measure retrieval on pairs the encoder has not seen.

#include "core/pipeline/stage.h"
#include "core/store/settingfields.h"

#include <QVector>

#include <memory>

namespace rs {

class EmbeddingStore;
class IEncoder;
class ProjectStore;
class Recipe;
struct ShardSpec;

// The encoder embed encodes with, and the name its vectors are stored under
// (the built-in encoder's name carries a digest of the fitted model, so
// vectors of two fits are never mixed).
struct StageEncoder {
    std::shared_ptr<IEncoder> encoder; // null for imported embeddings
    QString name;
    int dimension = 0;
};

// Everything embed reads, typed (core/store/settingfields.h): its keys are
// the stage's fingerprint keys. The eval splits are here because they decide
// which pairs the built-in encoder is fitted on.
struct EmbedSettings {
    QString model;  // builtin | model folder | imported:NAME
    QString device; // cpu | cuda
    int dimension = 0;
    double regularization = 0;
    int contextWindow = 0;
    int maxFitImages = 0;
    bool dedup = true;
    double dedupThreshold = 0;
    double holdout = 0;    // eval.holdout: the test split
    double validation = 0; // eval.validation: the validation split

    template <class F>
    void fields(F &&f)
    {
        f(model, "embed.model");
        f(device, "embed.device");
        f(dimension, "embed.dimension");
        f(regularization, "embed.regularization");
        f(contextWindow, "embed.context_window");
        f(maxFitImages, "embed.max_fit_images");
        f(dedup, "embed.dedup");
        f(dedupThreshold, "embed.dedup_threshold");
        f(holdout, "eval.holdout");
        f(validation, "eval.validation");
    }
    static EmbedSettings fromRecipe(const Recipe &recipe)
    {
        EmbedSettings s;
        readSettings(recipe, s);
        return s;
    }
};

class EmbedStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("embed"); }
    QStringList settingKeys() const override { return settingKeysOf<EmbedSettings>(); }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    // Embed in halves, so that a cluster runs the per-item half in shards
    // (core/cluster/shardjobs.h); run() is prepareEncoder + encodeItems over
    // every item + the global near-duplicate step.
    //
    // The global half: the encoder. The built-in one is fitted on its
    // deterministic sample (embed.max_fit_images, chosen by the seed) unless
    // the saved model was fitted on exactly the current inputs (a digest of
    // the options, the sample's images and texts and the sentence corpus is
    // kept in the project's meta `embed.builtin_fit`), in which case it is
    // loaded. CachedOnly never fits and takes the saved fit without
    // checking its digest (a shard job reads the project read-only and must
    // not scan every sentence; the merge checks): NotFound when none is saved.
    enum class Fit { IfNeeded, CachedOnly };
    // The digest of the inputs the saved built-in model was fitted on
    // (meta `embed.builtin_fit`); empty when none was fitted.
    static QString savedFitDigest(ProjectStore &store);
    static Result<StageEncoder> prepareEncoder(ProjectStore &store, const Recipe &recipe, Fit fit, JobContext &ctx);
    // The per-item half: encodes the kept images and kept sentences of
    // `source` that `images` / `sentences` lack, only those of `shard` when
    // given (images by image key, sentences by their document's key).
    // Each vector depends on its item alone, never on the batch it is in.
    // Decode failures are logged to `issues`' issue log.
    static Status encodeItems(ProjectStore &source, IEncoder &encoder, EmbeddingStore &images, EmbeddingStore &sentences,
                              const ShardSpec *shard, ProjectStore &issues, JobContext &ctx);
};

} // namespace rs
