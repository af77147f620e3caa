#pragma once
// The built-in captioner and generator: deterministic, no model server.
//
// BuiltinCaptioner writes a concise caption from expert findings only (what
// OCR read, faces, quality, tags); with no findings it returns an empty
// caption rather than guessing.
//
// BuiltinGenerator writes from the fused top realistic texts (realisticPart)
// cleaned of figure numbering, stray bullets, dangling fragments and
// repeated phrases, and weaves in the image evidence with a small grammar
// of templates: OCR lines only when Tesseract is confident and every token
// reads as a word or number, faces only when the detection is confident. It adds no fact that is
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
    QString name() const override { return QStringLiteral("builtin-generator-v2"); }
    QVector<Result<GeneratedText>> generate(const QVector<GenerationInput> &batch, JobContext &ctx) override;

    static GeneratedText generateOne(const GenerationInput &input);
    // Tidies a realistic text: see the class comment. Empty when nothing usable remains.
    static QString cleanRealisticText(const QString &text);
    // Drops a run of words that repeats the run right before it ("New View,
    // New View" -> "New View"), ignoring case and punctuation.
    static QString collapseRepeats(const QString &text);
    // The realistic part of the text from the fused top texts (best first):
    // the first usable one, joined by the next when the first is a short
    // label and the next is about the same thing. `used`: "text1", ...
    static QString realisticPart(const QStringList &texts, QStringList *used = nullptr);
};

// The generation instruction sent to language-model backends, written to the
// paper's intent. Versioned: results record the version they were made with.
QString defaultGenerationInstruction();
QString generationPromptVersion();

} // namespace rs
