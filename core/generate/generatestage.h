#pragma once
// Stage 3, generate: image semantic augmented generation.
//
// For every kept image that has retrieved texts (or evidence): the expert
// findings the ground stage stored (OCR, faces, quality) plus zero-shot tags
// (run here, since they need the encoder; cached per image and version),
// a concise caption, and one synthetic text merging the top realistic text
// with what the image shows, with provenance (generator, model, prompt
// version, time) and an input hash, so a rerun with the same inputs reuses
// the stored result. The image–synthetic-text similarity under the active
// encoder is stored for stage 4.

#include "core/pipeline/stage.h"

namespace rs {

class GenerateStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("generate"); }
    QStringList settingKeys() const override
    {
        return {QStringLiteral("generate."), QStringLiteral("experts.tags"), QStringLiteral("experts.tag_precision")};
    }
    // The expert and generator plugins found (name@version): installing or
    // upgrading one changes the evidence, so the stage becomes stale.
    QString environmentKey() const override;
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;
};

} // namespace rs
