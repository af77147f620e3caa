#pragma once
// The Qt plugin object of encoder_torchscript: a factory that opens
// TorchScript CLIP model folders (see torchscriptencoder.h for the layout).
// No libtorch type or exception crosses this boundary.

#include "core/embed/iencoder.h"
#include "core/plugin/icomponentinfo.h"

#include <QObject>

namespace rs {

class TorchScriptEncoderPlugin : public QObject, public IEncoderPlugin, public IComponentInfo {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID RealSyn_IEncoderPlugin_iid FILE "plugin.json")
    Q_INTERFACES(rs::IEncoderPlugin rs::IComponentInfo)

public:
    Result<std::shared_ptr<IEncoder>> open(const QString &modelDir, const QVariantMap &options) override;
    QList<std::pair<QString, QString>> componentVersions() const override; // libtorch
};

} // namespace rs
