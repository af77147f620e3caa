#include "plugins/encoder_torchscript/torchscriptencoderplugin.h"

#include "plugins/encoder_torchscript/torchscriptencoder.h"

namespace rs {

Result<std::shared_ptr<IEncoder>> TorchScriptEncoderPlugin::open(const QString &modelDir, const QVariantMap &options)
{
    auto encoder = TorchScriptEncoder::open(modelDir, options);
    if (!encoder)
        return encoder.error();
    return std::shared_ptr<IEncoder>(std::move(encoder).value());
}

QList<std::pair<QString, QString>> TorchScriptEncoderPlugin::componentVersions() const
{
    return {{QStringLiteral("libtorch"), TorchScriptEncoder::libtorchVersion()}};
}

} // namespace rs
