#pragma once
// Stage 1, extract: probes every image not yet probed (decode check, size,
// content hash, perceptual hash; in parallel, resumable) and then decides
// every image and sentence from the stored scores and the recipe.
//
// Reasons are stable snake_case keys; each item is counted under the first
// failing reason in the order of imageReasons() / sentenceReasons().

#include "core/pipeline/stage.h"

namespace rs {

class ExtractStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("extract"); }
    QStringList settingKeys() const override { return {QStringLiteral("extract.")}; }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    // Probes images that have a local file and no probe yet.
    static Status probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // BRISQUE-scores usable images not scored yet (when extract.max_brisque > 0).
    static Status scoreQuality(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // Re-decides all images / sentences from stored scores (fast, no I/O
    // besides the database).
    static Status decideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    static Status decideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx);

    static QStringList imageReasons();
    static QStringList sentenceReasons();
};

} // namespace rs
