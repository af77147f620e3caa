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

namespace rs {

class EmbeddingStore;
class ProjectStore;
class Recipe;

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
};

} // namespace rs
