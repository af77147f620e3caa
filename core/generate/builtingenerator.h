#pragma once
// The built-in captioner and generator: deterministic, no model server.
//
// BuiltinCaptioner writes a concise caption from expert findings only (what
// OCR read, faces, quality, tags); with no findings it returns an empty
// caption rather than guessing.
//
// BuiltinGenerator cleans the top realistic text (figure numbering, stray
// bullets, dangling fragments, casing, final punctuation) and weaves in the
// image evidence with a small grammar of templates. It adds no fact that is
// not in its inputs: every word it contributes comes from the evidence or
// from the fixed template phrases. With no evidence it returns the cleaned
// text and records `"evidence": "none"` in its provenance.

#include "core/generate/igenerator.h"

namespace rs {

class BuiltinCaptioner final : public ICaptioner {
public:
    QString name() const override { return QStringLiteral("builtin-captioner-v1"); }
    QVector<Result<QString>> caption(const QVector<CaptionInput> &batch, JobContext &ctx) override;
    static QString captionFor(const Findings &findings);
};

class BuiltinGenerator final : public IGenerator {
public:
    QString name() const override { return QStringLiteral("builtin-generator-v1"); }
    QVector<Result<GeneratedText>> generate(const QVector<GenerationInput> &batch, JobContext &ctx) override;

    static GeneratedText generateOne(const GenerationInput &input);
    // Tidies a realistic text: see the class comment. Empty when nothing usable remains.
    static QString cleanRealisticText(const QString &text);
};

// The generation instruction sent to language-model backends, written to the
// paper's intent. Versioned: results record the version they were made with.
QString defaultGenerationInstruction();
QString generationPromptVersion();

} // namespace rs
