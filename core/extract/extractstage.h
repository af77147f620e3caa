#pragma once
// Stage 1, extract: probes every image not yet probed (decode check, size,
// content hash, perceptual hash; in parallel, resumable) and then decides
// every image and sentence from the stored scores and the recipe.
//
// The verdicts themselves come from the decision kernels (imagefilters.h,
// sentencefilters.h), whose reasons are in the registry (core/store/reasons.h).

#include "core/pipeline/stage.h"

namespace rs {

class ExtractStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("extract"); }
    QStringList settingKeys() const override { return {QStringLiteral("extract.")}; }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;
    // Once every image is probed, a run only re-decides from stored scores.
    bool quickToRerun(ProjectStore &store) const override;

    // Probes images that have a local file and no probe yet.
    static Status probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // BRISQUE-scores usable images not scored yet (when extract.max_brisque > 0).
    static Status scoreQuality(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // Re-decide all images / sentences from stored scores (fast, no I/O
    // besides the database): redecideImages() / redecideSentences().
    static Status decideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    static Status decideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
};

} // namespace rs
