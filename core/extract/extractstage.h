#pragma once
// Stage 1, extract: probes every image not yet probed (decode check, size,
// content hash, perceptual hash; in parallel, resumable) and then decides
// every image and sentence from the stored scores and the recipe.
//
// The verdicts themselves come from the decision kernels (imagefilters.h,
// sentencefilters.h), whose reasons are in the registry (core/store/reasons.h).

#include "core/extract/imagefilters.h"
#include "core/extract/sentencefilters.h"
#include "core/pipeline/stage.h"

#include <functional>

namespace rs {

// Everything extract reads: the two filter kernels' settings and the probe's
// size limit (core/store/settingfields.h). Its keys are the stage's
// fingerprint keys.
struct ExtractSettings {
    ImageFilterSettings images;
    SentenceFilterSettings sentences;
    qint64 maxFileBytes = 0; // files larger are refused unread (too_large)

    template <class F>
    void fields(F &&f)
    {
        images.fields(f);
        sentences.fields(f);
        f(maxFileBytes, "extract.max_file_bytes", SettingUse::NotLive);
    }
};

class ExtractStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("extract"); }
    QStringList settingKeys() const override { return settingKeysOf<ExtractSettings>(); }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;
    // Once every image is probed, a run only re-decides from stored scores.
    bool quickToRerun(ProjectStore &store) const override;

    // Probes images that have a local file and no probe yet. `alongside`,
    // when given, runs once on this thread while the workers decode (work
    // that needs the database but no image, such as the sentence verdicts);
    // its error stops the probing and is returned.
    static Status probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx,
                              const std::function<Status()> &alongside = {});
    // BRISQUE-scores usable images not scored yet (when extract.max_brisque > 0).
    static Status scoreQuality(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // Re-decide all images / sentences from stored scores (fast, no I/O
    // besides the database): redecideImages() / redecideSentences().
    static Status decideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    static Status decideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
};

} // namespace rs
