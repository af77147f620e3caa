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
#include "core/store/settingfields.h"

#include <QSet>

namespace rs {

// Everything generate reads, typed (core/store/settingfields.h): its keys are
// the stage's fingerprint keys. The server's transport settings count too,
// so pointing the stage at another server makes it stale.
struct GenerateSettings {
    QString backend;      // builtin | openai
    QString captioner;    // builtin | openai | none
    QString endpoint;     // OpenAI-compatible base URL
    QString model;        // model name sent to the server
    QString captionModel; // empty: `model`
    QString apiKeyEnv;    // the environment variable holding the key
    int concurrency = 0;
    int timeoutMs = 0;
    int retries = 0;
    qint64 deadlineSeconds = 0; // 0: no overall budget
    QString instruction;        // empty: the built-in prompt
    QString tags;               // experts.tags: auto | on | off
    double tagPrecision = 0;

    template <class F>
    void fields(F &&f)
    {
        f(backend, "generate.backend");
        f(captioner, "generate.captioner");
        f(endpoint, "generate.endpoint");
        f(model, "generate.model");
        f(captionModel, "generate.caption_model");
        f(apiKeyEnv, "generate.api_key_env");
        f(concurrency, "generate.concurrency");
        f(timeoutMs, "generate.timeout_ms");
        f(retries, "generate.retries");
        f(deadlineSeconds, "generate.deadline_s");
        f(instruction, "generate.instruction");
        f(tags, "experts.tags");
        f(tagPrecision, "experts.tag_precision");
    }
    static GenerateSettings fromRecipe(const Recipe &recipe)
    {
        GenerateSettings s;
        readSettings(recipe, s);
        return s;
    }
};

class GenerateStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("generate"); }
    QStringList settingKeys() const override { return settingKeysOf<GenerateSettings>(); }
    // The expert and generator plugins found (name@version): installing or
    // upgrading one changes the evidence, so the stage becomes stale.
    QString environmentKey() const override;
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    // Generate for a cluster (issue 14). Every image's text is its own, so:
    // - the barrier job before the shards (`realsyn run DIR --prepare
    //   generate`) makes the one global decision, the tag expert's
    //   calibration on held-out images, and keeps it in the project with a
    //   key of what it was measured on (the stage reuses it while the key
    //   holds, so a shard never calibrates again);
    static Status prepare(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // - one shard's part: texts, tags and similarities for the kept images
    //   of `main` in `wanted`, exactly as the stage makes them, written
    //   with their notes into `out` (a shard store). What `main` already
    //   holds for unchanged inputs is reused, not written again. Returns how
    //   many images it answered for.
    static Result<qint64> generateInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                       JobContext &ctx);
};

} // namespace rs
