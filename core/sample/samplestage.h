#pragma once
// Stage 4, sample: semantic balance sampling.
//
// 1. FAISS k-means trained on a seeded sample of the kept images'
//    embeddings (at most 256 per centre: all of them in a small project),
//    then every kept image assigned to its nearest centre; centres and
//    assignments are cached (keyed by encoder, members and k-means
//    settings), so re-sampling with another band, cap or seed reuses them.
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
#include <QSet>

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

    // The clustering for a cluster (issue 14): the image k-means is trained
    // once on a seeded sample, then every image is assigned to its nearest
    // centre on its own, so:
    // - the barrier job before the shards (`realsyn run DIR --prepare
    //   sample`) trains and saves the centres, keyed by what they depend on
    //   (the stage reuses them while the key holds);
    static Status prepareCentres(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // - one shard's part: the clusters of the kept images of `main` in
    //   `wanted`, written into `out`'s images rows (which the caller made);
    //   fails when no centres were saved for the project as it is now;
    static Result<qint64> assignInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                     JobContext &ctx);
    // - after the merge copied every shard's clusters: refused images lose
    //   theirs, and the clustering is recorded as current, so the stage run
    //   that follows only decides (the band, the cap: global).
    static Status recordMergedClusters(ProjectStore &store, const Recipe &recipe);
};

} // namespace rs
