#pragma once
// Captioners and generators of stage 3.
//
// ICaptioner: image (+ expert findings) -> one concise caption.
// IGenerator: realistic texts + caption + tags + findings -> one synthetic
// text that keeps the real-world detail of the top realistic text, adds what
// the image evidence supports and invents nothing.
//
// Both are batch-first so network backends can keep several requests in
// flight; results come back per item (one failure does not fail the batch).
// Implementations: built-in (core/generate, no model server) and the
// OpenAI-compatible HTTP backend (plugins/generator_openai_http).

#include "core/generate/finding.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QImage>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

#include <memory>

namespace rs {

struct CaptionInput {
    qint64 imageId = -1;
    QImage image;        // RGB888, possibly downscaled for transport
    Findings findings;   // expert evidence (OCR, faces, quality, tags)
};

struct GenerationInput {
    qint64 imageId = -1;
    QStringList realisticTexts; // retrieved, best first (may be empty)
    QString caption;            // concise caption (may be empty)
    QStringList tags;           // visual tags, best first
    Findings findings;          // expert evidence
    QString instruction;        // the generation instruction (versioned prompt)
    QImage image;               // for backends that look at the image (may be null)
};

struct GeneratedText {
    QString text;
    QString model;         // which model produced it (backend-specific)
    QJsonObject provenance; // backend details: finish_reason, usage, evidence used ("evidence": "none" when none)
};

class ICaptioner {
public:
    virtual ~ICaptioner() = default;
    virtual QString name() const = 0;
    virtual QVector<Result<QString>> caption(const QVector<CaptionInput> &batch, JobContext &ctx) = 0;
};

class IGenerator {
public:
    virtual ~IGenerator() = default;
    virtual QString name() const = 0;
    virtual QVector<Result<GeneratedText>> generate(const QVector<GenerationInput> &batch, JobContext &ctx) = 0;
};

// What a generator plugin library exports (e.g. the OpenAI-compatible
// backend): both roles, configured from recipe settings.
class IGeneratorPlugin {
public:
    virtual ~IGeneratorPlugin() = default;
    virtual QString backend() const = 0; // e.g. "openai"
    // options: endpoint, model, concurrency, timeout_ms, retries, api_key_env ...
    virtual Result<std::shared_ptr<ICaptioner>> createCaptioner(const QVariantMap &options) = 0;
    virtual Result<std::shared_ptr<IGenerator>> createGenerator(const QVariantMap &options) = 0;
};

} // namespace rs

#define RealSyn_IGeneratorPlugin_iid "org.realsyn.IGeneratorPlugin/1"
Q_DECLARE_INTERFACE(rs::IGeneratorPlugin, RealSyn_IGeneratorPlugin_iid)
