#pragma once
// Stage 4, sample: semantic balance sampling.
//
// 1. Band filter on the image–synthetic-text similarity (stage 3), absolute
//    for CLIP-family encoders (the paper's 0.51–0.61) or as percentiles of
//    the project's own distribution for the built-in encoder.
// 2. FAISS k-means over the image embeddings of what remains; the
//    clustering is cached (keyed by encoder, members and k-means settings),
//    so re-sampling with another cap or seed reuses it.
// 3. Per-cluster cap (uniform random inside a cluster, seeded) or the
//    MetaCLIP-style probability min(1, t/n).
// Results: images.sampled / sample_reason / cluster / cluster_score, and the
// statistics in meta `sample.stats` (shown by `realsyn stats`).

#include "core/pipeline/stage.h"

#include <QJsonObject>

namespace rs {

class ProjectStore;

class SampleStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("sample"); }
    QStringList settingKeys() const override { return {QStringLiteral("sample.")}; }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    // The stored statistics (empty object before the stage has run).
    static QJsonObject storedStats(ProjectStore &store);
    static QStringList reasons(); // below_band, above_band, cluster_cap, no_embedding
};

} // namespace rs
