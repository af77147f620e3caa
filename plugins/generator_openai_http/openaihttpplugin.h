#pragma once
// The generator_openai_http plugin: captioner and generator roles over an
// OpenAI-compatible chat-completions server (vLLM, llama.cpp's server,
// Ollama). Options: see openaioptions.h. Stateless: every create call parses
// its options; the returned objects own their settings.

#include "core/generate/igenerator.h"

#include <QObject>

namespace rs {

class OpenAiHttpPlugin : public QObject, public IGeneratorPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID RealSyn_IGeneratorPlugin_iid FILE "plugin.json")
    Q_INTERFACES(rs::IGeneratorPlugin)

public:
    QString backend() const override { return QStringLiteral("openai"); }
    Result<std::shared_ptr<ICaptioner>> createCaptioner(const QVariantMap &options) override;
    Result<std::shared_ptr<IGenerator>> createGenerator(const QVariantMap &options) override;
};

} // namespace rs
