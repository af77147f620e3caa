#pragma once
// Builds the chat-completions requests of both roles: the user message that
// lays out the evidence for the generator, the captioning prompt, and the
// image as a base64 JPEG data URL in an "image_url" content part.

#include "plugins/generator_openai_http/openaioptions.h"

#include "core/generate/igenerator.h"

#include <QJsonObject>
#include <QString>

namespace rs {

class ChatMessages {
public:
    // Version of the captioning prompt and of the evidence layout; recorded
    // with every result so that a change invalidates cached answers.
    static QString captionPromptVersion() { return QStringLiteral("realsyn-caption-v1"); }
    static QString layoutVersion() { return QStringLiteral("realsyn-evidence-layout-v1"); }

    // "data:image/jpeg;base64,..." of the image downscaled to maxSide (longest
    // side, aspect kept; never upscaled), alpha composited on white. Empty for
    // a null image.
    static QString imageDataUrl(const QImage &image, int maxSide, int jpegQuality);

    // The generator's user message: numbered realistic texts, caption, tags
    // joined with " | " (as in the paper's figure), OCR lines, face count,
    // image quality. Absent evidence is written as "none" so the model does
    // not guess. evidenceUsed receives the kinds present (e.g. "caption", "tags").
    static QString evidenceText(const GenerationInput &input, QStringList *evidenceUsed = nullptr);

    static QJsonObject generationRequest(const GenerationInput &input, const OpenAiOptions &options);
    static QJsonObject captionRequest(const CaptionInput &input, const OpenAiOptions &options);

    static QString captionInstruction();
};

} // namespace rs
