#pragma once
// IGenerator over an OpenAI-compatible chat-completions server. One request
// per item: system = the item's instruction (the default instruction when
// empty), user = the evidence laid out by ChatMessages::evidenceText (plus the
// image when send_image is on). Provenance of each text: backend, plugin,
// endpoint (no user info), requested and reported model, prompt_version,
// instruction_sha1, layout_version, finish_reason, usage, response_id,
// attempts, latency_ms, created (UTC ISO time), evidence (kinds used, or
// "none"), image_sent. Never the API key.

#include "plugins/generator_openai_http/chatclient.h"

#include "core/generate/igenerator.h"

namespace rs {

class OpenAiGenerator final : public IGenerator {
public:
    explicit OpenAiGenerator(OpenAiOptions options) : m_client(std::move(options)) {}
    QString name() const override;
    // Per-item errors: InvalidArgument for an item with no evidence at all,
    // IoError / ParseError / Canceled from the client (context "item N").
    QVector<Result<GeneratedText>> generate(const QVector<GenerationInput> &batch, JobContext &ctx) override;

private:
    ChatClient m_client;
};

} // namespace rs
