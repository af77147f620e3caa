#include "plugins/generator_openai_http/openaihttpplugin.h"

#include "plugins/generator_openai_http/openaicaptioner.h"
#include "plugins/generator_openai_http/openaigenerator.h"

namespace rs {

Result<std::shared_ptr<ICaptioner>> OpenAiHttpPlugin::createCaptioner(const QVariantMap &options)
{
    Result<OpenAiOptions> opt = OpenAiOptions::fromMap(options);
    if (!opt)
        return opt.error();
    return std::shared_ptr<ICaptioner>(std::make_shared<OpenAiCaptioner>(std::move(opt).value()));
}

Result<std::shared_ptr<IGenerator>> OpenAiHttpPlugin::createGenerator(const QVariantMap &options)
{
    Result<OpenAiOptions> opt = OpenAiOptions::fromMap(options);
    if (!opt)
        return opt.error();
    return std::shared_ptr<IGenerator>(std::make_shared<OpenAiGenerator>(std::move(opt).value()));
}

} // namespace rs
