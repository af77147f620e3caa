#pragma once
// ICaptioner over an OpenAI-compatible chat-completions server with a
// vision-language model: the image goes as a base64 JPEG data URL, OCR lines
// (when an expert found some) as a hint in the user message.

#include "plugins/generator_openai_http/chatclient.h"

#include "core/generate/igenerator.h"

namespace rs {

class OpenAiCaptioner final : public ICaptioner {
public:
    explicit OpenAiCaptioner(OpenAiOptions options) : m_client(std::move(options)) {}
    QString name() const override;
    // Per-item errors: InvalidArgument for a null image, otherwise the client's.
    QVector<Result<QString>> caption(const QVector<CaptionInput> &batch, JobContext &ctx) override;

private:
    ChatClient m_client;
};

} // namespace rs
