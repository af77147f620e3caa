#pragma once
// Stage 4, sample: semantic balance sampling.
//
// 1. FAISS k-means over the embeddings of every kept image; the clustering
//    is cached (keyed by encoder, members and k-means settings), so
//    re-sampling with another band, cap or seed reuses it.
// 2. The decisions come from the sample kernel (sampledecisions.h): images
//    without texts are refused (missing_texts), then the band on the
//    image–synthetic-text similarity (absolute for CLIP-family encoders, the
//    paper's 0.51–0.61, or percentiles of the project's own distribution for
//    the built-in encoder), then the per-cluster cap (uniform random inside
//    a cluster, seeded) or the MetaCLIP-style probability min(1, t/n).
// Results: images.sampled / sample_reason / cluster / cluster_score, and the
// statistics in meta `sample.stats` (shown by `realsyn stats`).

#include "core/pipeline/stage.h"
#include "core/sample/sampledecisions.h"

#include <QJsonObject>

namespace rs {

class ProjectStore;

class SampleStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("sample"); }
    QStringList settingKeys() const override { return settingKeysOf<SampleSettings>() + settingKeysOf<SampleClusterSettings>(); }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;
    // Clusters are cached apart from the band and cap, so re-sampling is quick.
    bool quickToRerun(ProjectStore &) const override { return true; }

    // The stored statistics (empty object before the stage has run).
    static QJsonObject storedStats(ProjectStore &store);
};

} // namespace rs
